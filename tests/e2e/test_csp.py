"""The Content-Security-Policy holds in a real browser: the public form, the staff home and the
worklist load and work (htmx included) without a single violation or console error."""

import pytest
from django.conf import settings
from django.test import Client

from complaints.models import Complaint
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Runs before any script of the page: every violation the browser reports is kept.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(
        `${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`
        + ` at ${event.sourceFile}:${event.lineNumber}`
    );
});
"""


@pytest.fixture
def watched(page):
    """The page, with its console messages and CSP violations recorded."""
    console: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)

    def problems() -> list[str]:
        violations = page.evaluate("window.__cspViolations || []")
        return violations + [
            message
            for message in console
            if not message.startswith(("log:", "debug:"))
            # A refused form step answers 400 on purpose (with the errors); Chromium logs it.
            and "status of 400 (Bad Request)" not in message
        ]

    page.problems = problems
    return page


def test_the_public_form_runs_without_csp_violations(watched, live_server):
    watched.goto("/")
    assert watched.problems() == [], "public home"
    watched.goto("/complaint/")
    assert "/complaint/1/" in watched.url
    assert watched.locator("form").first.is_visible()
    assert watched.problems() == [], "public form, step 1"
    # A refused step (nothing filled in) renders the errors: still no violation.
    watched.locator("form button[type=submit]").last.click()
    watched.wait_for_load_state()
    assert watched.problems() == [], "public form with errors"


def test_the_staff_home_and_worklist_run_htmx_without_csp_violations(watched, live_server):
    department = DepartmentFactory()
    coordinator = UserFactory(coordinator=True, department=department)
    case, *_others = ComplaintFactory.create_batch(3, explore=True, department=department)
    assert Complaint.objects.filter(department=department).count() == 3

    client = Client()
    client.force_login(coordinator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    watched.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
    )

    watched.goto("/staff/")
    assert "/accounts/login/" not in watched.url
    # htmx loaded under the policy, with its configuration from the meta tag.
    watched.wait_for_function("window.htmx && htmx.config.allowEval === false")
    assert watched.evaluate("htmx.config.includeIndicatorStyles") is False
    assert watched.problems() == [], "staff home"

    watched.goto("/staff/complaints/")
    watched.wait_for_function("window.htmx !== undefined")
    assert watched.locator("main table, main ul, main ol").count() > 0
    assert watched.problems() == [], "worklist"

    # An htmx swap on a case page (a note added) runs under the same policy.
    watched.goto(f"/staff/complaints/{case.reference}/")
    watched.wait_for_function("window.htmx !== undefined")
    notes = watched.locator("#notes")
    notes.locator("textarea").fill("Gebeld, komt terug op het voorstel.")
    notes.get_by_role("button").click()
    watched.locator("#notes li", has_text="Gebeld, komt terug").wait_for()
    assert watched.problems() == [], "case page after an htmx swap"


def test_the_recorder_reports_a_planted_violation(watched, live_server):
    """Guards the guard: a style attribute and an inline script are reported."""
    watched.goto("/")
    watched.evaluate(
        "document.querySelector('main').insertAdjacentHTML('beforeend', "
        "'<p style=\"color: red\">x</p>')"
    )
    watched.wait_for_function("window.__cspViolations.length > 0")
    assert any("style-src" in problem for problem in watched.problems())
