"""The monthly and quarterly learning reports (issue 8, point 3; DOMAIN.md section 6).

A report is a stored snapshot of one period for the organisation or one (handling)
department: the period's figures from the month rollups (``reporting.figures``), the lessons of
the cases closed in the period, and the improvement actions created, completed and overdue in
it. Names of themes and causes are stored in both languages, so the page shows the snapshot in
the reader's language even after a theme is renamed; choice labels (closure reasons,
judgments, rungs) are rendered at view time from the stored values.

``learning_report_make`` replaces the snapshot of a period (one row per kind, period and
department); the first time a period is made, the report is mailed through the outbox to the
managers of the department or, for the organisation, to the board, under one key per report and
recipient. ``learning_reports_sweep`` (daily, Celery beat) makes the missing reports of the last
complete months and quarters, so it catches up after downtime and a second run writes nothing.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Department, User
from accounts.roles import Role
from complaints.models import OutboxKind, Theme
from complaints.services.mail import render_mail
from complaints.services.outbox import outbox_enqueue
from reporting.aggregates import day_bounds
from reporting.figures import period_figures
from reporting.models import (
    ActionStatus,
    Cause,
    ImprovementAction,
    LearningReport,
    Lesson,
    MonthFigures,
    ReportKind,
)
from reporting.rollups import month_end, month_of, months_between

log = logging.getLogger(__name__)

DATA_VERSION = 1
MAX_LESSONS = 50
MAX_ACTIONS = 50
CATCH_UP_MONTHS = 3
CATCH_UP_QUARTERS = 2
MAIL_TEMPLATE = "reporting/mail/learning_report.txt"
VIEW_DEPARTMENT_CODENAME = "view_department_dashboard"


# ---------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------
def quarter_of(day: date) -> date:
    """The first day of the calendar quarter of ``day``."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def period_of(kind: str, period_start: date) -> tuple[date, date]:
    """The first and last day of the month or quarter that starts at (or holds)
    ``period_start``."""
    if kind == ReportKind.MONTHLY:
        first = month_of(period_start)
        return first, month_end(first)
    if kind == ReportKind.QUARTERLY:
        first = quarter_of(period_start)
        return first, month_end(months_between(first, first + timedelta(days=62))[2])
    raise ValueError(f"Unknown report kind: {kind!r}")


def complete_periods(*, today: date) -> list[tuple[str, date]]:
    """The periods the sweep looks after on ``today``: the last CATCH_UP_MONTHS complete
    months and the last CATCH_UP_QUARTERS complete quarters, oldest first per kind."""
    periods = []
    month = month_of(today)
    months = []
    for _n in range(CATCH_UP_MONTHS):
        month = month_of(month - timedelta(days=1))
        months.append(month)
    periods += [(ReportKind.MONTHLY, m) for m in reversed(months)]
    quarter = quarter_of(today)
    quarters = []
    for _n in range(CATCH_UP_QUARTERS):
        quarter = quarter_of(quarter - timedelta(days=1))
        quarters.append(quarter)
    periods += [(ReportKind.QUARTERLY, q) for q in reversed(quarters)]
    return periods


# ---------------------------------------------------------------------------
# The snapshot
# ---------------------------------------------------------------------------
def _names(thing) -> dict:
    return {"name_nl": thing.name_nl, "name_en": thing.name_en}


def _lessons(start: date, end: date, department_id: int | None) -> dict:
    """The lessons of the cases closed in the period: how many, and the first MAX_LESSONS
    with the case reference, theme and cause (no complainant data). Two queries."""
    since, until = day_bounds(start, end)
    lessons = Lesson.objects.filter(complaint__closed_at__gte=since, complaint__closed_at__lt=until)
    if department_id is not None:
        lessons = lessons.filter(complaint__department_id=department_id)
    total = lessons.count()
    items = []
    for lesson in (
        lessons.select_related("theme", "cause")
        .only(
            "text",
            "theme__name_nl",
            "theme__name_en",
            "cause__code",
            "cause__name_nl",
            "cause__name_en",
            "complaint__reference",
            "complaint__closed_at",
        )
        .select_related("complaint")
        .order_by("complaint__closed_at", "complaint__reference")[:MAX_LESSONS]
    ):
        items.append(
            {
                "reference": lesson.complaint.reference,
                "closed_on": timezone.localdate(lesson.complaint.closed_at).isoformat(),
                "theme": _names(lesson.theme) if lesson.theme else None,
                "cause": {"code": lesson.cause.code, **_names(lesson.cause)},
                "text": lesson.text,
            }
        )
    return {"total": total, "items": items}


def period_actions(
    start: date, end: date, department_id: int | None, *, limit: int = MAX_ACTIONS
) -> dict:
    """Improvement actions created in the period, completed in it, and overdue at its end
    (due on or before its last day, not cancelled, not completed by then). Two queries."""
    since, until = day_bounds(start, end)
    actions = ImprovementAction.objects.order_by()
    if department_id is not None:
        actions = actions.filter(department_id=department_id)
    created = Q(created_at__gte=since, created_at__lt=until)
    completed = Q(completed_on__gte=start, completed_on__lte=end)
    overdue = (
        Q(due_on__lte=end)
        & ~Q(status=ActionStatus.CANCELLED)
        & (Q(completed_on__isnull=True) | Q(completed_on__gt=end))
    )
    counts = actions.aggregate(
        created=_count(created), completed=_count(completed), overdue=_count(overdue)
    )
    items = [
        {
            "id": action.pk,
            "title": action.title,
            "status": action.status,
            "due_on": action.due_on.isoformat(),
            "completed_on": action.completed_on.isoformat() if action.completed_on else None,
            "department": action.department.name if action.department else None,
            "overdue": action.due_on <= end
            and action.status != ActionStatus.CANCELLED
            and (action.completed_on is None or action.completed_on > end),
        }
        for action in actions.filter(created | completed | overdue)
        .select_related("department")
        .only("title", "status", "due_on", "completed_on", "department__name")
        .order_by("due_on", "id")[:limit]
    ]
    return {**counts, "items": items}


def _count(condition: Q) -> Count:
    return Count("id", filter=condition)


def report_data(*, start: date, end: date, department_id: int | None) -> dict:
    """The JSON snapshot of one period (see the module docstring). A fixed number of
    queries: the figures (3), theme and cause names (2), lessons (2), actions (2)."""
    figures = period_figures(start=start, end=end, department_id=department_id, top_themes=0)
    theme_counts = figures.maps["themes"]
    themes = Theme.objects.in_bulk([int(pk) for pk in theme_counts])
    cause_counts = figures.maps["causes"]
    causes = Cause.objects.in_bulk([int(pk) for pk in cause_counts])
    return {
        "version": DATA_VERSION,
        "figures": figures.as_data(),
        "months": [
            {
                "month": row.month.isoformat(),
                "received": row.received,
                "closed": row.closed,
                "ended_rung1": row.ended_rung1,
                "escalated": row.escalated,
            }
            for row in figures.months
        ],
        "themes": sorted(
            (
                {"id": int(pk), **_names(themes[int(pk)]), "count": n}
                for pk, n in theme_counts.items()
                if int(pk) in themes
            ),
            key=lambda row: (-row["count"], row["name_nl"]),
        ),
        "causes": sorted(
            (
                {"code": causes[int(pk)].code, **_names(causes[int(pk)]), "count": n}
                for pk, n in cause_counts.items()
                if int(pk) in causes
            ),
            key=lambda row: (-row["count"], row["code"]),
        ),
        "lessons": _lessons(start, end, department_id),
        "actions": period_actions(start, end, department_id),
    }


@transaction.atomic
def learning_report_make(
    *, kind: str, period_start: date, department_id: int | None = None
) -> LearningReport:
    """Make (or remake) the report of the month or quarter holding ``period_start`` for one
    department or (``None``) the organisation. Re-running a period replaces its snapshot; the
    mail goes out only when the period is made the first time."""
    start, end = period_of(kind, period_start)
    data = report_data(start=start, end=end, department_id=department_id)
    report, created = LearningReport.objects.update_or_create(
        kind=kind,
        period_start=start,
        department_id=department_id,
        defaults={"period_end": end, "data": data},
    )
    if created:
        learning_report_send(report=report)
    return report


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------
def report_recipients(department_id: int | None) -> list[User]:
    """A department's report: its active managers (holding the department dashboard
    permission, by group or directly). The organisation's: the active members of the board."""
    users = User.objects.filter(is_active=True).exclude(email="")
    if department_id is None:
        chosen = users.filter(groups__name=Role.BOARD)
    else:
        granted = Q(
            groups__permissions__codename=VIEW_DEPARTMENT_CODENAME,
            groups__permissions__content_type__app_label="accounts",
        ) | Q(
            user_permissions__codename=VIEW_DEPARTMENT_CODENAME,
            user_permissions__content_type__app_label="accounts",
        )
        chosen = users.filter(granted, department_id=department_id)
    return list(
        User.objects.filter(pk__in=chosen.values("pk"))
        .only("id", "email", "full_name")
        .order_by("id")
    )


def report_key(report: LearningReport, user: User) -> str:
    scope = report.department_id or "organisation"
    return f"learning-report:{report.kind}:{report.period_start.isoformat()}:{scope}:{user.pk}"


def report_title(report: LearningReport) -> str:
    """ "March 2026" or "Quarter 1 2026", in the active language."""
    if report.kind == ReportKind.MONTHLY:
        return date_format(report.period_start, "F Y").capitalize()
    quarter = (report.period_start.month - 1) // 3 + 1
    year = report.period_start.year
    return _("Quarter %(quarter)s %(year)s") % {"quarter": quarter, "year": year}


def learning_report_send(*, report: LearningReport) -> int:
    """One outbox row per recipient, in the caller's transaction; a key already written
    writes nothing. Returns the number of recipients."""
    language = settings.LANGUAGE_CODE  # staff have no language of their own yet
    department = (
        Department.objects.only("name").get(pk=report.department_id)
        if report.department_id
        else None
    )
    data = report.data
    counts = data["figures"]["counts"]
    url = settings.SITE_URL.rstrip("/") + reverse("reporting:report", args=[report.pk])
    recipients = report_recipients(report.department_id)
    for user in recipients:
        with translation.override(language):
            title = report_title(report)
        subject, body = render_mail(
            MAIL_TEMPLATE,
            language,
            {
                "recipient_name": user.get_short_name(),
                "title": title,
                "monthly": report.kind == ReportKind.MONTHLY,
                "department": department.name if department else "",
                "received": counts["received"],
                "closed": counts["closed"],
                "with_term": counts["with_term"],
                "in_term": counts["in_term"],
                "lessons": data["lessons"]["total"],
                "actions_created": data["actions"]["created"],
                "actions_overdue": data["actions"]["overdue"],
                "url": url,
                "organisation": settings.ORGANISATION_NAME,
            },
        )
        outbox_enqueue(
            key=report_key(report, user),
            kind=OutboxKind.OTHER,
            to=user.email,
            subject=subject,
            body=body,
            complaint=None,
            language=language,
        )
    if not recipients:
        log.info("Learning report %s has no recipients", report.pk)
    return len(recipients)


# ---------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------
def departments_with_cases(start: date, end: date) -> set[int]:
    """The departments with any figure in the period's month rollups (one query)."""
    months = months_between(start, end)
    return set(
        MonthFigures.objects.filter(month__gte=months[0], month__lte=months[-1])
        .order_by()
        .values_list("department_id", flat=True)
        .distinct()
    )


def learning_reports_sweep(*, today: date) -> int:
    """Make the missing reports of the last complete months and quarters (see
    ``complete_periods``), for the organisation and each department with cases. Existing
    reports are left alone, so a second run writes nothing; returns the number made."""
    periods = complete_periods(today=today)
    existing = set(
        LearningReport.objects.filter(
            period_start__in=[start for _kind, start in periods]
        ).values_list("kind", "period_start", "department_id")
    )
    made = 0
    for kind, first in periods:
        start, end = period_of(kind, first)
        for department_id in [None, *sorted(departments_with_cases(start, end))]:
            if (kind, start, department_id) in existing:
                continue
            learning_report_make(kind=kind, period_start=start, department_id=department_id)
            made += 1
    return made
