"""Ladder metrics (issue 6, point 4) against a seeded data set.

The cases are built as rows from a list of plain specs (rung, dates, parts, ombudsman phase);
the expected figures are derived from that same list in plain Python (``oracle`` below),
never with the ORM, and every figure of ``ladder_metrics`` is compared with them: for the whole
organisation and for one department, for a half year and for each quarter in it (each
quarter leaves out cases the other counts). Cases closed or logged outside the period, open
cases and undecided ombudsman cases are in the set and must not count.
"""

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import fmean, median
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import (
    Channel,
    ClosureReason,
    Judgment,
    Norm,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    Stage,
)
from reporting.ladder_metrics import LadderMetrics, ladder_metrics
from tests.factories import ComplaintFactory, ComplaintPartFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Europe/Amsterdam")  # settings.TIME_ZONE: "closed on" is a local date
WF, UF, NJ = Judgment.WELL_FOUNDED, Judgment.UNFOUNDED, Judgment.NO_JUDGMENT
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
Q2 = (date(2025, 4, 1), date(2025, 6, 30))
HALF_YEAR = (Q1[0], Q2[1])


# ---------------------------------------------------------------------------
# The data set as plain specs
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Phase:
    """An ombudsman phase: taken up, and perhaps decided with findings (norm, judgment)."""

    taken_up_on: date
    outcome: str = ""
    outcome_on: date | None = None
    findings: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Spec:
    department: str  # "a" or "b"
    rung: int
    received_on: date
    logged_on: date | None = None
    escalated_on: date | None = None
    closed: datetime | None = None  # aware; None: still open
    parts: tuple[tuple[str, tuple[int, ...]], ...] = ()  # (judgment, norm numbers)
    phase: Phase | None = None

    @property
    def closed_on(self) -> date | None:
        return None if self.closed is None else self.closed.astimezone(LOCAL).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL)


KINDS = ("r1_closed", "r1_open", "escalated_open", "escalated_closed", "r2_open", "r2_closed", "r3")
JUDGMENTS = (WF, UF, NJ, "")  # "": a part not judged (yet)
NORMS = (1, 2, 3, 4, 5, 6)  # a few, so the ombudsman's norms and ours overlap


def random_parts(rng: random.Random) -> tuple[tuple[str, tuple[int, ...]], ...]:
    return tuple(
        (rng.choice(JUDGMENTS), tuple(rng.sample(NORMS, rng.randint(0, 2))))
        for _ in range(rng.randint(0, 3))
    )


def random_spec(rng: random.Random, kind: str, department: str) -> Spec:
    """One case of ``kind``, with dates from December 2024 to the summer of 2025 (so some
    fall outside the half year), consistent as the services would leave them."""
    # Ombudsman cases start earlier: their outcome comes months after our closure.
    first, span = (date(2024, 11, 15), 150) if kind == "r3" else (date(2024, 12, 1), 230)
    day = first + timedelta(days=rng.randrange(span))
    closing = at(day, rng.choice((0, 9, 13, 17, 23)), rng.choice((0, 30, 59)))
    if kind in ("r1_closed", "r1_open"):
        closed = closing + timedelta(days=rng.randint(0, 6)) if kind == "r1_closed" else None
        return Spec(department, 1, received_on=day, logged_on=day, closed=closed)
    escalated = kind.startswith("escalated") or (kind == "r3" and rng.random() < 0.3)
    logged_on = day - timedelta(days=rng.randint(0, 12)) if escalated else None
    closed = None
    if kind != "r2_open" and kind != "escalated_open":
        closed = closing + timedelta(days=rng.randint(5, 70 if kind != "r3" else 40))
    phase = None
    if kind == "r3":
        taken_up = closed.date() + timedelta(days=rng.randint(5, 30))
        phase = Phase(taken_up)
        if rng.random() < 0.75:
            outcome = rng.choice(OmbudsmanOutcome.values)
            findings = ()
            if outcome == OmbudsmanOutcome.REPORT:
                norms = rng.sample(NORMS, rng.randint(1, 3))
                findings = tuple((norm, rng.choice((WF, UF, NJ))) for norm in norms)
            phase = Phase(taken_up, outcome, taken_up + timedelta(rng.randint(10, 90)), findings)
    return Spec(
        department,
        3 if phase else 2,
        received_on=day,
        logged_on=logged_on,
        escalated_on=day if escalated else None,
        closed=closed,
        parts=random_parts(rng) if closed else (),
        phase=phase,
    )


# Hand-made cases for the edges; the random ones give the volume.
EDGES = (
    # Closed late on the last day of Q1 and just after midnight on the first day of Q2 (in UTC
    # still 31 March): the local date decides.
    Spec("a", 2, date(2025, 2, 3), closed=at(date(2025, 3, 31), 23, 30), parts=((WF, (1,)),)),
    Spec(
        "a", 1, date(2025, 3, 31), logged_on=date(2025, 3, 31), closed=at(date(2025, 4, 1), 0, 30)
    ),
    # Just outside the half year on both sides.
    Spec(
        "a", 1, date(2024, 12, 31), logged_on=date(2024, 12, 31), closed=at(date(2024, 12, 31), 23)
    ),
    Spec("b", 2, date(2025, 6, 1), closed=at(date(2025, 7, 1), 0, 0)),
    # Logged in Q1, escalated in Q2, closed in Q2: in the Q1 cohort, on rung 1 until Q2.
    Spec(
        "a", 2, date(2025, 4, 3), logged_on=date(2025, 3, 20), escalated_on=date(2025, 4, 3),
        closed=at(date(2025, 5, 2), 10),
    ),
    # Closed at rung 2 in Q1, taken up by the ombudsman in Q2 (rung field not raised, phase
    # undecided): counts at rung 3 once it has a phase.
    Spec(
        "b", 2, date(2025, 1, 6), closed=at(date(2025, 2, 14), 11), parts=((UF, (2,)),),
        phase=Phase(date(2025, 4, 10)),
    ),
    # Parts that disagree on norm 3 (well-founded wins), a not-judged part on norm 5 (left
    # out), a finding on norm 7 that no part names.
    Spec(
        "b", 3, date(2025, 1, 13), closed=at(date(2025, 2, 20), 15),
        parts=((UF, (3,)), (WF, (3, 4)), (NJ, (3, 4)), ("", (5,)), (NJ, (6,))),
        phase=Phase(
            date(2025, 3, 3), OmbudsmanOutcome.REPORT, date(2025, 5, 26),
            ((3, WF), (4, UF), (5, WF), (6, NJ), (7, UF)),
        ),
    ),
    # One of each other outcome, and a report in department a.
    Spec(
        "a", 3, date(2025, 1, 2), closed=at(date(2025, 1, 20), 14), parts=((WF, (2,)), (UF, (1,))),
        phase=Phase(
            date(2025, 2, 3), OmbudsmanOutcome.REPORT, date(2025, 3, 14), ((1, UF), (2, UF))
        ),
    ),
    Spec(
        "a", 3, date(2024, 12, 2), logged_on=date(2024, 11, 28), escalated_on=date(2024, 12, 2),
        closed=at(date(2025, 1, 10), 10),
        phase=Phase(date(2025, 1, 20), OmbudsmanOutcome.MEDIATION, date(2025, 4, 15)),
    ),
    Spec(
        "b", 3, date(2025, 2, 10), closed=at(date(2025, 3, 10), 16),
        phase=Phase(date(2025, 3, 20), OmbudsmanOutcome.INTERVENTION, date(2025, 4, 2)),
    ),
    # Decided outside the half year.
    Spec(
        "a", 3, date(2025, 1, 20), closed=at(date(2025, 3, 1), 9),
        phase=Phase(date(2025, 4, 1), OmbudsmanOutcome.INTERVENTION, date(2025, 7, 4)),
    ),
)  # fmt: skip


def data_set(size: int = 56, seed: int = 6) -> list[Spec]:
    """Deliberately uneven: department a is mostly rung 1, department b mostly rung 2 and 3."""
    rng = random.Random(seed)
    weights = {"a": (8, 3, 2, 3, 1, 3, 1), "b": (1, 1, 1, 2, 2, 4, 6)}
    specs = []
    for n in range(size - len(EDGES)):
        department = "a" if n % 3 else "b"
        kind = rng.choices(KINDS, weights[department])[0]
        specs.append(random_spec(rng, kind, department))
    return [*specs, *EDGES][:size]


@pytest.fixture
def world(db):
    return {
        "departments": {"a": DepartmentFactory(code="a"), "b": DepartmentFactory(code="b")},
        "ombudsman": Ombudsman.objects.order_by("pk").first(),
        "recorder": UserFactory(coordinator=True),
        "norms": Norm.objects.in_bulk(field_name="number"),
    }


def build(specs: list[Spec], world: dict) -> None:
    for spec in specs:
        complaint = ComplaintFactory(
            department=world["departments"][spec.department],
            handler=None,
            rung=spec.rung,
            channel=Channel.COUNTER if spec.rung == 1 else Channel.LETTER,
            is_written=spec.rung != 1,
            received_on=spec.received_on,
            logged_on=spec.logged_on,
            escalated_on=spec.escalated_on,
            stage=Stage.CLOSED if spec.closed else Stage.INTAKE,
            closure_reason=(ClosureReason.RESOLVED if spec.rung == 1 else ClosureReason.JUDGED)
            if spec.closed
            else "",
            closed_at=spec.closed,
        )
        for number, (judgment, norms) in enumerate(spec.parts, start=1):
            part = ComplaintPartFactory(complaint=complaint, number=number, judgment=judgment)
            part.norms.set([world["norms"][norm] for norm in norms])
        if spec.phase:
            phase = OmbudsmanCase.objects.create(
                complaint=complaint,
                ombudsman=world["ombudsman"],
                taken_up_on=spec.phase.taken_up_on,
                outcome=spec.phase.outcome,
                outcome_on=spec.phase.outcome_on,
                recorded_by=world["recorder"],
            )
            for norm, judgment in spec.phase.findings:
                OmbudsmanFinding.objects.create(
                    ombudsman_case=phase, norm=world["norms"][norm], judgment=judgment
                )


# ---------------------------------------------------------------------------
# The oracle: the figures from the specs, in plain Python
# ---------------------------------------------------------------------------
def internal_judgment(spec: Spec, norm: int) -> str | None:
    judged = {judgment for judgment, norms in spec.parts if norm in norms and judgment}
    return next((judgment for judgment in (WF, UF, NJ) if judgment in judged), None)


def times(days: list[int]) -> tuple:
    has_median = connection.vendor == "postgresql"
    return (
        len(days),
        round(fmean(days), 6) if days else None,
        float(median(days)) if days and has_median else None,
    )


def oracle(specs: list[Spec], start: date, end: date, department: str | None = None) -> dict:
    def within(day: date | None) -> bool:
        return day is not None and start <= day <= end

    def ended(spec: Spec) -> int:
        return 3 if spec.phase or spec.rung == 3 else spec.rung

    mine = [spec for spec in specs if department in (None, spec.department)]
    closed = [spec for spec in mine if within(spec.closed_on)]
    above_1 = [spec for spec in closed if ended(spec) > 1]
    logged = [spec for spec in mine if within(spec.logged_on)]
    rung1_days = [
        (spec.escalated_on - spec.logged_on).days
        for spec in mine
        if spec.logged_on and within(spec.escalated_on)
    ] + [(spec.closed_on - spec.logged_on).days for spec in closed if ended(spec) == 1]
    rung2_days = [
        (spec.closed_on - (spec.escalated_on or spec.received_on)).days for spec in above_1
    ]
    decided = [
        spec for spec in mine if spec.phase and spec.phase.outcome and within(spec.phase.outcome_on)
    ]
    rung3_days = [(spec.phase.outcome_on - spec.phase.taken_up_on).days for spec in decided]
    cells = Counter(
        (internal_judgment(spec, norm), judgment)
        for spec in decided
        for norm, judgment in spec.phase.findings
    )
    compared = [(key, n) for key, n in cells.items() if key[0] is not None]
    return {
        "closed": len(closed),
        "ended": {rung: sum(ended(spec) == rung for spec in closed) for rung in (1, 2, 3)},
        "shares": {
            rung: sum(ended(spec) == rung for spec in closed) / len(closed) if closed else None
            for rung in (1, 2, 3)
        },
        "1->2": (sum(spec.escalated_on is not None for spec in logged), len(logged)),
        "2->3": (sum(spec.phase is not None for spec in above_1), len(above_1)),
        "time": {1: times(rung1_days), 2: times(rung2_days), 3: times(rung3_days)},
        "outcomes": {
            outcome: sum(spec.phase.outcome == outcome for spec in decided)
            for outcome in OmbudsmanOutcome.values
        },
        "decided": len(decided),
        "cells": dict(cells),
        "agreement": (
            sum(n for (ours, theirs), n in compared if ours == theirs),
            sum(n for _key, n in compared),
        ),
    }


def figures(metrics: LadderMetrics) -> dict:
    """The same shape as ``oracle``, read from what ``ladder_metrics`` returned."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 6)

    return {
        "closed": metrics.ended.closed,
        "ended": {row.rung: row.ratio.part for row in metrics.ended.rungs},
        "shares": {row.rung: row.ratio.share for row in metrics.ended.rungs},
        "1->2": (metrics.escalated_1_to_2.part, metrics.escalated_1_to_2.whole),
        "2->3": (metrics.escalated_2_to_3.part, metrics.escalated_2_to_3.whole),
        "time": {
            time.rung: (time.cases, rounded(time.average_days), time.median_days)
            for time in metrics.time_on_rungs
        },
        "outcomes": {value: count for value, _label, count in metrics.outcomes.by_outcome},
        "decided": metrics.outcomes.decided,
        "cells": metrics.findings.cells,
        "agreement": (metrics.findings.agreement.part, metrics.findings.agreement.whole),
    }


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------
PERIODS = {"half year": HALF_YEAR, "Q1": Q1, "Q2": Q2}


@pytest.mark.parametrize("department", [None, "a", "b"])
@pytest.mark.parametrize("period", PERIODS)
def test_every_ladder_figure_matches_the_figures_derived_from_the_specs(world, period, department):
    specs = data_set()
    build(specs, world)
    start, end = PERIODS[period]
    chosen = world["departments"][department] if department else None

    assert figures(ladder_metrics(start, end, chosen)) == oracle(specs, start, end, department)


def test_the_data_set_exercises_every_figure_and_leaves_cases_out(world):
    """The comparison above means something: the half year has every kind of case, and the
    set holds cases that a period or department must leave out."""
    specs = data_set()
    whole = oracle(specs, *HALF_YEAR)
    assert all(whole["ended"].values()) and whole["closed"] >= 25
    assert all(part for part, _whole in (whole["1->2"], whole["2->3"]))
    assert all(cases >= 2 for cases, _average, _median in whole["time"].values())
    assert sum(1 for count in whole["outcomes"].values() if count) >= 3
    assert any(ours is None for ours, _theirs in whole["cells"])
    assert 0 < whole["agreement"][0] < whole["agreement"][1]
    assert any(spec.closed is None for spec in specs)  # open cases
    assert any(spec.closed_on and not Q1[0] <= spec.closed_on <= Q2[1] for spec in specs)
    assert any(spec.phase and not spec.phase.outcome for spec in specs)  # undecided
    quarters = [oracle(specs, *Q1), oracle(specs, *Q2)]
    assert sum(quarter["closed"] for quarter in quarters) == whole["closed"]
    assert oracle(specs, *HALF_YEAR, "a")["ended"] != oracle(specs, *HALF_YEAR, "b")["ended"]


def test_the_local_date_of_closure_decides_the_period(world):
    # 00:30 on 1 April in Amsterdam is still 31 March in UTC.
    logged = date(2025, 3, 31)
    build([Spec("a", 1, logged, logged_on=logged, closed=at(date(2025, 4, 1), 0, 30))], world)

    assert ladder_metrics(*Q1).ended.closed == 0
    assert ladder_metrics(*Q2).ended.closed == 1
    assert ladder_metrics(*Q2).time_on_rungs[0].average_days == 1


def test_an_empty_period_gives_zeros_and_no_shares(world):
    build(data_set(), world)
    metrics = ladder_metrics(date(2030, 1, 1), date(2030, 12, 31))

    assert metrics.ended.closed == 0
    assert [row.ratio.share for row in metrics.ended.rungs] == [None, None, None]
    assert metrics.escalated_1_to_2.share is None and metrics.escalated_2_to_3.share is None
    assert [time.average_days for time in metrics.time_on_rungs] == [None, None, None]
    assert metrics.outcomes.decided == 0 and metrics.findings.cells == {}
    assert metrics.findings.agreement.share is None
    assert [total for _label, _counts, total in metrics.findings.rows] == [0, 0, 0, 0]


def test_ladder_metrics_costs_the_same_queries_for_5_and_for_50_cases(world):
    specs = data_set(size=50)
    build(specs[:5], world)
    with CaptureQueriesContext(connection) as few:
        ladder_metrics(*HALF_YEAR)
    build(specs[5:], world)
    with CaptureQueriesContext(connection) as many:
        metrics = ladder_metrics(*HALF_YEAR, world["departments"]["b"])

    assert metrics.outcomes.decided > 0  # every query had rows to read
    assert len(few) == len(many) == 4


@settings(
    max_examples=30,
    deadline=None,
    database=None,  # no example database written into the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    kinds=st.lists(st.tuples(st.sampled_from(KINDS), st.sampled_from("ab")), max_size=8),
    rng=st.randoms(use_true_random=False),
)
def test_any_data_set_gives_the_oracle_figures_and_shares_that_sum_to_one(world, kinds, rng):
    specs = [random_spec(rng, kind, department) for kind, department in kinds]
    with transaction.atomic():
        build(specs, world)
        metrics = ladder_metrics(*HALF_YEAR)
        assert figures(metrics) == oracle(specs, *HALF_YEAR)
        if metrics.ended.closed:
            assert sum(row.ratio.part for row in metrics.ended.rungs) == metrics.ended.closed
            assert sum(row.ratio.share for row in metrics.ended.rungs) == pytest.approx(1)
        transaction.set_rollback(True)
