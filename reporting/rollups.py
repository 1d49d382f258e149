"""The month rollups behind the dashboards and reports (issue 8: "the dashboard's cost must not
grow with the number of cases").

``MonthFigures`` holds, per handling department and calendar month, the counts of the cases
anchored in that month. Each figure is anchored on the day that settles it, as in
``reporting.ladder_metrics``:

- received, received_written, themes: the day the case was received (``received_on``);
- closed and what it says (closure reason, the rung it ended at (rung 3 when the ombudsman
  took it up, as in reporting.ladder_metrics), decided within the legal term,
  calendar days from receipt to closure, the judgments of its parts, the survey rating, the
  cause of its lesson): the local day it was closed (``closed_at``);
- logged_rung1 and logged_rung1_escalated (the 1→2 cohort): the day it was logged at rung 1;
- escalated: the day it was handed to a complaint handler (``escalated_on``);
- ombudsman_taken_up and ombudsman_outcomes: the ombudsman's own dates.

"Decided within the legal term": a closed case that had a legal decision date
(``decision_due``: written complaints, Awb 9:11, with any postponement or agreed extension)
and was closed on or before it.

Keeping them up to date: saving a case, its ombudsman phase, its survey answer or its lesson
marks the months it touches (before and after the change) as dirty, in the same transaction;
after commit a Celery task recomputes the dirty months (``rollups_refresh``), each with a fixed
number of grouped queries over that month's cases only. The beat sweep runs the same task
every few minutes as a safety net, so a lost task only delays the figures. Bulk writes that
bypass ``save()`` (the demo and benchmark generators) call ``rollups_rebuild`` at the end.
The open cases of "now" (by stage and rung, overdue) are not rolled up: the dashboard counts
them live on the partial indexes of the open cases, which stay small as history grows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Min, Q, Value, When
from django.db.models.functions import TruncDate
from django.utils import timezone

from complaints.models import (
    Complaint,
    ComplaintPart,
    OmbudsmanCase,
    Rung,
    SurveyResponse,
)
from config.cache import add_after_commit

from .aggregates import DaysBetween, day_bounds
from .models import DirtyMonth, Lesson, MonthFigures

log = logging.getLogger(__name__)

# The fields of a case that place it in a month (see the module docstring).
CASE_DATES = ("received_on", "closed_at", "logged_on", "escalated_on")


def month_of(day: date | datetime | None) -> date | None:
    """The first day of the (local) month of ``day``; ``None`` for ``None``."""
    if not isinstance(day, date):  # None, or a value not cleaned yet
        return None
    if isinstance(day, datetime):
        day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s month to ``last``'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def month_end(month: date) -> date:
    return next_month(month) - timedelta(days=1)


# ---------------------------------------------------------------------------
# Marking months dirty
# ---------------------------------------------------------------------------
def case_months(values: dict) -> set[date]:
    """The months a case with these field values is counted in."""
    return {m for m in (month_of(values.get(name)) for name in CASE_DATES) if m}


def rollups_mark(months: Iterable[date | None]) -> None:
    """Mark ``months`` for recomputation, in the caller's transaction; after commit a task
    recomputes them (``_nudge``: one task for the changes of a few seconds). One query,
    however many months."""
    months = {m for m in months if m}
    if not months:
        return
    DirtyMonth.objects.bulk_create([DirtyMonth(month=m) for m in months], ignore_conflicts=True)
    _nudge()


# Changes are gathered this long before a refresh runs: every registration, edit and
# transition marks a month, and a refresh recomputes the month from its cases (eleven grouped
# queries), so one refresh per change would keep the workers busy with the same month.
REFRESH_DELAY = 5  # seconds
REFRESH_QUEUED_KEY = "rollups-refresh-queued"


def _nudge() -> None:
    """After commit, queue a refresh for the changes of the next ``REFRESH_DELAY`` seconds:
    the first change queues one that runs when they are over; the others find it queued (a key
    in the cache, added with the transaction's other writes to it: ``add_after_commit``). A
    change commits before its nudge, so the queued refresh always sees its marked months."""
    from .tasks import rollups_refresh_task

    if rollups_refresh_task.app.conf.task_always_eager:
        # Tasks run in-process (``make run``, the tests): after commit, for every change, as
        # nothing would run later for the changes that follow.
        transaction.on_commit(rollups_refresh_task.delay)
        return
    add_after_commit(REFRESH_QUEUED_KEY, 1, REFRESH_DELAY, then=_queue_refresh)


def _queue_refresh(added: bool | None) -> None:
    """The refresh, unless one is queued (``added`` False). Without a cache (None) it queues
    anyway; with the broker down, the beat sweep refreshes later."""
    from .tasks import rollups_refresh_task

    if added is False:
        return
    if added is None:
        log.warning("Cache unreachable; a rollup refresh is queued for this change.")
    try:
        rollups_refresh_task.apply_async(countdown=REFRESH_DELAY)
    except Exception:  # the broker is down: the beat sweep refreshes the months later
        log.warning("Could not queue the rollup refresh; the sweep will do it.", exc_info=True)


# ---------------------------------------------------------------------------
# Recomputing
# ---------------------------------------------------------------------------
def rollups_refresh(*, limit: int = 240) -> int:
    """Recompute the dirty months, oldest first; returns how many. Safe to run concurrently:
    a month being recomputed is locked, and a change during the recomputation marks it again."""
    done = 0
    while done < limit:
        with transaction.atomic():
            dirty = DirtyMonth.objects.select_for_update(skip_locked=True).order_by("month").first()
            if dirty is None:
                break
            month = dirty.month
            dirty.delete()
            month_refresh(month)
        done += 1
    return done


def rollups_rebuild(*, since: date | None = None) -> int:
    """Recompute every month from ``since`` (default: the oldest case's) up to this month,
    and drop rows of months without cases before that. For bulk loads; returns the number of
    months."""
    if since is None:
        oldest = Complaint.objects.aggregate(first=Min("received_on"))["first"]
        since = oldest or timezone.localdate()
    months = months_between(since, timezone.localdate())
    with transaction.atomic():
        MonthFigures.objects.filter(month__lt=months[0]).delete()
        DirtyMonth.objects.filter(month__in=months).delete()
        for month in months:
            month_refresh(month)
    return len(months)


def _counter(rows, key: str, value: str = "n") -> dict[int, dict[str, int]]:
    """{department id: {str(row[key]): row[value]}} from grouped rows."""
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for row in rows:
        if row[key] in (None, ""):
            continue
        result[row["dept"]][str(row[key])] = result[row["dept"]].get(str(row[key]), 0) + row[value]
    return result


def month_refresh(month: date) -> None:
    """Recompute the figures of every department for one month: eleven grouped queries over
    that month's cases, then the month's rows are replaced."""
    first, last = month, month_end(month)
    since, until = day_bounds(first, last)
    received = Q(received_on__gte=first, received_on__lte=last)
    closed = Q(closed_at__gte=since, closed_at__lt=until)
    figures: dict[int, dict] = defaultdict(dict)

    def add(dept: int, **values) -> None:
        row = figures[dept]
        for name, value in values.items():
            row[name] = row.get(name, 0) + value

    cases = Complaint.objects.order_by()
    for row in (
        cases.filter(received)
        .values(dept=F("department_id"))
        .annotate(n=Count("id"), written=Count("id", filter=Q(is_written=True)))
    ):
        add(row["dept"], received=row["n"], received_written=row["written"])

    closed_on = TruncDate("closed_at")
    # As reporting.ladder_metrics: a case with an ombudsman phase ended at rung 3.
    ended = Case(
        When(Q(rung=Rung.OMBUDSMAN) | Q(ombudsman_case__isnull=False), then=Value(3)),
        default=F("rung"),
        output_field=IntegerField(),
    )
    by_reason: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        cases.filter(closed)
        .annotate(ended=ended)
        .values("closure_reason", "ended", dept=F("department_id"))
        .annotate(
            n=Count("id"),
            with_term=Count("id", filter=Q(decision_due__isnull=False)),
            in_term=Count("id", filter=Q(decision_due__gte=closed_on)),
        )
    ):
        rung = min(max(row["ended"], 1), 3)
        add(
            row["dept"],
            closed=row["n"],
            with_term=row["with_term"],
            in_term=row["in_term"],
            **{f"ended_rung{rung}": row["n"]},
        )
        reasons = by_reason[row["dept"]]
        reasons[row["closure_reason"]] = reasons.get(row["closure_reason"], 0) + row["n"]

    lead = _counter(
        cases.filter(closed)
        .annotate(days=DaysBetween("received_on", closed_on))
        .values("days", dept=F("department_id"))
        .annotate(n=Count("id")),
        "days",
    )
    in_closed = Q(complaint__closed_at__gte=since, complaint__closed_at__lt=until)
    judgments = _counter(
        ComplaintPart.objects.order_by()
        .filter(in_closed)
        .exclude(judgment="")
        .values("judgment", dept=F("complaint__department_id"))
        .annotate(n=Count("id")),
        "judgment",
    )
    ratings = _counter(
        SurveyResponse.objects.order_by()
        .filter(in_closed)
        .values("rating", dept=F("complaint__department_id"))
        .annotate(n=Count("id")),
        "rating",
    )
    causes = _counter(
        Lesson.objects.order_by()
        .filter(in_closed)
        .values("cause_id", dept=F("complaint__department_id"))
        .annotate(n=Count("id")),
        "cause_id",
    )
    themes = _counter(
        Complaint.themes.through.objects.order_by()
        .filter(complaint__received_on__gte=first, complaint__received_on__lte=last)
        .values("theme_id", dept=F("complaint__department_id"))
        .annotate(n=Count("id")),
        "theme_id",
    )
    for row in (
        cases.filter(logged_on__gte=first, logged_on__lte=last)
        .values(dept=F("department_id"))
        .annotate(n=Count("id"), escalated=Count("id", filter=Q(escalated_on__isnull=False)))
    ):
        add(row["dept"], logged_rung1=row["n"], logged_rung1_escalated=row["escalated"])
    for row in (
        cases.filter(escalated_on__gte=first, escalated_on__lte=last)
        .values(dept=F("department_id"))
        .annotate(n=Count("id"))
    ):
        add(row["dept"], escalated=row["n"])
    ombudsman = OmbudsmanCase.objects.order_by()
    for row in (
        ombudsman.filter(taken_up_on__gte=first, taken_up_on__lte=last)
        .values(dept=F("complaint__department_id"))
        .annotate(n=Count("id"))
    ):
        add(row["dept"], ombudsman_taken_up=row["n"])
    outcomes = _counter(
        ombudsman.filter(outcome_on__gte=first, outcome_on__lte=last)
        .exclude(outcome="")
        .values("outcome", dept=F("complaint__department_id"))
        .annotate(n=Count("id")),
        "outcome",
    )

    maps = {
        "closure_reasons": by_reason,
        "lead_days": lead,
        "judgments": judgments,
        "ratings": ratings,
        "causes": causes,
        "themes": themes,
        "ombudsman_outcomes": outcomes,
    }
    departments = set(figures)
    for counts in maps.values():
        departments |= set(counts)
    rows = [
        MonthFigures(
            department_id=dept,
            month=month,
            **figures.get(dept, {}),
            **{name: counts.get(dept, {}) for name, counts in maps.items()},
        )
        for dept in sorted(departments)
    ]
    with transaction.atomic():
        MonthFigures.objects.filter(month=month).delete()
        MonthFigures.objects.bulk_create(rows)
