"""`seed_demo` adds a year of realistic history for the dashboards and reports (issue 8, point 6):
reporting.demo.seed_year, bulk-inserted, deterministic and added once."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Avg, Sum
from django.utils import timezone

from accounts.demo import seed_accounts
from accounts.roles import Role
from complaints.models import (
    OPEN_STAGES,
    CaseEvent,
    ClosureReason,
    Complaint,
    ComplaintPart,
    EventKind,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    Recommendation,
    ReferenceCounter,
    Rung,
    Stage,
    SurveyResponse,
)
from complaints.services.deadlines import decision_due_of
from complaints.services.register import complaint_register
from reporting.demo import MARKER, seed_year
from reporting.models import ActionStatus, ImprovementAction, Lesson, MonthFigures
from reporting.rollups import months_between

pytestmark = pytest.mark.django_db


@pytest.fixture
def year():
    departments, staff = seed_accounts()
    today = timezone.localdate()
    added = seed_year(departments, staff, today=today)
    cases = Complaint.objects.filter(
        events__kind=EventKind.REGISTERED, events__data__demo=MARKER["demo"]
    )
    return {"added": added, "cases": cases, "today": today, "staff": staff}


def _day(moment):
    return timezone.localdate(moment) if moment else None


def test_the_year_has_600_to_900_cases_in_every_month_of_the_last_twelve_and_this_one(year):
    cases, today = year["cases"], year["today"]
    assert 600 <= year["added"] <= 900
    assert cases.count() == year["added"]
    index = today.year * 12 + today.month - 1 - 12  # twelve full months before this one
    first = date(index // 12, index % 12 + 1, 1)
    per_month = Counter(day.replace(day=1) for day in cases.values_list("received_on", flat=True))
    for month in months_between(first, today):
        assert per_month[month] >= (1 if month == today.replace(day=1) else 30), month
    assert min(per_month) >= first
    assert len(set(cases.values_list("department__code", flat=True))) >= 6
    assert cases.filter(themes__isnull=False).distinct().count() >= 0.85 * cases.count()


def test_the_year_has_every_stage_rung_and_closure_reason_and_some_overdue_open_cases(year):
    cases, today = year["cases"], year["today"]
    assert set(cases.values_list("stage", flat=True)) == set(Stage.values)
    for stage in OPEN_STAGES:
        assert cases.filter(stage=stage, rung=Rung.HANDLER).exists(), stage
    assert set(cases.values_list("rung", flat=True)) == {
        Rung.EMPLOYEE,
        Rung.HANDLER,
        Rung.OMBUDSMAN,
    }
    closed = cases.filter(stage=Stage.CLOSED)
    assert set(closed.values_list("closure_reason", flat=True)) == set(ClosureReason.values)
    # Most cases end low: rung-1 logs closed on the spot or the next days.
    rung1 = closed.filter(rung=Rung.EMPLOYEE)
    assert rung1.count() >= 0.4 * cases.count()
    assert all(
        0 <= (_day(at) - logged).days <= 4
        for logged, at in rung1.values_list("logged_on", "closed_at")
    )
    open_cases = cases.filter(stage__in=OPEN_STAGES)
    assert 10 <= open_cases.count() <= 120
    overdue = open_cases.filter(decision_due__lt=today)
    assert overdue.count() >= 3
    assert len(set(overdue.values_list("stage", flat=True))) >= 3
    assert open_cases.filter(rung=Rung.EMPLOYEE, rung1_due__lt=today).exists()
    escalated = cases.filter(escalated_on__isnull=False)
    assert escalated.count() >= 15
    for logged, on, received in escalated.values_list("logged_on", "escalated_on", "received_on"):
        assert logged < on == received


def test_the_year_is_consistent_and_lies_in_the_past(year):
    cases, today, now = year["cases"], year["today"], timezone.now()
    for case in cases:
        ref = case.reference
        closed = _day(case.closed_at)
        assert (
            (case.stage == Stage.CLOSED)
            == (case.closed_at is not None)
            == bool(case.closure_reason)
        ), ref
        assert case.received_on <= today, ref
        assert case.conduct_date is None or case.conduct_date <= case.received_on, ref
        assert case.created_at <= now and case.updated_at <= now, ref
        for day in (
            case.logged_on, case.escalated_on, case.acknowledged_on, case.first_contact_on,
            case.satisfaction_confirmed_on, case.hearing_held_on, case.postponed_on, closed,
        ):  # fmt: skip
            assert day is None or day <= today, ref
        if closed:
            assert case.received_on <= closed, ref
            assert closed >= (case.logged_on or case.received_on), ref
        if case.rung == Rung.EMPLOYEE:
            assert case.logged_on == case.received_on and not case.is_written, ref
            assert case.decision_due is None and case.rung1_due, ref
        else:
            assert case.rung1_due is None, ref
            assert case.decision_due == decision_due_of(case) or case.rung == Rung.OMBUDSMAN, ref
        if case.is_written and case.rung != Rung.EMPLOYEE:
            assert case.decision_due and case.acknowledged_on, ref
        if case.closure_reason == ClosureReason.RESOLVED:
            assert case.solution and case.satisfaction_confirmed_on == closed, ref
        if case.closure_reason == ClosureReason.NOT_HANDLED:
            assert case.not_handled_ground, ref
        if case.closure_reason == ClosureReason.FORWARDED:
            assert case.forwarded_to, ref
        if case.stage == Stage.INTAKE:
            assert not case.first_contact_on, ref
    judged = ComplaintPart.objects.filter(complaint__in=cases, complaint__closure_reason="judged")
    assert judged.exists() and not judged.filter(judgment="").exists()
    assert judged.filter(norms__isnull=False).exists()
    # "Decided within the legal term": mostly, not always.
    with_term = [
        (_day(at), due)
        for at, due in cases.filter(stage=Stage.CLOSED, decision_due__isnull=False).values_list(
            "closed_at", "decision_due"
        )
    ]
    in_term = sum(closed <= due for closed, due in with_term)
    assert 0.75 * len(with_term) <= in_term < len(with_term)


def test_each_year_case_has_a_timeline_of_its_moves_in_order(year):
    cases = year["cases"].prefetch_related("events")
    for case in cases:
        events = list(case.events.all())
        ref = case.reference
        assert events[0].kind == EventKind.REGISTERED and events[0].data == MARKER, ref
        assert [e.at for e in events] == sorted(e.at for e in events), ref
        moves = [e for e in events if e.kind == EventKind.TRANSITION]
        stages = [events[0].to_stage] + [e.to_stage for e in moves]
        assert [e.from_stage for e in moves] == stages[:-1], ref
        assert stages[-1] == case.stage, ref
        if case.closed_at:
            assert moves[-1].to_stage == Stage.CLOSED and moves[-1].at == case.closed_at, ref
        rungs = [(e.from_rung, e.to_rung) for e in events if e.kind == EventKind.RUNG]
        expected = [(1, 2)] if case.escalated_on else []
        expected += [(2, 3)] if case.rung == Rung.OMBUDSMAN else []
        assert rungs == expected, ref
        assert all(e.actor_id for e in events), ref


def test_the_year_has_ombudsman_cases_surveys_lessons_and_improvement_actions(year):
    cases, today, staff = year["cases"], year["today"], year["staff"]
    phases = OmbudsmanCase.objects.filter(complaint__in=cases).select_related("complaint")
    assert phases.count() >= 8
    assert len({phase.outcome for phase in phases if phase.outcome}) >= 3
    reports = phases.filter(outcome=OmbudsmanOutcome.REPORT)
    assert OmbudsmanFinding.objects.filter(ombudsman_case__in=reports).exists()
    assert Recommendation.objects.filter(ombudsman_case__in=reports).count() == reports.count()
    for phase in phases:
        assert phase.complaint.rung == Rung.OMBUDSMAN and phase.complaint.stage == Stage.CLOSED
        assert _day(phase.complaint.closed_at) <= phase.taken_up_on <= today
        assert phase.outcome_on is None or phase.taken_up_on <= phase.outcome_on < today

    surveys = SurveyResponse.objects.filter(complaint__in=cases)
    assert surveys.count() >= 50
    assert surveys.aggregate(mean=Avg("rating"))["mean"] >= 3.5
    assert set(surveys.values_list("rating", flat=True)) == {1, 2, 3, 4, 5}
    for answered, closed in surveys.values_list("answered_at", "complaint__closed_at"):
        assert closed < answered <= timezone.now()

    closed_formal = cases.filter(
        rung__gte=Rung.HANDLER, closure_reason__in=[ClosureReason.RESOLVED, ClosureReason.JUDGED]
    )
    lessons = Lesson.objects.filter(complaint__in=closed_formal)
    assert lessons.count() >= 0.7 * closed_formal.count()
    assert len(set(lessons.values_list("cause__code", flat=True))) >= 5
    assert not Lesson.objects.filter(complaint__stage__in=OPEN_STAGES).exists()

    actions = ImprovementAction.objects.all()
    assert 6 <= actions.count() <= 10
    assert set(actions.values_list("owner", flat=True)) == {
        staff[Role.MANAGER].pk,
        staff[Role.BOARD].pk,
    }
    assert not actions.filter(complaints__isnull=True).exists()
    done = actions.filter(status=ActionStatus.DONE)
    assert done.count() >= 2
    assert not done.filter(effect="").exists()
    assert not done.filter(effect_checked_on__isnull=True).exists()
    assert 1 <= actions.filter(status__in=["planned", "in_progress"], due_on__lt=today).count() <= 2
    for action in done:
        assert action.completed_on <= action.effect_checked_on <= today


def test_the_year_references_move_the_counters_so_a_new_registration_does_not_collide(year):
    cases, staff = year["cases"], year["staff"]
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(references) == len(set(references))
    for counter in ReferenceCounter.objects.all():
        numbers = [
            int(ref.rsplit("-", 1)[1])
            for ref in references
            if ref.startswith(f"KL-{counter.year}-")
        ]
        assert counter.last == max(numbers), counter.year
    new = complaint_register(
        actor=staff[Role.COORDINATOR],
        fields={
            "channel": "email",
            "received_on": year["today"],
            "is_written": True,
            "department": cases.first().department,
            "complainant_name": "Test Persoon",
            "conduct_description": "Iets gebeurde.",
        },
    )
    assert new.reference not in references


def test_seed_year_draws_the_same_year_every_time():
    departments, staff = seed_accounts()
    today = timezone.localdate()

    def draw():
        with transaction.atomic():
            seed_year(departments, staff, today=today)
            rows = list(
                Complaint.objects.order_by("reference").values_list(
                    "reference", "received_on", "stage", "rung", "closure_reason", "decision_due"
                )
            )
            transaction.set_rollback(True)
        return rows

    assert draw() == draw()


def test_seed_demo_adds_the_year_once_and_rebuilds_the_dashboard_rollups():
    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert "A year of history for the dashboards:" in out.getvalue()
    tables = (Complaint, CaseEvent, SurveyResponse, Lesson, ImprovementAction, OmbudsmanCase)
    counts = [table.objects.count() for table in tables]
    assert counts[0] >= 600
    received = MonthFigures.objects.aggregate(n=Sum("received"))["n"]
    assert received == Complaint.objects.count()
    closed = MonthFigures.objects.aggregate(n=Sum("closed"))["n"]
    assert closed == Complaint.objects.filter(stage=Stage.CLOSED).count()

    out = StringIO()
    call_command("seed_demo", force=True, stdout=out)
    assert "A year of history" not in out.getvalue()
    assert [table.objects.count() for table in tables] == counts
