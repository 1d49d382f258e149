"""The ladder in the browser (issue 6): an employee logs dissatisfaction removed on the spot
in the quick log, partly by keyboard; a complaint handler hands an open rung-1 log over to
rung 2 from its case page and sees the case at rung 2, back in intake. The quick log (empty
and in its error state) and the case page with the picture of the rungs pass axe-core.

Labels are found by stable ids, or in both languages (Dutch first, the English source when
the translation is not in yet).
"""

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD, seed_accounts
from accounts.models import Department, User
from complaints.models import CaseEvent, Channel, ClosureReason, Complaint, EventKind, Rung, Stage
from complaints.services import rung1_log

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

QUICK_LOG = "/staff/complaints/quick-log/"


def either(*words: str) -> re.Pattern:
    """Dutch first; the English text too, for a label whose translation is not in yet."""
    return re.compile("|".join(re.escape(word) for word in words))


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/staff/")


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


@pytest.fixture
def demo():
    """The demo staff of ``seed_demo`` (its accounts part): the cases are the test's own."""
    seed_accounts()


def test_an_employee_logs_dissatisfaction_removed_on_the_spot(demo, page: Page, axe):
    sign_in(page, "medewerker@example.nl")
    page.locator(f'nav a[href="{QUICK_LOG}"]').click()
    page.wait_for_url(f"**{QUICK_LOG}")
    expect(page.locator("#id_department")).to_have_value(str(Department.objects.get(code="kcc").pk))
    expect(page.locator("details.kl-quick-log__contact")).not_to_have_attribute("open", "")
    no_violations(axe, page, "quick log")

    # Saved without the satisfaction answer: the errors, each linked to its field.
    page.locator("#id_conduct_description").fill("Wachtte een uur aan de balie.")
    page.locator("#quick-log button[type=submit]:not([name=hand_over])").click()
    summary = page.locator(".kl-error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator('a[href="#id_satisfied_0"]')).to_have_count(1)
    expect(summary.locator('a[href="#id_theme"]')).to_have_count(1)
    expect(page.locator("#id_conduct_description")).to_have_value("Wachtte een uur aan de balie.")
    no_violations(axe, page, "quick log with errors")

    # Now the whole log; the texts and the answer by keyboard.
    page.locator("#id_channel").select_option(Channel.COUNTER)
    page.locator("#id_theme").select_option(index=1)
    what = page.locator("#id_conduct_description")
    what.fill("")
    what.focus()
    page.keyboard.type("Mevrouw wachtte een uur aan de balie voor haar paspoort.")
    page.keyboard.press("Tab")
    expect(page.locator("#id_solution")).to_be_focused()
    page.keyboard.type("Direct geholpen en excuses aangeboden.")
    page.keyboard.press("Tab")
    expect(page.locator("#id_satisfied_0")).to_be_focused()  # "yes", the first answer
    page.keyboard.press("Space")
    expect(page.locator("#id_satisfied_0")).to_be_checked()
    save = page.locator("#quick-log button[type=submit]:not([name=hand_over])")
    for _ in range(4):  # past the folded contact details to the button
        page.keyboard.press("Tab")
        if save.evaluate("button => button === document.activeElement"):
            break
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    # Saved: a fresh form, with the reference in the message.
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"KL-\d{4}-\d{5}"))
    case = Complaint.objects.get(registered_by__email="medewerker@example.nl", rung=Rung.EMPLOYEE)
    expect(page.get_by_role("status")).to_contain_text(case.reference)
    assert (case.stage, case.closure_reason) == (Stage.CLOSED, ClosureReason.RESOLVED)
    assert case.conduct_description.startswith("Mevrouw wachtte een uur")
    assert case.satisfaction_confirmed_on is not None
    # A fresh form for the next one, with the same channel.
    expect(page.locator("#id_conduct_description")).to_have_value("")
    expect(page.locator("#id_channel")).to_have_value(Channel.COUNTER)


def test_a_handler_hands_an_open_rung_1_log_over_to_rung_2(demo, page: Page, axe):
    employee = User.objects.get(email="medewerker@example.nl")
    log = rung1_log(
        actor=employee,
        fields={
            "channel": Channel.PHONE,
            "department": Department.objects.get(code="bz"),
            "conduct_description": "Meneer belde voor de derde keer over zijn parkeervergunning.",
            "solution": "Uitgelegd hoe het zit; meneer blijft ontevreden.",
            "complainant_name": "Piet Proef",
            "complainant_email": "piet@example.nl",
        },
        resolved=False,
    )
    sign_in(page, "behandelaar@example.nl")
    page.goto(f"/staff/complaints/{log.reference}/")

    current = page.locator('.kl-rungs [aria-current="step"]')
    expect(current).to_have_count(1)
    expect(current).to_have_class(re.compile(r"kl-rung--1"))
    expect(page.locator(".kl-rungs figcaption")).to_contain_text("1")
    no_violations(axe, page, "case page of a rung-1 log")

    ladder = page.locator("#ladder")
    ladder.locator("#id_escalate-reason").fill("Meneer wil een formeel oordeel.")
    ladder.locator("#id_escalate-is_written_0").check()  # yes: he will confirm by e-mail
    ladder.get_by_role("button", name=either("Overdragen", "Hand over")).click()

    expect(page.locator('.kl-rungs [aria-current="step"]')).to_have_class(re.compile(r"kl-rung--2"))
    expect(page.locator(".kl-rungs figcaption")).to_contain_text("2")
    expect(page.locator(".kl-facts dd strong").first).to_have_text(either("Binnenkomst", "Intake"))
    expect(page.locator("#ladder")).to_have_count(0)
    expect(page.locator("#timeline")).to_contain_text(re.compile(r"1\s*→\s*2"))
    expect(page.locator("#timeline")).to_contain_text("Meneer wil een formeel oordeel.")
    no_violations(axe, page, "case page after the hand-over, with the rungs")

    case = Complaint.objects.get(pk=log.pk)
    assert (case.rung, case.stage, case.is_written) == (Rung.HANDLER, Stage.INTAKE, True)
    assert case.decision_due is not None
    rung = CaseEvent.objects.get(complaint=case, kind=EventKind.RUNG)
    assert (rung.from_rung, rung.to_rung, rung.actor.email) == (1, 2, "behandelaar@example.nl")
