"""The month rollups and the period figures read from them (issue 8, point 2).

The cases are built from plain specs; the expected figures are computed from the same specs
in plain Python (``expected`` below), never with the ORM or the rollup code, and compared with
``period_figures`` for the organisation and each department, for the whole year and for each
quarter. Then: the rollups follow changes through the signals (a reopen moves a case out of
its closed month), and reading them costs the same number of queries for 10 or 60 cases.
"""

import calendar
import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from zoneinfo import ZoneInfo

import pytest

from complaints.models import (
    ClosureReason,
    Judgment,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanOutcome,
    Stage,
    SurveyResponse,
    Theme,
)
from reporting.figures import open_now, period_figures
from reporting.models import ActionStatus, Cause, DirtyMonth, ImprovementAction, Lesson
from reporting.rollups import rollups_rebuild, rollups_refresh
from tests.factories import ComplaintFactory, ComplaintPartFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Europe/Amsterdam")
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
QUARTERS = [
    (date(2025, m, 1), date(2025, m + 2, calendar.monthrange(2025, m + 2)[1]))
    for m in (1, 4, 7, 10)
]
REASONS = ClosureReason.values
JUDGMENTS = Judgment.values


@dataclass(frozen=True)
class Spec:
    department: str
    rung: int
    received_on: date
    is_written: bool = True
    logged_on: date | None = None
    escalated_on: date | None = None
    closed: datetime | None = None
    reason: str = ""
    decision_due: date | None = None
    themes: tuple[int, ...] = ()  # indexes into the themes
    judgments: tuple[str, ...] = ()
    rating: int | None = None
    cause: int | None = None  # index into the causes
    ombudsman: tuple[date, str, date | None] | None = None  # taken up, outcome, outcome on

    @property
    def closed_on(self) -> date | None:
        return None if self.closed is None else self.closed.astimezone(LOCAL).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


def random_spec(rng: random.Random, department: str) -> Spec:
    received = date(2024, 12, 1) + timedelta(days=rng.randrange(400))
    rung = rng.choice((1, 1, 2, 2, 2, 3))
    logged = received if rung == 1 or rng.random() < 0.3 else None
    escalated = received + timedelta(days=rng.randint(0, 5)) if rung > 1 and logged else None
    closed = None
    if rng.random() < 0.8:
        closed = at(
            received + timedelta(days=rng.randint(0, 60)),
            rng.choice((0, 8, 12, 23)),
            rng.choice((0, 30)),
        )
    due = (
        received + timedelta(days=rng.choice((28, 42))) if rung > 1 and rng.random() < 0.8 else None
    )
    ombudsman = None
    if rung == 3 and closed:
        taken = closed.date() + timedelta(days=rng.randint(3, 30))
        decided = rng.random() < 0.7
        ombudsman = (
            taken,
            rng.choice(OmbudsmanOutcome.values) if decided else "",
            taken + timedelta(days=rng.randint(5, 60)) if decided else None,
        )
    return Spec(
        department,
        rung,
        received,
        is_written=rng.random() < 0.7,
        logged_on=logged,
        escalated_on=escalated,
        closed=closed,
        reason=rng.choice(REASONS) if closed else "",
        decision_due=due,
        themes=tuple(rng.sample(range(4), rng.randint(0, 2))),
        judgments=tuple(rng.choice(JUDGMENTS) for _ in range(rng.randint(0, 2))) if closed else (),
        rating=rng.choice((None, 1, 3, 4, 4, 5)) if closed else None,
        cause=rng.choice((None, 0, 1, 2)) if closed else None,
        ombudsman=ombudsman,
    )


EDGES = (
    # Closed half an hour after local midnight on 1 April (still 31 March in UTC): Q2.
    Spec("a", 2, date(2025, 3, 3), closed=at(date(2025, 4, 1), 0, 30), reason="judged",
         decision_due=date(2025, 4, 1), judgments=("well_founded",)),
    # Closed on its decision date late in the evening: within the term.
    Spec("b", 2, date(2025, 5, 5), closed=at(date(2025, 6, 16), 23, 45), reason="resolved",
         decision_due=date(2025, 6, 16), rating=5),
    # A day late.
    Spec("b", 2, date(2025, 5, 6), closed=at(date(2025, 6, 18), 9), reason="judged",
         decision_due=date(2025, 6, 17), cause=1),
    # Closed at rung 2 with the rung field not raised, then taken up by the ombudsman: rung 3.
    Spec("a", 2, date(2025, 7, 1), closed=at(date(2025, 8, 1), 10), reason="judged",
         ombudsman=(date(2025, 9, 1), "", None)),
)  # fmt: skip


def data_set(size: int, seed: int = 8) -> list[Spec]:
    rng = random.Random(seed)
    return [random_spec(rng, "a" if n % 3 else "b") for n in range(size)] + list(EDGES)


def build(specs: list[Spec]) -> dict:
    departments = {"a": DepartmentFactory(code="rollup-a"), "b": DepartmentFactory(code="rollup-b")}
    handlers = {k: UserFactory(handler=True, department=d) for k, d in departments.items()}
    themes = list(Theme.objects.order_by("pk")[:4])
    causes = list(Cause.objects.order_by("pk")[:3])
    ombudsman = Ombudsman.objects.first()
    for spec in specs:
        case = ComplaintFactory(
            stage=Stage.CLOSED if spec.closed else Stage.EXPLORE,
            department=departments[spec.department],
            handler=handlers[spec.department],
            rung=spec.rung,
            received_on=spec.received_on,
            is_written=spec.is_written,
            logged_on=spec.logged_on,
            escalated_on=spec.escalated_on,
            closed_at=spec.closed,
            closure_reason=spec.reason,
            decision_due=spec.decision_due,
            parts=0,
            letters=[],
        )
        case.themes.set([themes[i] for i in spec.themes])
        for number, judgment in enumerate(spec.judgments, start=1):
            ComplaintPartFactory(complaint=case, number=number, judgment=judgment)
        if spec.rating:
            SurveyResponse.objects.create(complaint=case, rating=spec.rating)
        if spec.cause is not None:
            Lesson.objects.create(
                complaint=case, cause=causes[spec.cause], text="Les.", recorded_by=handlers["a"]
            )
        if spec.ombudsman:
            taken, outcome, outcome_on = spec.ombudsman
            OmbudsmanCase.objects.create(
                complaint=case,
                ombudsman=ombudsman,
                taken_up_on=taken,
                outcome=outcome,
                outcome_on=outcome_on,
                recorded_by=handlers["a"],
            )
    rollups_rebuild(since=date(2024, 12, 1))
    return {"departments": departments, "themes": themes, "causes": causes}


def within(day: date | None, period: tuple[date, date]) -> bool:
    return day is not None and period[0] <= day <= period[1]


def expected(specs: list[Spec], period: tuple[date, date], department: str | None) -> dict:
    """The figures, from the specs alone."""
    mine = [s for s in specs if department in (None, s.department)]
    received = [s for s in mine if within(s.received_on, period)]
    closed = [s for s in mine if within(s.closed_on, period)]
    logged = [s for s in mine if within(s.logged_on, period)]

    def ended(s: Spec) -> int:
        return 3 if s.rung == 3 or s.ombudsman else s.rung

    with_term = [s for s in closed if s.decision_due]
    lead = [(s.closed_on - s.received_on).days for s in closed]
    return {
        "received": len(received),
        "received_written": sum(s.is_written for s in received),
        "closed": len(closed),
        "ended": [sum(ended(s) == rung for s in closed) for rung in (1, 2, 3)],
        "with_term": len(with_term),
        "in_term": sum(s.closed_on <= s.decision_due for s in with_term),
        "median_lead": float(median(lead)) if lead else None,
        "reasons": Counter(s.reason for s in closed),
        "judgments": Counter(j for s in closed for j in s.judgments),
        "ratings": Counter(s.rating for s in closed if s.rating),
        "causes": Counter(s.cause for s in closed if s.cause is not None),
        "themes": Counter(t for s in received for t in s.themes),
        "logged": len(logged),
        "logged_escalated": sum(s.escalated_on is not None for s in logged),
        "escalated": sum(within(s.escalated_on, period) for s in mine),
        "taken_up": sum(within(s.ombudsman and s.ombudsman[0], period) for s in mine),
        "outcomes": Counter(
            s.ombudsman[1] for s in mine if s.ombudsman and within(s.ombudsman[2], period)
        ),
    }


@pytest.fixture
def seeded():
    specs = data_set(60)
    return specs, build(specs)


PERIODS = [YEAR, *QUARTERS]


def test_period_figures_match_figures_computed_from_the_specs(seeded):
    """For the year and each quarter, for the organisation and each department (the data set
    is built once: building it is the slow part)."""
    specs, built = seeded
    for period in PERIODS:
        for department in (None, "a", "b"):
            check_figures(specs, built, period, department)


def check_figures(specs, built, period, department) -> None:
    want = expected(specs, period, department)
    dept_id = built["departments"][department].pk if department else None
    got = period_figures(start=period[0], end=period[1], department_id=dept_id)

    assert got.received == want["received"]
    assert got.received_written == want["received_written"]
    assert got.closed == want["closed"]
    assert [row.count for row in got.ended_at] == want["ended"]
    assert got.stay_low.part == want["ended"][0] and got.stay_low.whole == want["closed"]
    assert (got.in_term_share.part, got.in_term_share.whole) == (want["in_term"], want["with_term"])
    assert got.median_lead_days == want["median_lead"]
    assert {r.value: r.count for r in got.closure_reasons} == {
        reason: want["reasons"].get(reason, 0) for reason in REASONS
    }
    assert {r.value: r.count for r in got.judgments} == {
        j: want["judgments"].get(j, 0) for j in JUDGMENTS
    }
    assert {int(r.value): r.count for r in got.ratings} == {
        n: want["ratings"].get(n, 0) for n in range(1, 6)
    }
    ratings = want["ratings"]
    answers = sum(ratings.values())
    assert got.survey_answers == answers
    if answers:
        average = sum(n * c for n, c in ratings.items()) / answers
        assert got.average_rating == pytest.approx(average)
    causes = built["causes"]
    assert {r.value: r.count for r in got.causes if r.count} == {
        causes[i].code: n for i, n in want["causes"].items()
    }
    themes = built["themes"]
    top = {t.theme: t.count for t in got.themes}
    assert top == {themes[i].name: n for i, n in want["themes"].items()}
    for trend in got.themes:
        assert sum(trend.by_month) == trend.count
    assert (got.escalation_1_2.part, got.escalation_1_2.whole) == (
        want["logged_escalated"],
        want["logged"],
    )
    assert got.escalated == want["escalated"]
    assert got.escalation_2_3.part == want["ended"][2]
    assert got.escalation_2_3.whole == want["ended"][1] + want["ended"][2]
    assert got.ombudsman_taken_up == want["taken_up"]
    assert {r.value: r.count for r in got.ombudsman_outcomes} == {
        o: want["outcomes"].get(o, 0) for o in OmbudsmanOutcome.values
    }
    assert sum(m.received for m in got.months) == want["received"]


def test_quarters_add_up_to_the_year(seeded):
    year = period_figures(start=YEAR[0], end=YEAR[1])
    quarters = [period_figures(start=q[0], end=q[1]) for q in QUARTERS]
    for name in ("received", "closed", "escalated", "in_term", "with_term"):
        assert sum(getattr(q, name) for q in quarters) == getattr(year, name)


def test_open_now_counts_the_open_cases_by_stage_and_rung_and_the_overdue_ones(seeded):
    specs, built = seeded
    today = date(2026, 1, 15)
    for department in (None, "a", "b"):
        dept_id = built["departments"][department].pk if department else None
        now = open_now(today=today, department_id=dept_id)
        still_open = [s for s in specs if not s.closed and department in (None, s.department)]
        assert now.total == len(still_open)
        assert now.rung_totals == [sum(s.rung == r for s in still_open) for r in (1, 2, 3)]
        assert now.overdue == sum(
            bool(s.decision_due and s.decision_due < today) for s in still_open
        )


def test_open_now_counts_open_and_overdue_improvement_actions(seeded):
    _specs, built = seeded
    owner = UserFactory(manager=True)
    today = date(2026, 1, 15)
    department = built["departments"]["a"]
    for due, status in (
        (today - timedelta(days=1), ActionStatus.PLANNED),  # open, overdue
        (today, ActionStatus.IN_PROGRESS),  # open, due today: not overdue
        (today - timedelta(days=9), ActionStatus.DONE),  # done: neither
        (today - timedelta(days=9), ActionStatus.CANCELLED),
    ):
        ImprovementAction.objects.create(
            title="Maatregel", owner=owner, created_by=owner, due_on=due, status=status,
            department=department,
        )  # fmt: skip
    now = open_now(today=today, department_id=department.pk)
    assert (now.actions_open, now.actions_overdue) == (2, 1)
    other = open_now(today=today, department_id=built["departments"]["b"].pk)
    assert (other.actions_open, other.actions_overdue) == (0, 0)


def test_reading_the_figures_costs_the_same_for_few_and_many_cases(
    django_assert_num_queries,
):
    build(data_set(6, seed=1))
    with django_assert_num_queries(3):
        period_figures(start=YEAR[0], end=YEAR[1])
    with django_assert_num_queries(3):
        open_now(today=date(2026, 1, 1))
    build_more = data_set(60, seed=2)
    build(build_more)
    with django_assert_num_queries(3):
        period_figures(start=YEAR[0], end=YEAR[1])
    with django_assert_num_queries(3):
        open_now(today=date(2026, 1, 1))


def test_a_change_marks_its_months_and_the_refresh_follows_it(
    django_capture_on_commit_callbacks,
):
    department = DepartmentFactory(code="rollup-live")
    with django_capture_on_commit_callbacks(execute=True):
        case = ComplaintFactory(
            closed=True,
            department=department,
            received_on=date(2025, 2, 3),
            closed_at=at(date(2025, 3, 10), 12),
            parts=0,
            letters=[],
        )
    # The commit queued the refresh; Celery runs tasks in-process here.
    assert not DirtyMonth.objects.exists()
    march = period_figures(
        start=date(2025, 3, 1), end=date(2025, 3, 31), department_id=department.pk
    )
    assert march.closed == 1
    february = period_figures(
        start=date(2025, 2, 1), end=date(2025, 2, 28), department_id=department.pk
    )
    assert february.received == 1

    # Reopened: it leaves March's closed figures (the month it was counted in before).
    with django_capture_on_commit_callbacks(execute=True):
        case.refresh_from_db()
        Case = type(case)
        Case.objects.filter(pk=case.pk).update(stage=Stage.EXPLORE)
        case.refresh_from_db()
        case.closed_at = None
        case.closure_reason = ""
        case.save()
    march = period_figures(
        start=date(2025, 3, 1), end=date(2025, 3, 31), department_id=department.pk
    )
    assert march.closed == 0


def test_a_survey_answer_and_a_lesson_count_in_the_month_the_case_was_closed(
    django_capture_on_commit_callbacks,
):
    department = DepartmentFactory(code="rollup-survey")
    case = ComplaintFactory(
        closed=True,
        department=department,
        received_on=date(2025, 5, 1),
        closed_at=at(date(2025, 5, 20), 9),
        parts=0,
        letters=[],
    )
    rollups_refresh()
    with django_capture_on_commit_callbacks(execute=True):
        SurveyResponse.objects.create(complaint=case, rating=2)
        Lesson.objects.create(
            complaint=case, cause=Cause.objects.get(code="process"), text="Les.",
            recorded_by=case.handler,
        )  # fmt: skip
    may = period_figures(start=date(2025, 5, 1), end=date(2025, 5, 31), department_id=department.pk)
    assert may.survey_answers == 1 and may.average_rating == 2
    assert [r.count for r in may.causes if r.value == "process"] == [1]


def test_a_second_refresh_changes_nothing_and_a_rebuild_gives_the_same_rows(seeded):
    from reporting.models import MonthFigures

    def rows():
        return sorted(
            MonthFigures.objects.values_list(
                "department_id", "month", "received", "closed", "in_term", "lead_days", "themes"
            )
        )

    before = rows()
    assert rollups_refresh() == 0
    rollups_rebuild(since=date(2024, 12, 1))
    assert rows() == before


def test_the_changes_of_a_few_seconds_queue_one_refresh(
    monkeypatch, django_capture_on_commit_callbacks
):
    """Every change marks its months; the first one after a quiet spell queues a refresh to
    run when the next few seconds are over, the others within them queue nothing more."""
    from django.core.cache import cache

    from reporting import rollups, tasks

    monkeypatch.setitem(tasks.rollups_refresh_task.app.conf, "task_always_eager", False)
    cache.delete(rollups.REFRESH_QUEUED_KEY)
    queued = []
    monkeypatch.setattr(
        tasks.rollups_refresh_task, "apply_async", lambda **options: queued.append(options)
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            ComplaintFactory()
    assert queued == [{"countdown": rollups.REFRESH_DELAY}]
    assert DirtyMonth.objects.exists()  # what the queued refresh will find
    cache.delete(rollups.REFRESH_QUEUED_KEY)  # the seconds are over
    with django_capture_on_commit_callbacks(execute=True):
        ComplaintFactory()
    assert len(queued) == 2


def test_the_kept_figures_of_now_are_counted_again_after_a_change_of_a_case_or_an_action(
    django_assert_num_queries,
):
    """open_now_kept: three queries when something changed, none while nothing did."""
    from reporting.figures import open_now_kept

    built = build(data_set(6, seed=1))
    department = built["departments"]["a"]
    owner = UserFactory(manager=True, department=department)
    today = date(2026, 1, 15)
    first = open_now_kept(today=today, department_id=department.pk)
    with django_assert_num_queries(0):
        assert open_now_kept(today=today, department_id=department.pk) == first
    ImprovementAction.objects.create(
        title="Maatregel", owner=owner, created_by=owner, due_on=today - timedelta(days=1),
        status=ActionStatus.PLANNED, department=department,
    )  # fmt: skip
    with django_assert_num_queries(3):
        counted = open_now_kept(today=today, department_id=department.pk)
    assert (counted.actions_open, counted.actions_overdue) == (1, 1)
    ComplaintFactory(department=department)  # a new open case
    later = open_now_kept(today=today, department_id=department.pk)
    assert later.total == counted.total + 1
