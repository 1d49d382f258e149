"""A handler writes, previews and sends an outcome letter in the browser (Awb 9:12), and the
complainant receives it, with the PDF, at a local SMTP server; then the case closes as judged.

The letter page and the case page pass axe-core. Elements are found by their place in the
page (ids, form actions), not by their words, where the Dutch texts come from translation
files this test does not own; the letter's own words are the seeded Dutch template's.
"""

import io
import re
import time
from pathlib import Path

import pypdf
import pytest
from playwright.sync_api import Page, expect

from complaints.models import ClosureReason, Complaint, Letter, LetterKind, LetterStatus, Stage
from tests.factories import PASSWORD, ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

XSS = '<img src=x onerror="window.__xss=1">'
FINDINGS = f"Wij spraken met u en met de medewerker. {XSS} De medewerker erkent de toon."
CONCLUSIONS = "Wij maken excuses. De medewerker volgt een training in bejegening."


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


@pytest.fixture
def handler():
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    return UserFactory(
        handler=True, department=department, full_name="Hamza El Amrani", email="h@example.nl"
    )


def sign_in(page: Page, user) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/staff/")


def wait_for_mail(smtp_server, count: int = 1, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while len(smtp_server.messages) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert len(smtp_server.messages) >= count, "no mail arrived at the SMTP server"
    return smtp_server.messages[count - 1]


def test_a_handler_writes_previews_and_sends_the_outcome_letter_and_the_complainant_gets_it(
    page: Page, axe, handler, smtp_server
):
    complaint = ComplaintFactory(
        judge=True,
        letters=[],  # no outcome letter yet: closing as judged waits for it
        department=handler.department,
        handler=handler,
        language="nl",
        complainant_name="Aaltje Proef",
        complainant_email="aaltje@example.nl",
        complainant_address="Kerkstraat 12\n3511 AB Utrecht",
    )
    sign_in(page, handler)
    case_url = f"/staff/complaints/{complaint.reference}/"
    page.goto(case_url)
    # Closing as judged is not possible yet, and the page says why (Awb 9:12).
    expect(page.locator("#why-close_judged")).to_contain_text("9:12")
    no_violations(axe, page, "case page, letters panel")

    # --- write: choose the kind, the draft comes from the template and the case --------
    letters = page.locator("#letters")
    letters.locator("#id_letter-kind").select_option(LetterKind.OUTCOME.value)
    letters.locator("#id_letter-recipient").select_option("complainant")
    letters.locator("form[action$='/letters/new/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/letters/\d+/$"))
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Ons oordeel per klachtonderdeel")
    expect(preview).to_contain_text("Gegrond".lower())  # the judged part
    expect(preview).to_contain_text("Nationale ombudsman")  # Awb 9:12: which ombudsman
    # The two sections a handler writes are still empty, and the page says so.
    expect(page.locator("#missing li")).to_have_count(2)
    no_violations(axe, page, "letter page, new draft")

    # --- the builder refuses the incomplete letter and names the missing section ---------
    page.locator("#id_section_conclusions").fill(CONCLUSIONS)
    page.locator("button[name=action][value=send]").click()
    expect(page.locator("#messages")).to_contain_text("Wat wij hebben onderzocht")
    assert Letter.objects.get(complaint=complaint).status == LetterStatus.DRAFT
    # What was typed is kept.
    expect(page.locator("#id_section_conclusions")).to_have_value(CONCLUSIONS)

    # --- write the findings, preview -----------------------------------------------------
    page.locator("#id_section_findings").fill(FINDINGS)
    page.locator("button[name=action][value=save]").click()
    expect(preview).to_contain_text("De medewerker erkent de toon.")
    expect(preview).to_contain_text(XSS)  # shown as text, never as markup
    expect(page.locator("#missing")).to_have_count(0)
    expect(page.locator("#readability")).to_be_visible()
    assert page.evaluate("window.__xss") is None
    no_violations(axe, page, "letter page, complete draft with the readability aid")

    # --- send ------------------------------------------------------------------------------
    page.locator("button[name=action][value=send]").click()
    expect(page.locator("#sent")).to_be_visible()
    expect(page.locator(".kl-hash")).to_have_text(re.compile(r"^[0-9a-f]{64}$"))
    no_violations(axe, page, "letter page, sent")
    letter = Letter.objects.get(complaint=complaint)
    assert letter.status == LetterStatus.SENT and letter.is_intact()

    # --- the complainant receives it, with the PDF -----------------------------------------
    mail = wait_for_mail(smtp_server)
    assert mail["X-Envelope-To"] == "aaltje@example.nl"
    assert complaint.reference in mail["Subject"]
    body = smtp_server.bodies()[0]
    assert "De medewerker erkent de toon." in body
    [attachment] = [part for part in mail.walk() if part.get_content_type() == "application/pdf"]
    pdf = attachment.get_payload(decode=True)
    with letter.pdf.open("rb") as stored:
        assert pdf == stored.read()  # the very PDF the content hash covers
    text = " ".join(
        page_.extract_text() for page_ in pypdf.PdfReader(io.BytesIO(pdf)).pages
    ).replace("\n", " ")
    for expected in ("Wat wij hebben onderzocht", "De medewerker erkent de toon.", CONCLUSIONS,
                     "Nationale ombudsman", "Hamza El Amrani", XSS):  # fmt: skip
        assert expected in text

    # --- and now the case closes as judged -------------------------------------------------
    page.goto(case_url)
    expect(page.locator("#letters")).to_contain_text(str(LetterKind.OUTCOME.label))
    page.locator("form:has(input[name=name][value=close_judged]) button[type=submit]").click()
    expect(page.locator("#messages")).to_contain_text(re.compile("Afgesloten|Closed"))
    closed = Complaint.objects.get(pk=complaint.pk)
    assert (closed.stage, closed.closure_reason) == (Stage.CLOSED, ClosureReason.JUDGED)


def test_a_letter_for_post_is_printed_marked_posted_and_passes_axe_in_english(
    page: Page, axe, handler, live_server
):
    """Without an e-mail address the letter is made for post: the handler downloads the PDF,
    posts it and marks it posted. The pages in English pass axe-core too."""
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    complaint = ComplaintFactory(
        intake=True,
        department=handler.department,
        handler=handler,
        language="en",
        complainant_email="",
        complainant_address="Kerkstraat 12\n3511 AB Utrecht",
        not_handled_ground="e",
    )
    sign_in(page, handler)
    page.goto(f"/staff/complaints/{complaint.reference}/")
    page.locator("#id_letter-kind").select_option(LetterKind.NOT_HANDLED.value)
    page.locator("form[action$='/letters/new/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/letters/\d+/$"))
    expect(page.locator("#preview")).to_contain_text("a court judges or has judged it")
    no_violations(axe, page, "letter page in English, draft")

    page.locator("button[name=action][value=send]").click()
    expect(page.locator("form[action$='/posted/']")).to_be_visible()
    no_violations(axe, page, "letter page, ready to post")
    with page.expect_download() as download:
        page.locator("a[href$='/pdf/']").click()
    assert download.value.suggested_filename == f"{complaint.reference}-not_handled.pdf"
    letter = Letter.objects.get(complaint=complaint)
    with letter.pdf.open("rb") as stored:
        assert Path(download.value.path()).read_bytes() == stored.read()

    page.locator("form[action$='/posted/'] button[type=submit]").click()
    expect(page.locator("form[action$='/posted/']")).to_have_count(0)
    assert Letter.objects.get(pk=letter.pk).status == LetterStatus.SENT
    page.goto(f"/staff/complaints/{complaint.reference}/")
    # The move is now possible (Awb 9:8: the notice is sent).
    expect(page.locator("form:has(input[name=name][value=close_not_handled])")).to_have_count(1)
