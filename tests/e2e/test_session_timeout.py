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


def test_an_action_after_the_session_ended_signs_in_back_to_the_case_page(page: Page):
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

    # The session ends on the server side (as after 30 idle minutes); the page stays open.
    page.context.clear_cookies(name="sessionid")
    page.get_by_role("textbox", name="Notitie").fill("Terugbellen op vrijdag")
    page.get_by_role("button", name="Notitie toevoegen").click()

    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    sign_in(page)
    page.wait_for_url(f"**/staff/complaints/{case.reference}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(case.reference)
