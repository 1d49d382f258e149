"""Citizens in a real browser: the complaint form in Dutch and English, by keyboard only,
the acknowledgement at a real SMTP server, the private status link, and staff seeing what the
citizen added. Every public page, the form's error state included, passes axe-core."""

import re
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from PIL import Image
from playwright.sync_api import Page, expect

from complaints.models import Attachment, CaseEvent, Complaint, EventKind
from tests.factories import PASSWORD, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WORDS = {
    "nl": {
        "start": "Online een klacht indienen",
        "next": "Volgende",
        "send": "Mijn klacht versturen",
        "name": "Uw naam",
        "email": "E-mailadres",
        "what": "Wat is er gebeurd?",
        "department": "Over welke afdeling gaat het?",
        "wish": "Wat wilt u dat wij doen?",
        "files": "Bestanden toevoegen",
        "sent": "Wij hebben uw klacht ontvangen",
        "errors": "Controleer het volgende",
        "add": "Wat wilt u toevoegen?",
        "add_button": "Versturen",
        "added": "Dank u. Wij hebben uw informatie aan uw klacht toegevoegd.",
    },
    "en": {
        "start": "Make a complaint online",
        "next": "Next",
        "send": "Send my complaint",
        "name": "Your name",
        "email": "E-mail address",
        "what": "What happened?",
        "department": "Which department is it about?",
        "wish": "What would you like us to do?",
        "files": "Add files",
        "sent": "We received your complaint",
        "errors": "Please check the following",
        "add": "What do you want to add?",
        "add_button": "Send",
        "added": "Thank you. We added your information to your complaint.",
    },
}


@pytest.fixture
def citizen_world(live_server, settings, smtp_server):
    settings.SITE_URL = live_server.url
    cache.clear()
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    handler = UserFactory(
        handler=True, department=department, email="behandelaar@example.nl", full_name="Hamza"
    )
    return {"department": department, "handler": handler, "smtp": smtp_server}


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "balie.jpg"
    Image.new("RGB", (64, 48), "green").save(path, "JPEG")
    return path


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


def choose_language(page: Page, language: str) -> None:
    if page.locator("html").get_attribute("lang") != language:
        page.get_by_role("button", name={"en": "English", "nl": "Nederlands"}[language]).click()
    assert page.locator("html").get_attribute("lang") == language


def wait_for_mail(smtp, count: int = 1, seconds: float = 10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(smtp.messages) >= count:
            return smtp.messages
        time.sleep(0.1)
    raise AssertionError(f"expected {count} mail(s), got {len(smtp.messages)}")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_a_citizen_complains_follows_it_and_adds_information(
    page: Page, axe, citizen_world, tmp_path, language
):
    w = WORDS[language]
    page.goto("/")
    choose_language(page, language)
    no_violations(axe, page, "home")
    page.get_by_role("link", name=w["start"]).click()

    # Step 1, first with an error: the summary links to the field, the rest is kept.
    page.get_by_label(w["email"]).fill("fatima@example.nl")
    page.get_by_role("button", name=w["next"]).click()
    expect(page.get_by_role("heading", name=w["errors"])).to_be_visible()
    expect(page.get_by_label(w["email"])).to_have_value("fatima@example.nl")
    no_violations(axe, page, "step 1 with errors")
    page.get_by_role("alert").get_by_role("link").first.click()
    expect(page.get_by_label(w["name"])).to_be_focused()
    page.get_by_label(w["name"]).fill("Fatima Yilmaz")
    no_violations(axe, page, "step 1")
    page.get_by_role("button", name=w["next"]).click()

    page.get_by_label(w["what"]).fill("Aan de balie werd ik weggestuurd zonder uitleg.")
    page.get_by_label(w["department"]).select_option(label="Burgerzaken")
    no_violations(axe, page, "step 2")
    page.get_by_role("button", name=w["next"]).click()

    page.get_by_label(w["wish"]).fill("Excuses en een nieuwe afspraak.")
    page.get_by_label(w["files"]).set_input_files(photo(tmp_path))
    no_violations(axe, page, "step 3")
    page.get_by_role("button", name=w["next"]).click()

    expect(page.get_by_text("balie.jpg")).to_be_visible()
    no_violations(axe, page, "step 4")
    page.get_by_role("button", name=w["send"]).click()
    expect(page.get_by_role("heading", name=w["sent"], level=1)).to_be_visible()
    no_violations(axe, page, "confirmation")
    complaint = Complaint.objects.get()
    expect(page.locator(".kl-reference")).to_have_text(complaint.reference)
    assert complaint.language == language
    assert Attachment.objects.get(complaint=complaint).added_by_citizen

    # The acknowledgement arrives at the SMTP server, with the private status link.
    [mail] = wait_for_mail(citizen_world["smtp"])
    assert mail["To"] == "fatima@example.nl"
    assert complaint.reference in mail["Subject"]
    body = citizen_world["smtp"].bodies()[0]
    link = re.search(r"https?://\S+/status/\S+/", body).group(0)

    page.goto(link)
    expect(page.get_by_text(complaint.reference).first).to_be_visible()
    assert "Fatima" not in page.content()  # no personal data on the status page
    no_violations(axe, page, "status page")
    page.get_by_label(w["add"]).fill("Ik heb nog een brief van 3 november.")
    page.get_by_role("button", name=w["add_button"], exact=True).click()
    expect(page.get_by_text(w["added"])).to_be_visible()
    no_violations(axe, page, "status page after adding")

    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.CITIZEN)
    assert "brief van 3 november" in event.note

    # The handler sees it on the case.
    staff = page.context.browser.new_context(base_url=page.url.split("/status/")[0])
    staff_page = staff.new_page()
    staff_page.goto("/accounts/login/")
    staff_page.locator("#id_username").fill("behandelaar@example.nl")
    staff_page.locator("#id_password").fill(PASSWORD)
    staff_page.locator("main form button[type=submit]").click()
    staff_page.wait_for_url("**/staff/")
    staff_page.goto(f"/staff/complaints/{complaint.reference}/")
    expect(staff_page.get_by_text("Ik heb nog een brief van 3 november.")).to_be_visible()
    staff.close()


PRIMARY = "document.activeElement.classList.contains('utrecht-button--primary-action')"


def test_the_form_works_by_keyboard_only(page: Page, axe, citizen_world):
    page.goto("/complaint/1/")
    page.keyboard.press("Tab")  # skip link
    focused_name = ""
    for _ in range(10):  # tab to the name field
        page.keyboard.press("Tab")
        focused_name = page.evaluate("document.activeElement.name")
        if focused_name == "complainant_name":
            break
    assert focused_name == "complainant_name"
    page.keyboard.type("Kees de Vries")
    page.keyboard.press("Tab")
    page.keyboard.type("kees@example.nl")
    page.keyboard.press("Enter")  # submits the step
    page.wait_for_url("**/complaint/2/")
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.name") != "conduct_description":
        page.keyboard.press("Tab")
    page.keyboard.type("De brief was onbegrijpelijk.")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(PRIMARY):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/complaint/3/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(PRIMARY):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/complaint/4/")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(PRIMARY):
            break
    assert page.evaluate("document.activeElement.name") != "website"  # honeypot skipped
    page.keyboard.press("Enter")
    page.wait_for_url("**/complaint/sent/")
    assert Complaint.objects.get().complainant_name == "Kees de Vries"


def test_the_form_works_without_javascript(browser, live_server, citizen_world):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/complaint/1/")
    page.locator("#id_complainant_name").fill("Zonder Script")
    page.locator("#id_complainant_phone").fill("06 11111111")
    page.locator("#id_preferred_contact_0").check()  # phone
    page.locator("button.utrecht-button--primary-action").click()
    page.locator("#id_conduct_description").fill("Niemand belde terug.")
    page.locator("button.utrecht-button--primary-action").click()
    page.locator("button.utrecht-button--primary-action").click()
    page.locator("button.utrecht-button--primary-action").click()
    page.wait_for_url("**/complaint/sent/")
    assert Complaint.objects.get().complainant_phone == "06 11111111"
    context.close()
