"""Staff sign in with the demo log-in; the shells pass axe-core in Dutch and English."""

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADINGS = {
    "nl": {"login": "Inloggen", "public": "Een klacht indienen", "staff": "Welkom, Hamza"},
    "en": {"login": "Sign in", "public": "Make a complaint", "staff": "Welcome, Hamza"},
}


@pytest.fixture
def demo():
    call_command("seed_demo", force=True, verbosity=0)


def choose_language(page, language: str) -> None:
    page.goto("/")
    if page.locator("html").get_attribute("lang") != language:
        page.get_by_role("button", name={"en": "English", "nl": "Nederlands"}[language]).click()
    assert page.locator("html").get_attribute("lang") == language


@pytest.mark.parametrize("language", ["nl", "en"])
def test_demo_handler_signs_in_and_every_shell_passes_axe(page, axe, demo, language):
    choose_language(page, language)
    words = HEADINGS[language]

    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text() == words["public"]
    assert axe(page) == [], "public home"

    page.goto("/staff/")  # closed: sends us to sign in
    assert "/accounts/login/" in page.url
    assert page.get_by_role("heading", level=1).inner_text() == words["login"]
    assert axe(page) == [], "login page"

    page.get_by_label({"nl": "E-mailadres", "en": "E-mail address"}[language]).fill(
        "behandelaar@example.nl"
    )
    page.get_by_label({"nl": "Wachtwoord", "en": "Password"}[language]).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=words["login"]).click()

    page.wait_for_url("**/staff/")
    assert page.get_by_role("heading", level=1).inner_text() == words["staff"]
    assert page.get_by_text(
        {"nl": "Klachtbehandelaar", "en": "Complaint handler"}[language]
    ).is_visible()
    assert axe(page) == [], "staff home"

    page.get_by_role("button", name={"nl": "Uitloggen", "en": "Sign out"}[language]).click()
    page.wait_for_url("**/accounts/login/")


def test_a_wrong_password_shows_a_linked_error_and_keeps_the_address(page, axe, demo):
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill("behandelaar@example.nl")
    page.get_by_label("Wachtwoord").fill("niet-het-goede")
    page.get_by_role("button", name="Inloggen").click()
    assert page.get_by_role("alert").is_visible()
    assert page.get_by_label("E-mailadres").input_value() == "behandelaar@example.nl"
    assert axe(page) == [], "login page with errors"


def test_the_public_home_works_without_javascript(browser, live_server):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/")
    page.get_by_role("button", name="English").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Make a complaint"
    context.close()


def test_axe_finds_a_planted_violation(page, axe, live_server):
    """Guards the guard: the axe fixture really reports problems."""
    page.goto("/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=x>')")
    assert "image-alt" in [violation["id"] for violation in axe(page)]
