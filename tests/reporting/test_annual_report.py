"""The annual report (Awb 9:12a; issue 8, point 4).

The register holds exactly the written complaints received in the year and no personal data
(unique strings seeded in names, addresses, e-mails and descriptions appear in no output);
the summary's figures equal the figures computed from the specs in plain Python
(``expected`` of test_rollups); the command writes each format and refuses bad input; the
background job goes from queued to done with a downloadable file; reading the register costs
the same number of queries for few and many cases.
"""

import csv
import io
from datetime import date, datetime

import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from complaints.models import (
    ClosureReason,
    ComplaintPart,
    Judgment,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanOutcome,
    Stage,
    Theme,
)
from reporting.annual import (
    annual_report_write,
    annual_summary,
    register_rows,
)
from reporting.models import AnnualReportRun, RunStatus
from reporting.rollups import rollups_rebuild
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory
from tests.reporting.test_rollups import LOCAL, YEAR, build, data_set, expected

pytestmark = pytest.mark.django_db

SECRETS = (
    "Xantippe Geheimnaam",
    "geheim-adres@example.org",
    "Verborgenstraat 77",
    "0699887766",
    "Omschrijving-die-niet-mag-lekken",
    "Deelklacht-tekst-geheim",
    "Oplossing-geheim",
    "Slotnotitie-geheim",
)


def secret_case(**fields):
    case = ComplaintFactory(
        complainant_name=SECRETS[0],
        complainant_email=SECRETS[1],
        complainant_address=SECRETS[2],
        complainant_phone=SECRETS[3],
        conduct_description=SECRETS[4],
        solution=SECRETS[6],
        closure_note=SECRETS[7],
        parts=0,
        letters=[],
        **fields,
    )
    ComplaintPart.objects.create(
        complaint=case, number=1, description=SECRETS[5], judgment=Judgment.WELL_FOUNDED
    )
    ComplaintPart.objects.create(
        complaint=case, number=2, description=SECRETS[5], judgment=Judgment.UNFOUNDED
    )
    ComplaintPart.objects.create(
        complaint=case, number=3, description=SECRETS[5], judgment=Judgment.WELL_FOUNDED
    )
    return case


@pytest.fixture
def year_cases():
    """Written and oral complaints in 2025, and written ones just outside it."""
    department = DepartmentFactory(name='=HYPERLINK("http://evil")')
    theme = Theme.objects.order_by("pk").first()
    inside = [
        secret_case(
            department=department,
            received_on=date(2025, 1, 1),
            stage=Stage.CLOSED,
            closure_reason=ClosureReason.JUDGED,
            closed_at=datetime(2025, 2, 1, 0, 30, tzinfo=LOCAL),
            decision_due=date(2025, 2, 12),
        ),
        secret_case(department=department, received_on=date(2025, 12, 31), decision_due=None),
        secret_case(
            department=department,
            received_on=date(2025, 6, 2),
            stage=Stage.CLOSED,
            closure_reason=ClosureReason.RESOLVED,
            closed_at=datetime(2025, 8, 1, 10, tzinfo=LOCAL),
            decision_due=date(2025, 7, 14),
        ),
    ]
    inside[0].themes.set([theme])
    OmbudsmanCase.objects.create(
        complaint=inside[0],
        ombudsman=Ombudsman.objects.first(),
        taken_up_on=date(2025, 3, 1),
        outcome=OmbudsmanOutcome.MEDIATION,
        outcome_on=date(2025, 4, 1),
        outcome_summary=SECRETS[4],
        recorded_by=UserFactory(coordinator=True),
    )
    outside = [
        secret_case(department=department, received_on=date(2025, 3, 3), is_written=False),
        secret_case(department=department, received_on=date(2024, 12, 31)),
        secret_case(department=department, received_on=date(2026, 1, 1)),
    ]
    rollups_rebuild(since=date(2024, 12, 1))
    return inside, outside, theme


def test_the_register_holds_exactly_the_written_complaints_of_the_year(year_cases):
    inside, _outside, theme = year_cases
    with translation.override("en"):
        rows = list(register_rows(2025))
        mediation = str(OmbudsmanOutcome.MEDIATION.label)
    assert [row.reference for row in rows] == [
        inside[0].reference,
        inside[2].reference,
        inside[1].reference,
    ]  # by date of receipt
    first, resolved, still_open = rows
    assert first.rung == 3  # an ombudsman phase: rung 3
    assert first.themes == theme.name_en
    assert (first.well_founded, first.unfounded, first.no_judgment) == (2, 1, 0)
    assert first.closed_on == date(2025, 2, 1)  # local day, 23:30 UTC the day before
    assert first.in_term == "yes"
    assert first.ombudsman == mediation
    assert resolved.in_term == "no" and resolved.rung == 2 and resolved.ombudsman == ""
    assert still_open.closed_on is None and still_open.in_term == "\u2013"


def outputs(year: int) -> dict[str, bytes]:
    made = {}
    for file_format in ("csv", "xlsx", "pdf"):
        out = io.BytesIO()
        annual_report_write(year=year, file_format=file_format, out=out)
        made[file_format] = out.getvalue()
    return made


def xlsx_text(content: bytes) -> tuple[list[str], str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = [
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    ]
    return book.sheetnames, "\n".join(cells)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)


def test_no_output_holds_personal_data_or_free_text(year_cases):
    inside, _outside, _theme = year_cases
    made = outputs(2025)
    texts = {
        "csv": made["csv"].decode("utf-8-sig"),
        "xlsx": xlsx_text(made["xlsx"])[1],
        "pdf": pdf_text(made["pdf"]),
    }
    for name, text in texts.items():
        assert inside[0].reference in text, name
        for secret in SECRETS:
            assert secret not in text, (name, secret)


def test_the_spreadsheets_neutralise_formulas_and_have_a_summary_and_a_register(year_cases):
    inside, _outside, _theme = year_cases
    made = outputs(2025)
    rows = list(csv.reader(io.StringIO(made["csv"].decode("utf-8-sig"))))
    register = [row for row in rows if row and row[0].startswith("KL-")]
    assert {row[0] for row in register} == {case.reference for case in inside}
    assert all(row[2] == '\'=HYPERLINK("http://evil")' for row in register)
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)

    book = load_workbook(io.BytesIO(made["xlsx"]), read_only=True)
    assert len(book.sheetnames) == 2
    summary, sheet = book.worksheets
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 1 + len(inside)
    assert {row[0] for row in values[1:]} == {case.reference for case in inside}
    for row in values[1:]:
        assert row[2] == '\'=HYPERLINK("http://evil")'
    labels = [row[0] for row in summary.iter_rows(values_only=True) if row and row[0]]
    assert len(labels) > 10


def test_the_summary_figures_equal_the_figures_computed_from_the_specs():
    specs = data_set(50)
    build(specs)
    want = expected(specs, YEAR, None)
    summary = annual_summary(2025)
    f = summary.figures
    assert summary.register == want["received_written"]
    assert (f.received, f.received_written, f.closed) == (
        want["received"],
        want["received_written"],
        want["closed"],
    )
    assert [row.count for row in f.ended_at] == want["ended"]
    assert (f.in_term, f.with_term) == (want["in_term"], want["with_term"])
    assert f.median_lead_days == want["median_lead"]
    assert {r.value: r.count for r in f.closure_reasons if r.count} == dict(want["reasons"])
    assert f.ombudsman_taken_up == want["taken_up"]
    assert sum(t.count for t in f.themes) == sum(want["themes"].values())
    assert len(list(register_rows(2025))) == want["received_written"]


def test_reading_the_register_costs_the_same_number_of_queries_for_few_and_many_cases():
    department = DepartmentFactory()
    for _n in range(2):
        secret_case(department=department, received_on=date(2025, 4, 1))
    with CaptureQueriesContext(connection) as few:
        assert len(list(register_rows(2025))) == 2
    for _n in range(25):
        case = secret_case(department=department, received_on=date(2025, 5, 1))
        case.themes.set(Theme.objects.all()[:2])
    with CaptureQueriesContext(connection) as many:
        assert len(list(register_rows(2025))) == 27
    assert len(many) == len(few) <= 4


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_the_command_writes_each_format(year_cases, tmp_path, file_format):
    path = tmp_path / f"jaarverslag.{file_format}"
    call_command("annual_report", year="2025", format=file_format, output=str(path))
    content = path.read_bytes()
    assert {
        "csv": content.startswith(b"\xef\xbb\xbf"),
        "xlsx": content.startswith(b"PK"),
        "pdf": content.startswith(b"%PDF"),
    }[file_format]


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"year": "twenty", "format": "csv"}, "--year"),
        ({"year": "1850", "format": "csv"}, "--year"),
        ({"year": "2999", "format": "csv"}, "--year"),
        ({"year": "2025", "format": "docx"}, "--format"),
    ],
)
def test_the_command_refuses_bad_input(tmp_path, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("annual_report", output=str(tmp_path / "out"), **arguments)


def test_the_command_refuses_a_path_it_cannot_write(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command(
            "annual_report", year="2025", format="csv", output=str(tmp_path / "no" / "x.csv")
        )
    with pytest.raises(CommandError, match="folder"):
        call_command("annual_report", year="2025", format="csv", output=str(tmp_path))


# ---------------------------------------------------------------------------
# In the app
# ---------------------------------------------------------------------------
def test_the_background_job_goes_from_queued_to_done_with_a_downloadable_file(
    client, year_cases, django_capture_on_commit_callbacks
):
    inside, _outside, _theme = year_cases
    client.force_login(UserFactory(coordinator=True))
    page = client.get(reverse("reporting:annual"))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        answer = client.post(reverse("reporting:annual"), {"year": "2025", "format": "csv"})
    run = AnnualReportRun.objects.get()
    assert answer["Location"] == reverse("reporting:annual_run", args=[run.pk])
    assert run.status == RunStatus.QUEUED
    queued = client.get(reverse("reporting:annual_run", args=[run.pk])).content.decode()
    assert "progress" in queued and "hx-get" in queued

    for callback in callbacks:  # the commit: the task runs (eagerly in the tests)
        callback()
    run.refresh_from_db()
    assert (run.status, run.progress, run.error) == (RunStatus.DONE, 100, "")
    assert run.finished_at is not None
    done = client.get(reverse("reporting:annual_run", args=[run.pk])).content.decode()
    download_url = reverse("reporting:annual_download", args=[run.pk])
    assert download_url in done
    download = client.get(download_url)
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    body = b"".join(download.streaming_content).decode("utf-8-sig")
    assert inside[0].reference in body and SECRETS[0] not in body


def test_a_bad_year_keeps_the_form_with_a_message(client):
    client.force_login(UserFactory(coordinator=True))
    answer = client.post(reverse("reporting:annual"), {"year": "2999", "format": "pdf"})
    assert answer.status_code == 400
    assert not AnnualReportRun.objects.exists()


def test_only_producers_may_make_or_download_the_annual_report(client, year_cases):
    producer = UserFactory(coordinator=True)
    run = AnnualReportRun.objects.create(year=2025, format="csv", requested_by=producer)
    for user in (UserFactory(manager=True), UserFactory(handler=True)):
        client.force_login(user)
        assert client.get(reverse("reporting:annual")).status_code == 403
        assert client.get(reverse("reporting:annual_run", args=[run.pk])).status_code == 403
        assert client.get(reverse("reporting:annual_download", args=[run.pk])).status_code == 403
    client.force_login(producer)
    assert client.get(reverse("reporting:annual_download", args=[run.pk])).status_code == 404


def test_the_publishable_report_is_a_page(client, year_cases):
    client.force_login(UserFactory(board=True))
    client.cookies["django_language"] = "en"
    page = client.get(reverse("reporting:annual_page", args=[2025]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Written complaints received (the register)" in text
    for secret in SECRETS:
        assert secret not in text


def test_a_long_register_goes_into_the_pdf_as_lines_without_personal_data(year_cases, monkeypatch):
    import reporting.annual

    inside, _outside, _theme = year_cases
    monkeypatch.setattr(reporting.annual, "TABLE_ROWS", 1)
    out = io.BytesIO()
    annual_report_write(year=2025, file_format="pdf", out=out)
    text = pdf_text(out.getvalue())
    for case in inside:
        assert case.reference in text
    for secret in SECRETS:
        assert secret not in text
