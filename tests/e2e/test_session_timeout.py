"""A session that ended while the case page was open: the next action sends the browser to
sign in, and signing in leads back to the case page (accounts.middleware.SignInAgainMiddleware).
Without it, htmx swapped the sign-in page into the case page and the case disappeared."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from complaints.models import Complaint, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page) -> None:
    page.get_by_label("E-mailadres").fill("behandelaar@example.nl")
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


def open_a_case_of_the_handler(page: Page) -> Complaint:
    """The demo data; the demo handler signed in, on the page of one of their open cases."""
    call_command("seed_demo", force=True, verbosity=0)
    page.goto("/accounts/login/")
    sign_in(page)
    page.wait_for_url("**/staff/")
    case = (
        Complaint.objects.filter(handler__email="behandelaar@example.nl")
        .exclude(stage=Stage.CLOSED)
        .order_by("reference")
        .first()
    )
    page.goto(f"/staff/complaints/{case.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
    return case


def test_an_action_after_the_session_ended_signs_in_back_to_the_case_page(page: Page):
    case = open_a_case_of_the_handler(page)

    # The session ends on the server side (as after 30 idle minutes); the page stays open.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("textbox", name="Notitie").fill("Terugbellen op vrijdag")
    page.get_by_role("button", name="Notitie toevoegen").click()

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    sign_in(page)
    page.wait_for_url(f"**/staff/complaints/{case.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)


def test_a_note_typed_past_the_idle_timeout_is_shown_to_copy_after_signing_in(page: Page):
    """The session times out while the handler types (30 minutes without a request): the
    note is not saved, and after signing in again it is on the case page, to copy."""
    from importlib import import_module

    from django.conf import settings

    from accounts.middleware import LAST_SEEN

    case = open_a_case_of_the_handler(page)
    page.get_by_role("textbox", name="Notitie").fill("Teruggebeld; afspraak op dinsdag 10 uur")

    # Half an hour passes without a request: the session's last request is moved back.
    key = next(c["value"] for c in page.context.cookies() if c["name"] == "sessionid")
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
    session[LAST_SEEN] -= settings.SESSION_IDLE_TIMEOUT + 60
    session.save()
    page.get_by_role("button", name="Notitie toevoegen").click()

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    expect(page.get_by_text("U bent uitgelogd", exact=False)).to_be_visible()
    sign_in(page)
    page.wait_for_url(f"**/staff/complaints/{case.reference}/")
    expect(page.get_by_role("heading", name="Niet opgeslagen: wat u typte")).to_be_visible()
    expect(page.get_by_role("textbox", name="Wat u typte")).to_have_value(
        "Teruggebeld; afspraak op dinsdag 10 uur"
    )
    assert not case.notes.exists()
