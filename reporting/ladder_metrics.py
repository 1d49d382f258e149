"""Ladder metrics for the dashboards (DOMAIN.md section 2): where cases ended, how often
they climbed a rung, how long they stayed on each rung, and what the ombudsman found next to
what we found ourselves.

Every function reads one period (``start`` to ``end``, both days included) and, optionally,
one handling department (``Complaint.department``: a ``Department`` or its id). The figures
are computed in the database, with conditional aggregates, in a fixed number of queries
(``ladder_metrics`` makes four) whatever the number of cases.

Each figure is anchored on the day that settles it, so that a period's figures do not
depend on cases that are still under way:

- where cases ended, the 2→3 rate and the time on rung 2: the day the case was closed
  (the local date of ``closed_at``);
- the 1→2 rate: the day the case was logged at rung 1 (a cohort);
- the time on rung 1: the day the case left rung 1 (escalated, or closed at rung 1);
- the ombudsman's outcomes and the time on rung 3: the day of the ombudsman's outcome.

Days are calendar days (a case closed on the day it was logged spent 0 days). Medians use
PostgreSQL's ``percentile_cont``; on other databases (SQLite for the laptop demo) the median
is ``None`` and only the average is given.

Index use: "closed in the period" is a range on ``closed_at`` (index complaint_closed_rung);
"logged or escalated in the period" has no index of its own (see ``_rung1_figures``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import gettext_lazy as _

from accounts.models import Department
from complaints.models import (
    Complaint,
    ComplaintPart,
    Judgment,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    Rung,
)

from .aggregates import DaysBetween, Median, day_bounds, has_median

__all__ = [
    "EndedAt",
    "FindingsTable",
    "LadderMetrics",
    "OmbudsmanOutcomes",
    "Ratio",
    "RungCount",
    "TimeOnRung",
    "ended_at_rung",
    "escalation_rates",
    "ladder_metrics",
    "ombudsman_against_internal",
    "time_on_rungs",
]


# ---------------------------------------------------------------------------
# What the functions return: small, comparable, easy to show in a template
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Ratio:
    """``part`` of ``whole``; ``share`` is ``None`` when there is nothing to divide."""

    part: int
    whole: int

    @property
    def share(self) -> float | None:
        return self.part / self.whole if self.whole else None

    @property
    def percent(self) -> int | None:
        """Whole percent, for a table cell."""
        return None if self.share is None else round(self.share * 100)


@dataclass(frozen=True)
class RungCount:
    rung: int
    label: str
    ratio: Ratio


@dataclass(frozen=True)
class EndedAt:
    """Of the cases closed in the period, how many ended at each rung."""

    closed: int
    rungs: tuple[RungCount, ...]  # rung 1, 2, 3

    def count(self, rung: int) -> int:
        return self.rungs[rung - 1].ratio.part

    def share(self, rung: int) -> float | None:
        return self.rungs[rung - 1].ratio.share


@dataclass(frozen=True)
class TimeOnRung:
    """Calendar days on one rung of the cases that left it in the period."""

    rung: int
    label: str
    cases: int
    average_days: float | None
    median_days: float | None  # None on databases without percentile_cont


@dataclass(frozen=True)
class OmbudsmanOutcomes:
    """The ombudsman cases decided in the period, counted by outcome."""

    decided: int
    by_outcome: tuple[tuple[str, str, int], ...]  # (value, label, count) per outcome

    def count(self, outcome: str) -> int:
        return next(n for value, _label, n in self.by_outcome if value == outcome)


@dataclass(frozen=True)
class FindingsTable:
    """The ombudsman's judgment per norm (columns) against our own (rows).

    ``cells[(internal, ombudsman)]`` counts findings; ``internal`` is ``None`` when no judged
    complaint part of the case named that norm. ``agreement`` is the share of the findings
    with an internal judgment where both judgments are the same.
    """

    cells: dict[tuple[str | None, str], int] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        return sum(self.cells.values())

    @property
    def agreement(self) -> Ratio:
        compared = {key: n for key, n in self.cells.items() if key[0] is not None}
        same = sum(n for (internal, external), n in compared.items() if internal == external)
        return Ratio(same, sum(compared.values()))

    @property
    def columns(self) -> list[tuple[str, str]]:
        return list(Judgment.choices)

    @property
    def rows(self) -> list[tuple[str, list[int], int]]:
        """(label of our judgment, counts per ombudsman judgment, row total), for a table."""
        rows = []
        for internal, label in [*Judgment.choices, (None, _("Not judged internally"))]:
            counts = [self.cells.get((internal, external), 0) for external in Judgment.values]
            rows.append((label, counts, sum(counts)))
        return rows


@dataclass(frozen=True)
class LadderMetrics:
    """All ladder figures of one period (and department): what a dashboard shows."""

    start: date
    end: date
    department_id: int | None
    ended: EndedAt
    escalated_1_to_2: Ratio
    escalated_2_to_3: Ratio
    time_on_rungs: tuple[TimeOnRung, ...]  # rung 1, 2, 3
    outcomes: OmbudsmanOutcomes
    findings: FindingsTable


# ---------------------------------------------------------------------------
# Database building blocks
# ---------------------------------------------------------------------------
def _time_aggregates(
    queryset: QuerySet, prefix: str, days, condition: Q | None = None
) -> dict[str, Aggregate]:
    aggregates = {
        f"{prefix}_cases": Count("pk", filter=condition),
        f"{prefix}_average": Avg(days, filter=condition, output_field=FloatField()),
    }
    if has_median(queryset.db):
        aggregates[f"{prefix}_median"] = Median(days, filter=condition)
    return aggregates


def _time_on_rung(rung: int, row: dict, prefix: str) -> TimeOnRung:
    average = row[f"{prefix}_average"]
    median = row.get(f"{prefix}_median")
    return TimeOnRung(
        rung=rung,
        label=Rung(rung).label,
        cases=row[f"{prefix}_cases"],
        average_days=None if average is None else float(average),
        median_days=None if median is None else float(median),
    )


def _closed_in(start: date, end: date, prefix: str = "") -> Q:
    since, until = day_bounds(start, end)
    return Q(**{f"{prefix}closed_at__gte": since, f"{prefix}closed_at__lt": until})


def _department_id(department: Department | int | None) -> int | None:
    return getattr(department, "pk", department)


def _complaints(department: Department | int | None) -> QuerySet:
    department_id = _department_id(department)
    cases = Complaint.objects.order_by()
    return cases if department_id is None else cases.filter(department_id=department_id)


def _ombudsman_cases(department: Department | int | None) -> QuerySet:
    department_id = _department_id(department)
    cases = OmbudsmanCase.objects.order_by()
    if department_id is None:
        return cases
    return cases.filter(complaint__department_id=department_id)


# Where a case ended. A case that has an ombudsman phase counts at rung 3, also when that
# phase began after the period in which we closed it: "ended" means the highest rung the
# case has reached by the time the figures are read. So a period's rung-3 share can still
# grow later (the ombudsman takes cases up months after our closure); the alternative,
# counting it at 2 for ever, would hide every case the ombudsman took up.
AT_OMBUDSMAN = Q(ombudsman_case__isnull=False)
ENDED_AT = {
    Rung.EMPLOYEE: Q(rung=Rung.EMPLOYEE) & ~AT_OMBUDSMAN,
    Rung.HANDLER: Q(rung=Rung.HANDLER) & ~AT_OMBUDSMAN,
    Rung.OMBUDSMAN: Q(rung=Rung.OMBUDSMAN) | AT_OMBUDSMAN,
}
ENDED_ABOVE_RUNG_1 = ENDED_AT[Rung.HANDLER] | ENDED_AT[Rung.OMBUDSMAN]
CLOSED_ON = TruncDate("closed_at")  # the local date (settings.TIME_ZONE)


# ---------------------------------------------------------------------------
# The queries: one per population
# ---------------------------------------------------------------------------
def _closed_figures(start: date, end: date, department) -> dict:
    """One query over the cases closed in the period: where they ended, the 2→3 rate and
    the time on rung 2 (from the escalation, or the receipt of the formal complaint, to the
    closure)."""
    cases = _complaints(department).filter(_closed_in(start, end))
    rung2_days = DaysBetween(Coalesce("escalated_on", "received_on"), CLOSED_ON)
    return cases.aggregate(
        closed=Count("pk"),
        **{f"ended_{rung}": Count("pk", filter=condition) for rung, condition in ENDED_AT.items()},
        above_1=Count("pk", filter=ENDED_ABOVE_RUNG_1),
        at_ombudsman=Count("pk", filter=AT_OMBUDSMAN),
        **_time_aggregates(cases, "rung2", rung2_days, ENDED_ABOVE_RUNG_1),
    )


def _rung1_figures(start: date, end: date, department) -> dict:
    """One query over the cases logged at rung 1 that were logged, escalated or closed at
    rung 1 in the period: the 1→2 rate of the cases logged in the period, and the time on
    rung 1 of the cases that left it in the period (escalated, or closed at rung 1).

    An index on ``logged_on`` (and one on ``escalated_on``) would let this query skip the
    cases that never were at rung 1; without them it reads every case of the department.
    """
    logged = Q(logged_on__range=(start, end))
    escalated = Q(escalated_on__range=(start, end))
    closed_at_1 = _closed_in(start, end) & ENDED_AT[Rung.EMPLOYEE] & Q(escalated_on__isnull=True)
    cases = (
        _complaints(department)
        .filter(logged_on__isnull=False)
        .filter(logged | escalated | closed_at_1)
    )
    rung1_days = Case(
        When(escalated_on__isnull=False, then=DaysBetween("logged_on", "escalated_on")),
        default=DaysBetween("logged_on", CLOSED_ON),
        output_field=IntegerField(),
    )
    return cases.aggregate(
        logged=Count("pk", filter=logged),
        logged_escalated=Count("pk", filter=logged & Q(escalated_on__isnull=False)),
        **_time_aggregates(cases, "rung1", rung1_days, escalated | closed_at_1),
    )


def _outcome_figures(start: date, end: date, department) -> dict:
    """One query over the ombudsman cases decided in the period: outcomes and the time on
    rung 3 (from taking up to the outcome)."""
    cases = _ombudsman_cases(department).filter(outcome_on__range=(start, end)).exclude(outcome="")
    return cases.aggregate(
        decided=Count("pk"),
        **{
            f"outcome_{outcome}": Count("pk", filter=Q(outcome=outcome))
            for outcome in OmbudsmanOutcome.values
        },
        **_time_aggregates(cases, "rung3", DaysBetween("taken_up_on", "outcome_on")),
    )


# The internal judgment of a norm: that of the complaint part(s) naming it; when parts
# disagree, well-founded beats unfounded beats no judgment. Parts not judged yet are left out.
JUDGMENT_WEIGHT = Case(
    When(judgment=Judgment.WELL_FOUNDED, then=Value(0)),
    When(judgment=Judgment.UNFOUNDED, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def _findings_table(start: date, end: date, department) -> FindingsTable:
    """One query: the findings of the ombudsman cases decided in the period, grouped by
    the ombudsman's judgment and ours."""
    internal = (
        ComplaintPart.objects.filter(
            complaint_id=OuterRef("ombudsman_case__complaint_id"), norms=OuterRef("norm_id")
        )
        .exclude(judgment="")
        .order_by(JUDGMENT_WEIGHT)
        .values("judgment")[:1]
    )
    decided = (
        _ombudsman_cases(department).filter(outcome_on__range=(start, end)).exclude(outcome="")
    )
    rows = (
        OmbudsmanFinding.objects.filter(ombudsman_case__in=decided.values("pk"))
        .annotate(internal=Subquery(internal))
        .values("internal", "judgment")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return FindingsTable(cells={(row["internal"], row["judgment"]): row["n"] for row in rows})


# ---------------------------------------------------------------------------
# Reading the figures
# ---------------------------------------------------------------------------
def _ended(row: dict) -> EndedAt:
    return EndedAt(
        closed=row["closed"],
        rungs=tuple(
            RungCount(rung.value, rung.label, Ratio(row[f"ended_{rung.value}"], row["closed"]))
            for rung in Rung
        ),
    )


def _outcomes(row: dict) -> OmbudsmanOutcomes:
    return OmbudsmanOutcomes(
        decided=row["decided"],
        by_outcome=tuple(
            (value, label, row[f"outcome_{value}"]) for value, label in OmbudsmanOutcome.choices
        ),
    )


def ended_at_rung(start: date, end: date, department: Department | int | None = None) -> EndedAt:
    """Of the cases closed in the period, how many (and what share) ended at rung 1, 2, 3.

    A case ended at rung 3 when it has an ombudsman phase (or stands at rung 3), even when
    the ombudsman took it up after the period: a rung-2 case closed in March that the
    ombudsman takes up in June counts at rung 2 in a report made in April and at rung 3 in
    one made in July. The highest rung reached is what "ended" means; the ombudsman's
    work on a case comes after our closure and should not be hidden by it.
    """
    return _ended(_closed_figures(start, end, department))


def escalation_rates(
    start: date, end: date, department: Department | int | None = None
) -> tuple[Ratio, Ratio]:
    """(1→2, 2→3). 1→2: of the cases logged at rung 1 in the period, those escalated to
    rung 2 (at any time: a young cohort can still rise). 2→3: of the cases closed in the
    period that ended at rung 2 or 3, those with an ombudsman phase."""
    closed = _closed_figures(start, end, department)
    rung1 = _rung1_figures(start, end, department)
    return (
        Ratio(rung1["logged_escalated"], rung1["logged"]),
        Ratio(closed["at_ombudsman"], closed["above_1"]),
    )


def time_on_rungs(
    start: date, end: date, department: Department | int | None = None
) -> tuple[TimeOnRung, ...]:
    """Average (and, on PostgreSQL, median) calendar days on each rung, of the cases that
    left that rung in the period. Rung 1: logged → escalated, or → closed for a case that
    ended at rung 1. Rung 2: escalated (or received as a formal complaint) → closed, for
    cases that ended at rung 2 or 3. Rung 3: taken up → outcome, for decided ombudsman
    cases."""
    rung1 = _rung1_figures(start, end, department)
    closed = _closed_figures(start, end, department)
    outcome = _outcome_figures(start, end, department)
    return (
        _time_on_rung(Rung.EMPLOYEE, rung1, "rung1"),
        _time_on_rung(Rung.HANDLER, closed, "rung2"),
        _time_on_rung(Rung.OMBUDSMAN, outcome, "rung3"),
    )


def ombudsman_against_internal(
    start: date, end: date, department: Department | int | None = None
) -> tuple[OmbudsmanOutcomes, FindingsTable]:
    """The ombudsman cases decided in the period by outcome, and their findings per norm
    against the internal judgment of the complaint parts naming that norm."""
    return (
        _outcomes(_outcome_figures(start, end, department)),
        _findings_table(start, end, department),
    )


def ladder_metrics(
    start: date, end: date, department: Department | int | None = None
) -> LadderMetrics:
    """Everything a ladder dashboard shows for one period, in four queries."""
    closed = _closed_figures(start, end, department)
    rung1 = _rung1_figures(start, end, department)
    outcome = _outcome_figures(start, end, department)
    return LadderMetrics(
        start=start,
        end=end,
        department_id=_department_id(department),
        ended=_ended(closed),
        escalated_1_to_2=Ratio(rung1["logged_escalated"], rung1["logged"]),
        escalated_2_to_3=Ratio(closed["at_ombudsman"], closed["above_1"]),
        time_on_rungs=(
            _time_on_rung(Rung.EMPLOYEE, rung1, "rung1"),
            _time_on_rung(Rung.HANDLER, closed, "rung2"),
            _time_on_rung(Rung.OMBUDSMAN, outcome, "rung3"),
        ),
        outcomes=_outcomes(outcome),
        findings=_findings_table(start, end, department),
    )
