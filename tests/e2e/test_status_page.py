"""The citizen's status page in a real browser, in Dutch and English: every state of it passes
axe-core (open, with errors, the withdraw confirmation, closed with the survey and the
ombudsman, the dead link, the request for a new link and its error state), and it works by
keyboard without JavaScript of our own. The whole flow from the public form is in
test_public.py."""

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import ClosureReason, Complaint, ReopenRequest, Stage, SurveyResponse
from complaints.services.status_links import status_link_issue
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Elements are found by their place in the page, not by their words: the Dutch texts come
# from the translation files, which this test does not own.
SEND_INFORMATION = "form[action$='/information/'] button[type=submit]"
SEND_SURVEY = "form[action$='/survey/'] button[type=submit]"
SEND_REOPEN = "form[action$='/not-solved/'] button[type=submit]"
CONFIRM_WITHDRAW = "form[action$='/withdraw/'] button[type=submit]"
SEND_REQUEST = "main form[action='/status/'] button[type=submit]"
ERROR_SUMMARY = ".kl-error-summary"


@pytest.fixture
def world(settings):
    settings.STATUS_LINK_RATE = "100000/h"
    cache.clear()
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    handler = UserFactory(handler=True, department=department, full_name="Hamza El Amrani")
    return {"department": department, "handler": handler}


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


@pytest.fixture
def open_language(page, live_server):
    def set_language(language: str) -> None:
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )

    return set_language


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_state_of_the_status_page_passes_axe(page: Page, axe, world, open_language, language):
    open_language(language)
    case = ComplaintFactory(
        explore=True, department=world["department"], handler=world["handler"],
        complainant_name="Fatima Yilmaz", complainant_email="fatima@example.nl",
    )  # fmt: skip
    token = status_link_issue(case)

    page.goto(f"/status/{token}/")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.locator("[aria-current=step]")).to_have_count(1)
    assert "Fatima" not in page.content()
    no_violations(axe, page, "status page, open")

    # An empty addition: the error summary links to the field.
    page.locator(SEND_INFORMATION).click()
    expect(page.locator(ERROR_SUMMARY)).to_be_visible()
    no_violations(axe, page, "status page with an error")
    page.locator(ERROR_SUMMARY).get_by_role("link").first.click()
    expect(page.locator("#id_text")).to_be_focused()

    # Withdrawing asks first; the confirmation page passes too.
    page.locator(f"a[href='/status/{token}/withdraw/']").click()
    no_violations(axe, page, "withdraw confirmation")
    page.locator(CONFIRM_WITHDRAW).click()
    case.refresh_from_db()
    assert (case.stage, case.closure_reason) == (Stage.CLOSED, ClosureReason.WITHDRAWN)
    no_violations(axe, page, "status page, withdrawn")

    # A judged case: "not solved", the survey and the ombudsman.
    judged = ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=world["department"],
        handler=world["handler"], closed_at=timezone.now(),
    )  # fmt: skip
    page.goto(f"/status/{status_link_issue(judged)}/")
    no_violations(axe, page, "status page, closed")
    page.locator(SEND_SURVEY).click()  # no rating chosen: an error
    expect(page.locator(ERROR_SUMMARY)).to_be_visible()
    no_violations(axe, page, "survey with an error")
    page.locator("#id_rating_3").check()
    page.locator(SEND_SURVEY).click()
    expect(page.locator(ERROR_SUMMARY)).to_have_count(0)
    assert SurveyResponse.objects.get(complaint=judged).rating == 4
    page.locator("#id_reason").fill("De vergunning is er nog steeds niet.")
    page.locator(SEND_REOPEN).click()
    expect(page.locator("#id_reason")).to_have_count(0)  # replaced by "we received it"
    assert ReopenRequest.objects.filter(complaint=judged).count() == 1
    no_violations(axe, page, "status page after a request to reopen")

    # A link that does not work, and the request for a new one.
    page.goto(f"/status/{'x' * 32}/")
    no_violations(axe, page, "dead link")
    page.locator("main a[href='/status/']").click()
    no_violations(axe, page, "request a new link")
    page.locator(SEND_REQUEST).click()
    expect(page.locator(ERROR_SUMMARY)).to_be_visible()
    no_violations(axe, page, "request a new link, with errors")
    assert Complaint.objects.count() == 2


def test_the_status_page_works_by_keyboard(page: Page, world, open_language):
    open_language("en")
    case = ComplaintFactory(explore=True, department=world["department"], handler=world["handler"])
    page.goto(f"/status/{status_link_issue(case)}/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "text":
            break
    page.keyboard.type("Nog een brief, van 3 november.")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "submit":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_text("We added your information")).to_be_visible()
    assert case.events.get(kind="citizen").note == "Nog een brief, van 3 november."
