"""The figures of a period, read from the month rollups (reporting.rollups), for the
dashboards, the learning reports and the annual report.

``period_figures`` reads one row per department and month of the period (one query), plus the
names of the themes and causes that occur (two small queries); ``open_now`` counts the open
cases live, on the partial indexes of the open cases (two queries), and the open improvement
actions (one query). Nothing here reads closed cases: the cost does not grow with history.

What each figure counts, and on which day it is anchored, is in reporting/rollups.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TypeVar

from django.db.models import Count, Q

from complaints.models import (
    ClosureReason,
    Complaint,
    Judgment,
    OmbudsmanOutcome,
    Rating,
    Rung,
    Stage,
    Theme,
)
from complaints.models.choices import OPEN_STAGES
from config.cache import current_version, version_renew, version_renew_after_commit

from .kept import kept
from .ladder_metrics import Ratio
from .models import Cause, ImprovementAction, MonthFigures
from .models.learning import OPEN_ACTION_STATUSES
from .rollups import month_of, months_between

T = TypeVar("T")

COUNTS = (
    "received",
    "received_written",
    "closed",
    "ended_rung1",
    "ended_rung2",
    "ended_rung3",
    "with_term",
    "in_term",
    "logged_rung1",
    "logged_rung1_escalated",
    "escalated",
    "ombudsman_taken_up",
)
MAPS = (
    "closure_reasons",
    "lead_days",
    "judgments",
    "themes",
    "causes",
    "ratings",
    "ombudsman_outcomes",
)


@dataclass(frozen=True)
class Labelled:
    """One row of a table: a value, its label in the reader's language, and a count."""

    value: str
    label: str
    count: int
    share: Ratio | None = None


@dataclass(frozen=True)
class MonthRow:
    month: date
    received: int
    closed: int
    ended_rung1: int
    escalated: int


@dataclass(frozen=True)
class ThemeTrend:
    theme: str
    count: int
    by_month: tuple[int, ...]  # counts per month of the period, oldest first


@dataclass
class PeriodFigures:
    start: date
    end: date
    department_id: int | None
    counts: dict[str, int] = field(default_factory=dict)
    maps: dict[str, Counter] = field(default_factory=dict)
    months: list[MonthRow] = field(default_factory=list)
    themes: list[ThemeTrend] = field(default_factory=list)
    causes: list[Labelled] = field(default_factory=list)

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    # -- outcomes ----------------------------------------------------------------------------
    @property
    def closure_reasons(self) -> list[Labelled]:
        counted = self.maps["closure_reasons"]
        return [
            Labelled(value, label, counted.get(value, 0), Ratio(counted.get(value, 0), self.closed))
            for value, label in ClosureReason.choices
        ]

    @property
    def judgments(self) -> list[Labelled]:
        counted = self.maps["judgments"]
        whole = sum(counted.values())
        return [
            Labelled(value, label, counted.get(value, 0), Ratio(counted.get(value, 0), whole))
            for value, label in Judgment.choices
        ]

    # -- timeliness --------------------------------------------------------------------------
    @property
    def in_term_share(self) -> Ratio:
        """Of the closed cases with a legal decision date, the share closed on or before it."""
        return Ratio(self.counts["in_term"], self.counts["with_term"])

    @property
    def median_lead_days(self) -> float | None:
        """The median of the calendar days from receipt to closure of the closed cases."""
        return _median(self.maps["lead_days"])

    # -- the ladder --------------------------------------------------------------------------
    @property
    def ended_at(self) -> list[Labelled]:
        return [
            Labelled(
                str(rung),
                label,
                self.counts[f"ended_rung{rung}"],
                Ratio(self.counts[f"ended_rung{rung}"], self.closed),
            )
            for rung, label in Rung.choices
        ]

    @property
    def stay_low(self) -> Ratio:
        """Of the cases closed in the period, the share that ended at rung 1."""
        return Ratio(self.counts["ended_rung1"], self.closed)

    @property
    def escalation_1_2(self) -> Ratio:
        """Of the cases logged at rung 1 in the period, the share handed to a handler."""
        return Ratio(self.counts["logged_rung1_escalated"], self.counts["logged_rung1"])

    @property
    def escalation_2_3(self) -> Ratio:
        """Of the cases closed past rung 1, the share that reached the ombudsman."""
        past_one = self.counts["ended_rung2"] + self.counts["ended_rung3"]
        return Ratio(self.counts["ended_rung3"], past_one)

    @property
    def ombudsman_outcomes(self) -> list[Labelled]:
        counted = self.maps["ombudsman_outcomes"]
        return [
            Labelled(value, label, counted.get(value, 0))
            for value, label in OmbudsmanOutcome.choices
        ]

    # -- satisfaction ------------------------------------------------------------------------
    @property
    def ratings(self) -> list[Labelled]:
        counted = self.maps["ratings"]
        whole = sum(counted.values())
        return [
            Labelled(
                str(value),
                label,
                counted.get(str(value), 0),
                Ratio(counted.get(str(value), 0), whole),
            )
            for value, label in Rating.choices
        ]

    @property
    def survey_answers(self) -> int:
        return sum(self.maps["ratings"].values())

    @property
    def average_rating(self) -> float | None:
        counted = self.maps["ratings"]
        answers = sum(counted.values())
        if not answers:
            return None
        return sum(int(value) * n for value, n in counted.items()) / answers

    def as_data(self) -> dict:
        """The figures as JSON-ready data (a learning report's snapshot)."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "department_id": self.department_id,
            "counts": dict(self.counts),
            "maps": {name: dict(counted) for name, counted in self.maps.items()},
        }


def _median(histogram: Counter) -> float | None:
    """The median of the values counted in ``histogram`` ({str(days): count})."""
    total = sum(histogram.values())
    if not total:
        return None
    ordered = sorted((int(days), n) for days, n in histogram.items())

    def nth(index: int) -> int:  # the value at 0-based position ``index``
        seen = 0
        for days, n in ordered:
            seen += n
            if index < seen:
                return days
        raise IndexError(index)

    if total % 2:
        return float(nth(total // 2))
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def period_figures(
    *, start: date, end: date, department_id: int | None = None, top_themes: int = 5
) -> PeriodFigures:
    """The figures of the months from ``start``'s to ``end``'s (both included), for one
    handling department or (``None``) the organisation. Three queries."""
    months = months_between(start, end)
    rows = MonthFigures.objects.filter(month__gte=months[0], month__lte=months[-1])
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    counts = dict.fromkeys(COUNTS, 0)
    maps = {name: Counter() for name in MAPS}
    per_month: dict[date, Counter] = {month: Counter() for month in months}
    themes_by_month: dict[str, Counter] = {}
    for row in rows:
        for name in COUNTS:
            counts[name] += getattr(row, name)
        for name in MAPS:
            maps[name].update(getattr(row, name))
        per_month[row.month].update(
            received=row.received,
            closed=row.closed,
            ended_rung1=row.ended_rung1,
            escalated=row.escalated,
        )
        for theme, n in row.themes.items():
            themes_by_month.setdefault(theme, Counter())[row.month] += n

    figures = PeriodFigures(
        start=months[0], end=end, department_id=department_id, counts=counts, maps=maps
    )
    figures.months = [
        MonthRow(month, c["received"], c["closed"], c["ended_rung1"], c["escalated"])
        for month, c in per_month.items()
    ]
    top = maps["themes"].most_common(top_themes)
    names = {
        str(pk): theme.name
        for pk, theme in Theme.objects.in_bulk([int(pk) for pk, _n in top]).items()
    }
    figures.themes = [
        ThemeTrend(
            names.get(pk, "?"), n, tuple(themes_by_month[pk].get(month, 0) for month in months)
        )
        for pk, n in top
    ]
    causes = maps["causes"]
    whole = sum(causes.values())
    figures.causes = [
        Labelled(
            cause.code,
            cause.name,
            causes.get(str(cause.pk), 0),
            Ratio(causes.get(str(cause.pk), 0), whole),
        )
        for cause in Cause.objects.all()
        if cause.is_active or str(cause.pk) in causes
    ]
    return figures


# ---------------------------------------------------------------------------
# Now: the open cases and the open improvement actions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class OpenNow:
    by_stage_rung: dict[tuple[str, int], int]
    overdue: int
    actions_open: int
    actions_overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_stage_rung.values())

    @property
    def table(self) -> list[tuple[str, list[int], int]]:
        """Rows per open stage: (stage label, count per rung 1..3, row total)."""
        rows = []
        for stage in OPEN_STAGES:
            counts = [self.by_stage_rung.get((stage.value, rung), 0) for rung in Rung.values]
            rows.append((Stage(stage).label, counts, sum(counts)))
        return rows

    @property
    def rung_totals(self) -> list[int]:
        return [
            sum(n for (_stage, rung), n in self.by_stage_rung.items() if rung == value)
            for value in Rung.values
        ]

    @property
    def at_ombudsman(self) -> int:
        return self.rung_totals[2]


def open_now(*, today: date, department_id: int | None = None) -> OpenNow:
    """The open cases by stage and rung, the overdue ones (past the legal decision date), and
    the open and overdue improvement actions. Three queries; the case counts use the partial
    indexes of the open cases."""
    cases = Complaint.objects.order_by().filter(~Q(stage=Stage.CLOSED))
    actions = ImprovementAction.objects.order_by().filter(status__in=OPEN_ACTION_STATUSES)
    if department_id is not None:
        cases = cases.filter(department_id=department_id)
        actions = actions.filter(department_id=department_id)
    grouped = {
        (row["stage"], row["rung"]): row["n"]
        # COUNT(*), not COUNT(id): PostgreSQL then counts from the index of the department's
        # open cases alone (complaint_open_dept_stage), reading no table pages.
        for row in cases.values("stage", "rung").annotate(n=Count("*"))
    }
    overdue = cases.filter(decision_due__lt=today).count()
    action_counts = actions.aggregate(
        open=Count("id"), overdue=Count("id", filter=Q(due_on__lt=today))
    )
    return OpenNow(grouped, overdue, action_counts["open"], action_counts["overdue"])


# The dashboard keeps the figures of now, and the worklist its count of cases and its themes,
# until something they count or list changes: every save or delete of a case, a change of a
# case's themes, and every save or delete of an improvement action or a theme gives them a new
# version (reporting.signals), at once and again after commit (so a page drawn between the two
# is not kept). The limit covers writes that pass the signals (a queryset update).
NOW_VERSION_KEY = "dashboard-now-version"
NOW_CACHE_SECONDS = 60


def open_now_changed() -> None:
    """What ``open_now`` counts has changed: the kept figures are not used again."""
    version_renew(NOW_VERSION_KEY, None, without="the figures of now are counted each time")


def open_now_changed_after_commit() -> None:
    """``open_now_changed`` when the current transaction commits, with its other writes to the
    cache (``config.cache.version_renew_after_commit``); now, outside a transaction."""
    version_renew_after_commit(NOW_VERSION_KEY, None)


def now_version() -> str | None:
    """The version of what the open cases are now (``open_now_changed``), or None when the
    cache is down (then nothing is kept: count each time)."""
    return current_version(NOW_VERSION_KEY, None)


def kept_now(key: str, compute: Callable[[], T], *, version: str | None) -> T:
    """What ``compute`` gives, kept (``reporting.kept``) under ``key`` and ``version`` (of
    ``now_version``, read once by a caller that keeps several things) until something of now
    changes, at most ``NOW_CACHE_SECONDS``; without a cache (no version) computed each time."""
    if version is None:
        return compute()
    return kept(f"{key}:{version}", compute, NOW_CACHE_SECONDS)


def open_now_kept(*, today: date, department_id: int | None = None) -> OpenNow:
    """``open_now``, kept until something it counts changes (``kept_now``): three queries
    then, none otherwise (at 1,000,000 complaints the busiest department's count reads 8,000
    entries of an index)."""
    return kept_now(
        f"dashboard-now:{department_id or 'all'}:{today.isoformat()}",
        lambda: open_now(today=today, department_id=department_id),
        version=now_version(),
    )


def default_period(today: date) -> tuple[date, date]:
    """The last twelve months up to and including this one."""
    this_month = month_of(today)
    start = this_month.replace(year=this_month.year - 1)
    start = months_between(start, today)[1]
    return start, today
