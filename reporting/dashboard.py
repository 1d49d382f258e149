"""The dashboard (issue 8, point 2): who sees which department, the period form, and the
figures of one page put together for the template.

Every figure comes from reporting.figures (the month rollups, and the open cases counted on
their partial indexes), plus one query for the time of the last refresh and one for the
departments of the filter: a fixed number of queries whatever the number of cases. The
period's tables and charts are drawn once per state of the rollups and kept in the cache
(``period_html``); the figures of now are counted again whenever a case or an improvement
action has changed (``reporting.figures.open_now_kept``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Sum
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from accounts.models import Department, User
from complaints.models import Rating

from .charts import BarChart, MonthChart, bar_chart, column_chart, line_chart
from .figures import OpenNow, PeriodFigures, default_period, open_now_kept, period_figures
from .kept import kept
from .models import MonthFigures
from .rollups import month_end, month_of, months_between
from .selectors import VIEW_DEPARTMENT, VIEW_ORGANISATION

MAX_MONTHS = 60  # five years: enough for any comparison, and a chart that still reads


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The organisation (with a department filter), or one department."""

    organisation: bool
    department: Department | None = None


def dashboard_scope(user: User) -> Scope:
    """Board and coordinators: the organisation. Managers: their own department (``None``
    when they have none; the page says so). Anyone else: PermissionDenied."""
    if user.has_perm(VIEW_ORGANISATION):
        return Scope(organisation=True)
    if user.has_perm(VIEW_DEPARTMENT):
        return Scope(organisation=False, department=user.department)
    raise PermissionDenied


def may_see_dashboard(user: User) -> bool:
    return user.has_perm(VIEW_ORGANISATION) or user.has_perm(VIEW_DEPARTMENT)


def active_departments() -> list[Department]:
    return list(Department.objects.filter(is_active=True).only("id", "name").order_by("name"))


# ---------------------------------------------------------------------------
# The filter: from month to month, and (organisation only) a department
# ---------------------------------------------------------------------------
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def month_value(month: date) -> str:
    """A month as the value of an <input type="month">: 2026-03."""
    return f"{month.year:04d}-{month.month:02d}"


class MonthField(forms.CharField):
    """A month typed as year-month (what <input type="month"> sends; typed by hand where a
    browser shows a text box)."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "2026-03"})
    default_error_messages = {
        "invalid": gettext_lazy("Enter a month as year and month, for example 2026-03."),
    }

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = MONTH.match(value.strip())
        if not match:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        year, month = int(match[1]), int(match[2])
        if not (1 <= month <= 12 and 2000 <= year <= 2100):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return date(year, month, 1)


class PeriodForm(forms.Form):
    """Validation only. An empty field means the default (the last twelve months)."""

    start = MonthField(
        label=gettext_lazy("From month"),
        required=False,
        help_text=gettext_lazy("Year and month, for example 2026-01."),
    )
    end = MonthField(
        label=gettext_lazy("To month"),
        required=False,
        help_text=gettext_lazy("This month is included."),
    )
    department = forms.TypedChoiceField(
        label=gettext_lazy("Department"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data, *, today: date, departments: list[Department] | None):
        """``departments``: the choices of the department filter; ``None`` for a manager,
        who sees their own department only (a department in the address is ignored)."""
        first, last = default_period(today)
        self.default = (month_of(first), month_of(last))
        super().__init__(
            {
                "start": month_value(self.default[0]),
                "end": month_value(self.default[1]),
                **{name: data[name] for name in ("start", "end", "department") if name in data},
            }
        )
        if departments is None:
            del self.fields["department"]
        else:
            self.fields["department"].choices = [
                ("", _("Whole organisation")),
                *((department.pk, department.name) for department in departments),
            ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        start = cleaned.get("start") or self.default[0]
        end = cleaned.get("end") or self.default[1]
        if end < start:
            self.add_error(
                "end", _("The end month is before the start month: choose a later end month.")
            )
        elif len(months_between(start, end)) > MAX_MONTHS:
            self.add_error(
                "start",
                _("Choose a period of at most %(n)d months.") % {"n": MAX_MONTHS},
            )
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def choice(self) -> tuple[date, date, int | None]:
        """The period and department to show: what was asked, or the defaults (the last
        twelve months, the organisation) when the input is not valid."""
        if self.is_valid():
            data = self.cleaned_data
            return data["start"], data["end"], data.get("department")
        return (*self.default, None)


# ---------------------------------------------------------------------------
# Quick choices of period
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class QuickChoice:
    label: str
    query: str
    current: bool


def add_months(month: date, n: int) -> date:
    year, index = divmod(month.year * 12 + month.month - 1 + n, 12)
    return date(year, index + 1, 1)


def quick_choices(
    today: date, shown: tuple[date, date], department_id: int | None
) -> list[QuickChoice]:
    """Links to common periods, keeping the department; ``shown`` marks the current one."""
    this_month = month_of(today)
    this_quarter = this_month.replace(month=(this_month.month - 1) // 3 * 3 + 1)
    periods = [
        (_("Last 12 months"), add_months(this_month, -11), this_month),
        (_("This year"), this_month.replace(month=1), this_month),
        (_("Last year"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 1)),
        (_("Last quarter"), add_months(this_quarter, -3), add_months(this_quarter, -1)),
    ]
    choices, marked = [], False
    for label, start, end in periods:
        params = {"start": month_value(start), "end": month_value(end)}
        if department_id:
            params["department"] = department_id
        current = not marked and (start, end) == shown  # in December, two are the same
        marked = marked or current
        choices.append(QuickChoice(label, urlencode(params), current))
    return choices


# ---------------------------------------------------------------------------
# The page's figures and charts
# ---------------------------------------------------------------------------
@dataclass
class Dashboard:
    start: date
    end: date  # the first day of the last month shown
    department: Department | None  # None: the whole organisation
    now: OpenNow
    refreshed_at: datetime | None
    today: date

    @cached_property
    def figures(self) -> PeriodFigures:
        """Read when the period's part of the page is drawn (``period_html``): three queries."""
        department_id = self.department.pk if self.department else None
        return period_figures(
            start=self.start, end=month_end(self.end), department_id=department_id
        )

    @property
    def months(self) -> list[date]:
        return [row.month for row in self.figures.months]

    @cached_property
    def charts(self) -> dict[str, MonthChart | BarChart]:
        figures, months = self.figures, self.months
        return {
            "volumes": column_chart(
                months,
                [
                    (_("Received"), [row.received for row in figures.months]),
                    (_("Closed"), [row.closed for row in figures.months]),
                ],
            ),
            "ended": bar_chart(
                [
                    (_("Rung %(rung)d") % {"rung": int(row.value)}, row.count)
                    for row in figures.ended_at
                ]
            ),
            "themes": line_chart(
                months, [(trend.theme, trend.by_month) for trend in figures.themes]
            ),
            "ratings": bar_chart(
                [(_("Rating %(n)d") % {"n": value}, row.count) for value, row in _ratings(figures)]
            ),
        }

    def period_state(self) -> str:
        """What the period's figures are made of, as a key: the month rows of the period
        (how many, their ids, the last refresh). A refresh replaces a month's rows (new ids),
        so any change gives another key, also when the clock stands still. One query on the
        index of (month, department)."""
        rows = MonthFigures.objects.filter(month__gte=self.start, month__lte=self.end)
        if self.department is not None:
            rows = rows.filter(department_id=self.department.pk)
        state = rows.aggregate(n=Count("id"), ids=Sum("id"), last=Max("refreshed_at"))
        last = state["last"].isoformat() if state["last"] else "-"
        return f"{state['n']}.{state['ids'] or 0}.{last}"


def dashboard_for(
    *, department: Department | None, start: date, end: date, today: date
) -> Dashboard:
    """The figures of now (three queries, or none while nothing they count has changed:
    ``open_now_kept``) and the time of the last refresh (one); the
    figures of the months ``start`` to ``end`` (first days of months, both included) are read
    only when drawn (``Dashboard.figures``, ``period_html``)."""
    refreshed = MonthFigures.objects.aggregate(last=Max("refreshed_at"))["last"]
    now = open_now_kept(today=today, department_id=department.pk if department else None)
    return Dashboard(start, end, department, now, refreshed, today)


# The period's part of the page, kept this long at most: its key changes with every refresh of
# the rollups; the limit covers what the key does not see (a theme renamed, say).
PERIOD_CACHE_SECONDS = 10 * 60


def period_html(board: Dashboard) -> str:
    """The period's part of the dashboard (reporting/dashboard_period.html): tables and charts
    of the month rollups, the same for everyone who may see that department, so drawn once per
    department, period, language and state of the rollups and then kept (``reporting.kept``).
    Drawing it costs three queries, the merging of the month rows and about 20 tables; the
    key costs one small query (``Dashboard.period_state``). A department's part is only ever
    given to whom the view lets see it."""
    department = board.department.pk if board.department else "all"
    key = (
        f"dashboard-period:{department}:{board.start.isoformat()}:{board.end.isoformat()}:"
        f"{get_language()}:{board.period_state()}"
    )
    html = kept(
        key,
        lambda: render_to_string("reporting/dashboard_period.html", {"dashboard": board}),
        PERIOD_CACHE_SECONDS,
    )
    return mark_safe(html)  # noqa: S308 -- rendered by a template with autoescaping


def _ratings(figures: PeriodFigures):
    by_value = {row.value: row for row in figures.ratings}
    return [(value, by_value[str(value)]) for value in sorted(Rating.values, reverse=True)]
