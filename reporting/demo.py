"""A year of demo cases for the dashboards and reports (issue 8), for `manage.py seed_demo`.

``complaints.demo`` plays about 35 cases of the last ten weeks through the real services, so each
has a complete timeline; that is too slow for a year. ``seed_year`` writes about 770 cases over
the past twelve full months and this month up to ``today`` with bulk inserts instead, in a few
dozen queries: rung-1 logs (most closed on the spot), formal complaints through the five steps
with every closure reason (some still open in each stage, a few overdue), escalations from rung 1
to 2, a few cases at rung 3 with the ombudsman's outcome, themes, complaint parts with their
judgment and norms, survey answers, lessons and eight improvement actions. Each case's due dates
come from ``complaints.services.deadlines.due_dates_compute``, as a service would store them;
its timeline has the registration, every move and every rung change, each at the moment it
stands for (the demo writes its own timestamps, see ``_given_timestamps``). No letters, mail or
reminders are written for these cases.

Deterministic: one ``random.Random`` with a fixed seed, every date relative to ``today``.
Idempotent: the registration event of each year case carries ``MARKER``; when one exists,
nothing is added. References come after the counter of their year, which is moved past them,
so later registrations never collide.
"""

import itertools
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import (
    CaseEvent,
    ClosureReason,
    Complaint,
    ComplaintPart,
    EventKind,
    Judgment,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    Recommendation,
    RecommendationStatus,
    ReferenceCounter,
    Rung,
    SurveyResponse,
)
from complaints.services.register import REFERENCE_PREFIX

from . import demo_texts as texts
from .demo_cases import MARKER, OMBUDSMAN_CASES, Case, Step, Year
from .models import ActionStatus, ImprovementAction, Lesson


@contextmanager
def _given_timestamps(*fields) -> Iterator[None]:
    """Let bulk inserts keep the moments the demo gives to auto_now(_add) fields (a case
    received in March was created in March). Only for the duration of the inserts."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _fields(model, *names: str) -> list:
    return [model._meta.get_field(name) for name in names]


def ombudsman_phases(year: Year) -> list[tuple[Case, OmbudsmanCase, list, list]]:
    """Rung 3: an ombudsman took up some closed cases, weeks after our closure; most have
    their outcome by now."""
    ombudsmen = list(Ombudsman.objects.filter(is_active=True).order_by("-is_default", "name"))
    latest = year.today - timedelta(days=45)
    eligible = [
        case
        for case in year.cases
        if case.complaint.rung == Rung.HANDLER
        and case.complaint.closure_reason in (ClosureReason.JUDGED, ClosureReason.NOT_HANDLED)
        and timezone.localdate(case.complaint.closed_at) <= latest
    ]
    if not ombudsmen or not eligible:
        return []
    coordinator, rng = year.staff[Role.COORDINATOR], year.rng
    # In turn, so every outcome is there whatever the draw; most are settled without a report.
    outcomes = itertools.cycle(
        (
            OmbudsmanOutcome.INTERVENTION,
            OmbudsmanOutcome.REPORT,
            OmbudsmanOutcome.NOT_INVESTIGATED,
            OmbudsmanOutcome.INTERVENTION,
            OmbudsmanOutcome.MEDIATION,
        )
    )
    phases = []
    for case in rng.sample(eligible, min(OMBUDSMAN_CASES, len(eligible))):
        complaint = case.complaint
        closed = timezone.localdate(complaint.closed_at)
        taken = min(year.later(closed, (14, 40)), year.today - timedelta(days=3))
        ombudsman = ombudsmen[0] if rng.random() < 0.8 else rng.choice(ombudsmen)
        phase = OmbudsmanCase(
            ombudsman=ombudsman,
            reference=f"{taken.year}.{rng.randint(10_000, 99_999)}",
            taken_up_on=taken,
            recorded_by=coordinator,
        )
        complaint.rung = Rung.OMBUDSMAN  # the due dates stay those of rung 2
        steps = [
            Step(
                taken,
                EventKind.RUNG,
                "referred_to_ombudsman",
                from_rung=Rung.HANDLER,
                to_rung=Rung.OMBUDSMAN,
                note=f"{ombudsman.name} nam de klacht in behandeling.",
                data={"ombudsman": ombudsman.name, "taken_up_on": taken.isoformat()},
            )
        ]
        findings, recommendations = [], []
        outcome_on = year.later(taken, (20, 150))
        if outcome_on < year.today:
            outcome = next(outcomes)
            phase.outcome, phase.outcome_on = outcome, outcome_on
            phase.outcome_summary = texts.OMBUDSMAN_SUMMARY[outcome]
            steps.append(
                Step(
                    outcome_on,
                    EventKind.OMBUDSMAN,
                    "ombudsman_outcome",
                    note=phase.outcome_summary,
                    data={"outcome": outcome},
                )
            )
            if outcome == OmbudsmanOutcome.REPORT:
                # The norms we judged ourselves; a case not judged by us gets two of its own.
                norms = {n.pk: (n, j) for _t, j, _r, ns in case.parts for n in ns if j}
                if not norms:
                    norms = {
                        n.pk: (n, Judgment.UNFOUNDED)
                        for n in rng.sample(year.norms, min(2, len(year.norms)))
                    }
                for norm, judgment in list(norms.values())[:2]:
                    if rng.random() < 0.4:
                        judgment = rng.choice([j for j in Judgment.values if j != judgment])
                    findings.append(OmbudsmanFinding(norm=norm, judgment=judgment))
                due = outcome_on + timedelta(days=60)
                done = due < year.today
                recommendations.append(
                    Recommendation(
                        text=texts.RECOMMENDATION,
                        owner=coordinator,
                        due_on=due,
                        status=RecommendationStatus.DONE if done else RecommendationStatus.OPEN,
                        done_on=due - timedelta(days=5) if done else None,
                    )
                )
        first = len(case.steps)
        for number, step in enumerate(steps, start=first):
            step.at = year.moment(step.day, number)
        case.steps += steps
        complaint.updated_at = steps[-1].at
        phase.created_at = steps[0].at
        phases.append((case, phase, findings, recommendations))
    return phases


def improvement_actions(year: Year) -> list[tuple[ImprovementAction, list[Case]]]:
    """The improvement actions of the demo manager and board member, each answering some of
    the year's closed complaints about its theme."""
    owners = {"manager": year.staff.get(Role.MANAGER), "board": year.staff.get(Role.BOARD)}
    closed = [case for case in year.cases if case.complaint.closed_at and case.themes]
    actions, rng = [], year.rng
    for (
        role,
        code,
        title,
        description,
        theme,
        status,
        due_in,
        done_ago,
        effect,
    ) in texts.ACTIONS:
        department = year.departments.get(code) if code else None
        owner = owners[role]
        if owner is None or (code and department is None):
            continue
        due = year.today + timedelta(days=due_in)
        completed = year.today - timedelta(days=done_ago) if done_ago else None
        created = min((completed or year.today), due) - timedelta(days=rng.randint(40, 120))
        action = ImprovementAction(
            title=title,
            description=description,
            department=department,
            owner=owner,
            due_on=due,
            status=status,
            created_by=owner,
            created_at=year.moment(created, 0),
            updated_at=year.moment(completed or created, 1),
        )
        if status == ActionStatus.DONE:
            action.completed_on = completed
            action.effect = effect
            action.effect_note = texts.EFFECT_NOTES[effect]
            action.effect_checked_on = completed + timedelta(days=min(56, done_ago - 5))
            action.updated_at = year.moment(action.effect_checked_on, 1)
            if effect == "effective":
                action.feedback_sent_at = year.moment(completed + timedelta(days=7), 2)
        about = [
            case
            for case in closed
            if case.themes[0].name_nl == theme
            and (department is None or case.complaint.department_id == department.pk)
        ]
        before = [case for case in about if case.complaint.received_on <= created] or about
        actions.append((action, rng.sample(before, min(len(before), rng.randint(3, 9)))))
    return actions


def _allocate_references(cases: list[Case]) -> None:
    """KL-2026-00042, as ``complaints.services.register.reference_next`` gives them, in the
    order of the day each case's reference is of; each year's counter is moved past them."""
    cases.sort(key=lambda case: (case.anchor, case.complaint.created_at))
    last = {}
    for year, count in sorted(Counter(case.anchor.year for case in cases).items()):
        ReferenceCounter.objects.get_or_create(year=year)
        counter = ReferenceCounter.objects.select_for_update().get(year=year)
        last[year] = counter.last
        counter.last += count
        counter.save(update_fields=["last"])
    for case in cases:
        year = case.anchor.year
        last[year] += 1
        case.complaint.reference = f"{REFERENCE_PREFIX}-{year}-{last[year]:05d}"


def _actor(case: Case, step: Step, staff: dict[Role, User]) -> User | None:
    complaint = case.complaint
    if step.kind == EventKind.REGISTERED:
        return complaint.registered_by
    if step.kind in (EventKind.OMBUDSMAN, EventKind.RUNG) or complaint.rung == Rung.EMPLOYEE:
        return staff[Role.COORDINATOR] if step.name != "close_resolved" else complaint.registered_by
    return complaint.handler or staff[Role.COORDINATOR]


def _write(year: Year, phases: Sequence, actions: Sequence) -> None:
    """Every row in bulk: a fixed number of inserts, whatever the number of cases."""
    cases = year.cases
    stamped = (
        *_fields(Complaint, "created_at", "updated_at"),
        *_fields(CaseEvent, "at"),
        *_fields(SurveyResponse, "answered_at"),
        *_fields(Lesson, "recorded_at", "updated_at"),
        *_fields(OmbudsmanCase, "created_at"),
        *_fields(ImprovementAction, "created_at", "updated_at"),
    )
    with _given_timestamps(*stamped):
        Complaint.objects.bulk_create([case.complaint for case in cases], batch_size=500)
        themes = Complaint.themes.through
        themes.objects.bulk_create(
            [
                themes(complaint_id=case.complaint.pk, theme_id=theme.pk)
                for case in cases
                for theme in case.themes
            ]
        )
        parts, part_norms = [], []
        for case in cases:
            for number, (text, judgment, reasoning, norms) in enumerate(case.parts, start=1):
                part = ComplaintPart(
                    complaint=case.complaint,
                    number=number,
                    description=text,
                    judgment=judgment,
                    reasoning=reasoning,
                )
                parts.append(part)
                part_norms.append(norms)
        ComplaintPart.objects.bulk_create(parts, batch_size=500)
        through = ComplaintPart.norms.through
        through.objects.bulk_create(
            [
                through(complaintpart_id=part.pk, norm_id=norm.pk)
                for part, norms in zip(parts, part_norms, strict=True)
                for norm in norms
            ]
        )
        events = []
        for case in cases:
            for step in case.steps:
                events.append(
                    CaseEvent(
                        complaint=case.complaint,
                        at=step.at,
                        actor=_actor(case, step, year.staff),
                        kind=step.kind,
                        name=step.name,
                        note=step.note,
                        from_stage=step.from_stage,
                        to_stage=step.to_stage,
                        from_rung=step.from_rung,
                        to_rung=step.to_rung,
                        data=step.data,
                    )
                )
        CaseEvent.objects.bulk_create(events, batch_size=500)
        surveys = []
        for case in cases:
            if case.survey is not None:
                case.survey.complaint = case.complaint
                surveys.append(case.survey)
        SurveyResponse.objects.bulk_create(surveys)
        lessons = []
        for case in cases:
            if case.lesson is not None:
                case.lesson.complaint = case.complaint
                lessons.append(case)
        Lesson.objects.bulk_create([case.lesson for case in lessons])
        through = Lesson.norms.through
        through.objects.bulk_create(
            [
                through(lesson_id=case.lesson.pk, norm_id=norm.pk)
                for case in lessons
                for norm in dict.fromkeys(case.lesson_norms)
            ]
        )
        for case, phase, _findings, _recommendations in phases:
            phase.complaint = case.complaint
        OmbudsmanCase.objects.bulk_create([phase for _c, phase, _f, _r in phases])
        findings, recommendations = [], []
        for _case, phase, phase_findings, phase_recommendations in phases:
            for row in (*phase_findings, *phase_recommendations):
                row.ombudsman_case = phase
            findings += phase_findings
            recommendations += phase_recommendations
        OmbudsmanFinding.objects.bulk_create(findings)
        Recommendation.objects.bulk_create(recommendations)
        ImprovementAction.objects.bulk_create([action for action, _cases in actions])
        through = ImprovementAction.complaints.through
        through.objects.bulk_create(
            [
                through(improvementaction_id=action.pk, complaint_id=case.complaint.pk)
                for action, linked in actions
                for case in linked
            ]
        )


@transaction.atomic
def seed_year(departments: dict[str, Department], staff: dict[Role, User], *, today: date) -> int:
    """Add a year of demo cases up to ``today``; return how many (0 when they exist)."""
    if CaseEvent.objects.filter(kind=EventKind.REGISTERED, data__demo=MARKER["demo"]).exists():
        return 0
    year = Year(departments, staff, today)
    year.draw()
    phases = ombudsman_phases(year)
    actions = improvement_actions(year)
    _allocate_references(year.cases)
    _write(year, phases, actions)
    return len(year.cases)
