"""The annual report (Awb 9:12a; issue 8, point 4): the register of the written complaints
received in a year, anonymised, and the publishable report on that year.

Awb 9:12a: the administrative body registers the written complaints and publishes the
register yearly. The register here holds no names, addresses, descriptions or other free text:
only the reference, dates, department, channel, themes, rung, closure reason, timeliness, the
judgments of the parts as counts, and the ombudsman's outcome.

The register is read in a fixed number of queries whatever the number of cases: the cases (one
query, streamed with ``iterator``), their themes and the judgment counts of their parts (one
grouped query each, streamed in the same order and merged), plus the theme names and a count.
The publishable report is the year's figures from the month rollups (``reporting.figures``)
and the improvement actions of the year.

Writers: CSV (the summary first, then the register), XLSX (a summary sheet and a register
sheet, write-only mode) and PDF (WeasyPrint, no network). Every text cell of the spreadsheets
goes through ``reporting.exports.neutralise``.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO, NamedTuple

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from complaints.models import (
    Channel,
    ClosureReason,
    Complaint,
    Judgment,
    OmbudsmanOutcome,
)

from .exports import neutralise
from .figures import PeriodFigures, period_figures
from .services.reports import period_actions
from .xlsx import XlsxWriter

FORMATS = ("csv", "xlsx", "pdf")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
CHUNK = 5000  # rows per fetch, and how often progress is reported
FIRST_YEAR = 2000
TABLE_ROWS = 2000  # a longer register goes into the PDF as lines, not a table (see the template)
NONE = "\u2013"  # an en dash: "not applicable"

Progress = Callable[[int], None]  # a whole percentage, 0..100


def _nothing(_percent: int) -> None:
    pass


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


# ---------------------------------------------------------------------------
# The register
# ---------------------------------------------------------------------------
def register_headers() -> list[str]:
    """Column titles, in the active language."""
    return [
        _("Reference"),
        _("Received on"),
        _("Department"),
        _("Channel"),
        _("Themes"),
        _("Rung"),
        _("Closure reason"),
        _("Closed on"),
        _("Within the legal term"),
        _("Parts well-founded"),
        _("Parts unfounded"),
        _("Parts without judgment"),
        _("Ombudsman outcome"),
    ]


class RegisterRow(NamedTuple):
    """One row of the register: the cells in the order of ``register_headers``."""

    reference: str
    received_on: date
    department: str
    channel: str
    themes: str
    rung: int  # the rung it ended at (so far); 3 once an ombudsman took it up
    closure_reason: str
    closed_on: date | None  # the local day
    in_term: str  # yes, no, or NONE when not closed or without a legal decision date
    well_founded: int
    unfounded: int
    no_judgment: int
    ombudsman: str


def register_cases(year: int):
    """The written complaints received in ``year`` (Awb 9:12a registers written ones)."""
    first, last = year_bounds(year)
    return Complaint.objects.filter(
        is_written=True, received_on__gte=first, received_on__lte=last
    ).order_by()


def register_count(year: int) -> int:
    return register_cases(year).count()


def _label(field: str, choices, default: str = "") -> Case:
    """The label of a choice field in the active language, computed by the database."""
    return Case(
        *[When(**{field: value}, then=Value(str(label))) for value, label in choices],
        default=Value(default),
        output_field=CharField(),
    )


def _parts(judgment: str) -> Count:
    # distinct: the themes' join multiplies the parts' rows.
    return Count("parts", filter=Q(parts__judgment=judgment), distinct=True)


def _theme_names() -> str:
    return "theme__name_en" if (get_language() or "nl").startswith("en") else "theme__name_nl"


def register_rows(
    year: int, *, progress: Progress = _nothing, total: int = 0
) -> Iterator[RegisterRow]:
    """The register of ``year``, by date of receipt and reference, in the active language:
    one grouped query, streamed, in which the database computes every cell (labels, local
    closing day, timeliness, the judgments of the parts as counts and, on PostgreSQL, the
    themes with StringAgg); elsewhere (SQLite) the themes come from one more query.
    ``progress`` is told the share read every CHUNK rows when ``total`` is given."""
    closed_on = TruncDate("closed_at")  # the local day (settings.TIME_ZONE)
    none = Value(NONE)
    names = _theme_names()
    postgres = connection.vendor == "postgresql"
    cells = (
        register_cases(year)
        .annotate(
            channel_label=_label("channel", Channel.choices),
            rung_ended=Case(
                When(ombudsman_case__isnull=False, then=Value(3)),
                default=F("rung"),
                output_field=IntegerField(),
            ),
            reason_label=_label("closure_reason", ClosureReason.choices),
            closed_on=closed_on,
            in_term=Case(
                When(closed_at__isnull=True, then=none),
                When(decision_due__isnull=True, then=none),
                When(decision_due__gte=closed_on, then=Value(_("yes"))),
                default=Value(_("no")),
                output_field=CharField(),
            ),
            ombudsman=Case(
                When(ombudsman_case__isnull=True, then=Value("")),
                *[
                    When(ombudsman_case__outcome=value, then=Value(str(label)))
                    for value, label in OmbudsmanOutcome.choices
                ],
                default=Value(_("taken up, no outcome yet")),
                output_field=CharField(),
            ),
        )
        .values(
            "id",
            "reference",
            "received_on",
            "department__name",
            "channel_label",
            "rung_ended",
            "reason_label",
            "closed_on",
            "in_term",
            "ombudsman",
        )
    )
    if postgres:
        from django.contrib.postgres.aggregates import StringAgg

        name = f"themes__{names[len('theme__') :]}"
        themes = StringAgg(name, ", ", distinct=True, order_by=name, output_field=CharField())
        cells = cells.annotate(themes_text=Coalesce(themes, Value(""), output_field=CharField()))
    rows = (
        cells.annotate(
            well_founded=_parts(Judgment.WELL_FOUNDED),
            unfounded=_parts(Judgment.UNFOUNDED),
            no_judgment=_parts(Judgment.NO_JUDGMENT),
        )
        .order_by("received_on", "id")
        .values_list(
            "reference",
            "received_on",
            "department__name",
            "channel_label",
            "themes_text" if postgres else "id",
            "rung_ended",
            "reason_label",
            "closed_on",
            "in_term",
            "well_founded",
            "unfounded",
            "no_judgment",
            "ombudsman",
        )
    )
    by_case = {} if postgres else _themes_by_case(year, names)
    for done, row in enumerate(rows.iterator(chunk_size=CHUNK), start=1):
        if not postgres:
            row = (*row[:4], by_case.get(row[4], ""), *row[5:])
        yield RegisterRow._make(row)
        if total and done % CHUNK == 0:
            progress(min(99, done * 100 // total))


def _themes_by_case(year: int, names: str) -> dict[int, str]:
    """Without StringAgg (SQLite, a laptop's data): the themes per case in one query."""
    first, last = year_bounds(year)
    found: dict[int, list[str]] = {}
    for complaint_id, name in (
        Complaint.themes.through.objects.filter(
            complaint__is_written=True,
            complaint__received_on__gte=first,
            complaint__received_on__lte=last,
        )
        .order_by(names)
        .values_list("complaint_id", names)
    ):
        found.setdefault(complaint_id, []).append(name)
    return {pk: ", ".join(names) for pk, names in found.items()}


# ---------------------------------------------------------------------------
# The publishable report
# ---------------------------------------------------------------------------
@dataclass
class AnnualSummary:
    year: int
    figures: PeriodFigures
    register: int  # written complaints received: the rows of the register
    actions: dict  # created, completed, overdue (at the end of the year)


def annual_summary(year: int) -> AnnualSummary:
    """The year's figures for the organisation (the month rollups), the size of the register
    and the improvement actions of the year. Six queries."""
    first, last = year_bounds(year)
    return AnnualSummary(
        year=year,
        figures=period_figures(start=first, end=last, top_themes=1000),
        register=register_count(year),
        actions=period_actions(first, last, None, limit=0),
    )


def _percent(ratio) -> str:
    return NONE if ratio.percent is None else f"{ratio.percent}%"


def summary_sections(summary: AnnualSummary) -> list[tuple[str, list[tuple[str, object]]]]:
    """The publishable report as titled sections of (label, value) rows, in the active
    language: what the CSV, XLSX, PDF and the page show."""
    f = summary.figures
    median = f.median_lead_days
    return [
        (
            _("Volumes"),
            [
                (_("Complaints received"), f.received),
                (_("Written complaints received (the register)"), summary.register),
                (_("Complaints closed"), f.closed),
            ],
        ),
        (_("Outcomes"), [(row.label, row.count) for row in f.closure_reasons]),
        (_("Judgments of the complaint parts"), [(row.label, row.count) for row in f.judgments]),
        (
            _("Timeliness"),
            [
                (_("Closed cases with a legal decision date"), f.with_term),
                (_("Of these, decided within the legal term"), f.in_term),
                (_("Share decided within the legal term"), _percent(f.in_term_share)),
                (
                    _("Median lead time (calendar days)"),
                    NONE if median is None else f"{median:g}",
                ),
            ],
        ),
        (
            _("The complaint ladder"),
            [
                *[(_("Ended at %(rung)s") % {"rung": row.label}, row.count) for row in f.ended_at],
                (_("Logged at rung 1"), f.logged_rung1),
                (_("Handed over from rung 1 to a complaint handler"), f.escalated),
                (_("Share ended at rung 1"), _percent(f.stay_low)),
            ],
        ),
        (
            _("Ombudsman"),
            [
                (_("Taken up by an ombudsman"), f.ombudsman_taken_up),
                *[(row.label, row.count) for row in f.ombudsman_outcomes],
            ],
        ),
        (_("Themes (complaints received)"), [(row.theme, row.count) for row in f.themes]),
        (
            _("Improvement actions"),
            [
                (_("Started"), summary.actions["created"]),
                (_("Completed"), summary.actions["completed"]),
                (_("Overdue at the end of the year"), summary.actions["overdue"]),
            ],
        ),
    ]


def report_title(year: int) -> str:
    return _("Annual report on complaints %(year)s") % {"year": year}


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------
def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# The register's free-ish text: the department's and the themes' names (kept by the functional
# administrator) and the reference; every other cell is a number, a date or one of our labels.
TEXT_COLUMNS = (0, 2, 4)


def _neutralised(rows: Iterator[RegisterRow]) -> Iterator[list]:
    for row in rows:
        cells = list(row)
        for index in TEXT_COLUMNS:
            cells[index] = neutralise(cells[index])
        yield cells


def write_csv(out: BinaryIO, year: int, *, progress: Progress = _nothing) -> None:
    """UTF-8 with a byte order mark (Excel), comma-separated: the title, the summary as
    section / label / value rows, an empty row, then the register with its header. Dates
    are written as YYYY-MM-DD."""
    summary = annual_summary(year)
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow([neutralise(report_title(year))])
    for title, rows in summary_sections(summary):
        for label, value in rows:
            writer.writerow([neutralise(title), neutralise(str(label)), _text(value)])
    writer.writerow([])
    writer.writerow([neutralise(title) for title in register_headers()])
    writer.writerows(_neutralised(register_rows(year, progress=progress, total=summary.register)))
    text.flush()
    text.detach()


def write_xlsx(out: BinaryIO, year: int, *, progress: Progress = _nothing) -> None:
    """A summary sheet and a register sheet (its header row stays in view), streamed by
    reporting.xlsx: openpyxl needs over a minute for a year of 100,000 complaints."""
    summary = annual_summary(year)

    def summary_rows():
        yield [neutralise(report_title(year))]
        for title, rows in summary_sections(summary):
            yield []
            yield [neutralise(title)]
            for label, value in rows:
                yield [neutralise(str(label)), neutralise(value)]

    register = _neutralised(register_rows(year, progress=progress, total=summary.register))
    with XlsxWriter(out) as book:
        book.sheet(_("Summary"), summary_rows())
        book.sheet(_("Register"), itertools.chain([register_headers()], register), header=True)


def annual_html(year: int, *, progress: Progress = _nothing, for_pdf: bool = True) -> str:
    summary = annual_summary(year)
    rows = list(register_rows(year, progress=lambda p: progress(p // 2), total=summary.register))
    return render_to_string(
        "reporting/pdf/annual_report.html",
        {
            "title": report_title(year),
            "summary": summary,
            "sections": summary_sections(summary),
            "headers": register_headers(),
            "rows": rows,
            "compact": len(rows) > TABLE_ROWS,
            "made_on": date_format(timezone.localdate(), "j F Y"),
        },
    )


def write_pdf(out: BinaryIO, year: int, *, progress: Progress = _nothing) -> None:
    """The summary and the register as a table, landscape A4."""
    from .pdf import html_to_pdf

    html = annual_html(year, progress=progress)
    progress(60)
    out.write(html_to_pdf(html))


WRITERS = {"csv": write_csv, "xlsx": write_xlsx, "pdf": write_pdf}


def annual_report_write(
    *, year: int, file_format: str, out: BinaryIO, progress: Progress = _nothing
) -> None:
    """Write the annual report of ``year`` in ``file_format`` (csv, xlsx, pdf) to ``out``."""
    if file_format not in WRITERS:
        raise ValueError(f"Unknown format: {file_format!r}")
    WRITERS[file_format](out, year, progress=progress)
    progress(100)


def file_name(year: int, file_format: str) -> str:
    return f"annual-report-{year}.{file_format}"
