"""Reads of the learning reports and the annual report runs, scoped to the user (STYLE.md),
and the stored snapshot of a learning report put together for its page and PDF."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from accounts.models import Department, User

from .figures import Labelled, MonthRow, PeriodFigures, ThemeTrend
from .ladder_metrics import Ratio
from .models import ActionStatus, AnnualReportRun, LearningReport, ReportKind
from .selectors import VIEW_DEPARTMENT, VIEW_ORGANISATION

PRODUCE = "accounts.produce_annual_report"


# ---------------------------------------------------------------------------
# Who may do what
# ---------------------------------------------------------------------------
def may_see_reports(user: User) -> bool:
    return user.has_perm(VIEW_ORGANISATION) or user.has_perm(VIEW_DEPARTMENT)


def may_remake_reports(user: User) -> bool:
    return user.has_perm(PRODUCE) or user.has_perm(VIEW_ORGANISATION)


def may_produce_annual(user: User) -> bool:
    return user.has_perm(PRODUCE)


def may_read_annual(user: User) -> bool:
    """The publishable report page: who produces it, and the board."""
    return user.has_perm(PRODUCE) or user.has_perm(VIEW_ORGANISATION)


# ---------------------------------------------------------------------------
# Learning reports
# ---------------------------------------------------------------------------
def learning_reports_visible_to(user: User) -> QuerySet[LearningReport]:
    """Board and coordinators: every report. Managers: their department's and the
    organisation's. Anyone else: none."""
    reports = LearningReport.objects.all()
    if not user.is_authenticated or not user.is_active:
        return reports.none()
    if user.has_perm(VIEW_ORGANISATION):
        return reports
    if user.has_perm(VIEW_DEPARTMENT):
        mine = Q(department__isnull=True)
        if user.department_id:
            mine |= Q(department_id=user.department_id)
        return reports.filter(mine)
    return reports.none()


def learning_reports_for(user: User, *, kind: str = "") -> QuerySet[LearningReport]:
    """The list page: newest period first; one query (with the department's name)."""
    reports = learning_reports_visible_to(user).select_related("department")
    if kind in ReportKind.values:
        reports = reports.filter(kind=kind)
    return reports.defer("data").order_by("-period_start", "kind", "department__name", "id")


def learning_report_for(user: User, report_id: int) -> LearningReport:
    """DoesNotExist for a report the user may not see, exactly as for one that is missing."""
    return learning_reports_visible_to(user).select_related("department").get(pk=report_id)


def report_departments() -> list[Department]:
    return list(Department.objects.filter(is_active=True).only("id", "name").order_by("name"))


# ---------------------------------------------------------------------------
# A snapshot for its page
# ---------------------------------------------------------------------------
def _name(names: dict | None) -> str:
    if not names:
        return ""
    return names["name_en"] if (get_language() or "nl").startswith("en") else names["name_nl"]


@dataclass(frozen=True)
class LessonItem:
    reference: str
    closed_on: date
    theme: str
    cause: str
    text: str


@dataclass(frozen=True)
class ActionItem:
    id: int
    title: str
    status: str
    due_on: date
    completed_on: date | None
    department: str | None
    overdue: bool


@dataclass
class ReportPage:
    report: LearningReport
    figures: PeriodFigures
    lessons_total: int
    lessons: list[LessonItem] = field(default_factory=list)
    lessons_by_cause: list[Labelled] = field(default_factory=list)
    actions: dict = field(default_factory=dict)
    action_items: list[ActionItem] = field(default_factory=list)

    @property
    def lessons_capped(self) -> bool:
        return self.lessons_total > len(self.lessons)


def report_page(report: LearningReport) -> ReportPage:
    """The snapshot as objects for the templates, with labels in the active language. No
    queries: everything is in the stored data."""
    data = report.data
    stored = data["figures"]
    figures = PeriodFigures(
        start=date.fromisoformat(stored["start"]),
        end=date.fromisoformat(stored["end"]),
        department_id=stored["department_id"],
        counts=dict(stored["counts"]),
        maps={name: Counter(counted) for name, counted in stored["maps"].items()},
    )
    figures.months = [
        MonthRow(
            date.fromisoformat(row["month"]),
            row["received"],
            row["closed"],
            row["ended_rung1"],
            row["escalated"],
        )
        for row in data["months"]
    ]
    figures.themes = [ThemeTrend(_name(row), row["count"], ()) for row in data["themes"]]
    causes_total = sum(row["count"] for row in data["causes"])
    by_cause = [
        Labelled(row["code"], _name(row), row["count"], Ratio(row["count"], causes_total))
        for row in data["causes"]
    ]
    figures.causes = by_cause
    statuses = dict(ActionStatus.choices)
    return ReportPage(
        report=report,
        figures=figures,
        lessons_total=data["lessons"]["total"],
        lessons=[
            LessonItem(
                item["reference"],
                date.fromisoformat(item["closed_on"]),
                _name(item["theme"]),
                _name(item["cause"]),
                item["text"],
            )
            for item in data["lessons"]["items"]
        ],
        lessons_by_cause=by_cause,
        actions={k: v for k, v in data["actions"].items() if k != "items"},
        action_items=[
            ActionItem(
                item["id"],
                item["title"],
                str(statuses.get(item["status"], item["status"])),
                date.fromisoformat(item["due_on"]),
                date.fromisoformat(item["completed_on"]) if item["completed_on"] else None,
                item["department"],
                item["overdue"],
            )
            for item in data["actions"]["items"]
        ],
    )


# ---------------------------------------------------------------------------
# Annual report runs
# ---------------------------------------------------------------------------
def annual_runs_for(user: User) -> QuerySet[AnnualReportRun]:
    """Producers see every run (the file is the same anonymised report for all of them)."""
    if not may_produce_annual(user):
        return AnnualReportRun.objects.none()
    return AnnualReportRun.objects.select_related("requested_by").order_by("-requested_at", "-id")


def annual_run_for(user: User, run_id: int) -> AnnualReportRun:
    return annual_runs_for(user).get(pk=run_id)
