"""Case lists as CSV and XLSX downloads (issue 8, point 5).

Coordinators open these files in Excel or LibreOffice. A cell that starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) is read there as a formula, so text a citizen
typed (a complainant's name such as ``=HYPERLINK(...)``) could run in a coordinator's
spreadsheet. Every text cell goes through ``neutralise``, which puts a single quote in front,
as OWASP advises for CSV injection; the spreadsheet then shows the text as it was typed.

Both writers read the cases in a fixed number of queries: the caller's queryset with the
department, the handler and the themes joined or prefetched here. The file is built in memory:
a filtered case list is at most a few thousand rows.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from complaints.models import Complaint

# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Cell = str | int | date | datetime | None


def neutralise(value: Cell) -> Cell:
    """Text that a spreadsheet would run as a formula gets a leading single quote; any other
    value is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def headers() -> list[str]:
    """Column titles, in the language of the request."""
    return [
        _("Reference"),
        _("Received on"),
        _("Channel"),
        _("Stage"),
        _("Rung"),
        _("Department"),
        _("Handler"),
        _("Decision due"),
        _("Closed at"),
        _("Closure reason"),
        _("Themes"),
        _("Complainant name"),
    ]


def case_rows(complaints: QuerySet[Complaint]) -> Iterator[list[Cell]]:
    """One row per case, in the queryset's order; every value neutralised.

    Dates stay dates (the XLSX gets real date cells); ``closed_at`` is the local time without
    its time zone, because spreadsheets have no time zones."""
    cases = complaints.select_related("department", "handler").prefetch_related("themes")
    for case in cases:
        closed_at = (
            timezone.localtime(case.closed_at).replace(tzinfo=None) if case.closed_at else None
        )
        row: list[Cell] = [
            case.reference,
            case.received_on,
            case.get_channel_display(),
            case.get_stage_display(),
            case.rung,
            case.department.name,
            case.handler.full_name if case.handler else "",
            case.decision_due,
            closed_at,
            case.get_closure_reason_display(),
            ", ".join(theme.name for theme in case.themes.all()),
            case.complainant_name,
        ]
        yield [neutralise(value) for value in row]


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def cases_csv(complaints: QuerySet[Complaint]) -> bytes:
    """UTF-8 with a byte order mark (so Excel reads the accents right), comma-separated,
    dates as YYYY-MM-DD."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(title) for title in headers()])
    writer.writerows([_text(value) for value in row] for row in case_rows(complaints))
    return out.getvalue().encode("utf-8-sig")


def cases_xlsx(complaints: QuerySet[Complaint]) -> bytes:
    """One sheet with a header row that stays in view when scrolling."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Cases")
    sheet.append([neutralise(title) for title in headers()])
    for row in case_rows(complaints):
        sheet.append(row)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
