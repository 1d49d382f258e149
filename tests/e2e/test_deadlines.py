"""Deadlines and the outbox in the browser (DOMAIN.md section 5), on the demo data.

The demo coordinator reads "Due this week and overdue" and "Outgoing messages" and retries the
acknowledgement that failed; the demo handler postpones a written case once through the
deadline panel on the case page and sees the new decision date and the timeline entry. Every
page passes axe-core.
"""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from accounts.demo import DEMO_PASSWORD
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Stage,
)
from ladder import deadlines

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "De klager stuurt volgende week nog stukken van de hypotheekadviseur."


def sign_in(page: Page, email: str) -> Page:
    call_command("seed_demo", force=True, verbosity=0)
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/staff/")
    return page


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


def in_words(day) -> str:
    """A date as the Dutch pages write it: "8 januari 2027"."""
    with translation.override("nl"):
        return date_format(day, "j F Y")


def test_the_coordinator_reads_the_due_and_outgoing_pages_and_retries_the_failed_message(
    page: Page, axe
):
    sign_in(page, "coordinator@example.nl")
    failed = OutboxMessage.objects.select_related("complaint").get(status=OutboxStatus.FAILED)
    bounced = failed.complaint

    page.goto("/staff/complaints/due/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Deze week af en te laat")
    # The acknowledgement that failed is due (or overdue) on the case.
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=bounced.reference))
    expect(row).to_have_count(1)
    expect(page.get_by_role("table")).to_contain_text(re.compile(r"\d+ dagen? te laat"))
    no_violations(axe, page, "due this week")

    page.goto("/staff/complaints/outbox/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Uitgaande berichten")
    expect(page.get_by_role("table")).to_contain_text(failed.last_error)
    no_violations(axe, page, "outgoing messages")

    retry = page.get_by_role("button", name=re.compile(r"^Opnieuw proberen"))
    expect(retry).to_have_count(1)
    retry.click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Het bericht aan {failed.to} wordt nu opnieuw verstuurd."
    )
    expect(page.get_by_role("button", name=re.compile(r"^Opnieuw proberen"))).to_have_count(0)
    # Sent (the broker-less test settings run the task at once) and the case acknowledged.
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.SENT
    bounced.refresh_from_db()
    assert bounced.acknowledged_on == timezone.localdate()
    no_violations(axe, page, "outgoing messages after the retry")


def test_the_handler_postpones_a_written_case_once_through_the_deadline_panel(page: Page, axe):
    sign_in(page, "behandelaar@example.nl")
    today = timezone.localdate()
    complaint = (
        Complaint.objects.filter(
            handler__email="behandelaar@example.nl",
            stage=Stage.EXPLORE,
            is_written=True,
            postponed_on__isnull=True,
            extended_until__isnull=True,
            decision_due__gte=today,
        )
        .order_by("received_on")
        .first()
    )
    assert complaint is not None, "the demo has a written case in explore to postpone"
    new_due = deadlines.postponed_decision_due(complaint.received_on, 3)

    page.goto(f"/staff/complaints/{complaint.reference}/")
    panel = page.locator("#deadlines")
    expect(panel.get_by_role("heading", name="Termijnen")).to_be_visible()
    panel.get_by_text("Beslissing verdagen").click()
    panel.get_by_label("Verdagen met").select_option(label="3 weken")
    panel.get_by_label("Reden").fill(REASON)
    no_violations(axe, page, "case page with the deadline panel open")
    panel.get_by_role("button", name="Verdagen en de berichten versturen").click()

    expect(page.get_by_role("status")).to_contain_text(
        "De beslissing is verdaagd. De berichten zijn onderweg."
    )
    decision = page.locator(".kl-case__header dt", has_text="Uiterste beslisdatum").locator(
        "xpath=following-sibling::dd"
    )
    expect(decision).to_contain_text(in_words(new_due))
    expect(decision).to_contain_text("verdaagd")
    expect(decision).to_contain_text(f"over {(new_due - today).days} dagen")
    expect(page.locator("#timeline")).to_contain_text(REASON)
    # Once only (Awb 9:11 lid 2): the panel no longer offers it; extending with consent remains.
    expect(page.locator("#deadlines").get_by_text("Beslissing verdagen")).to_have_count(0)
    expect(
        page.locator("#deadlines").get_by_text(
            "Verlengen met schriftelijke instemming van de klager"
        )
    ).to_be_visible()
    no_violations(axe, page, "case page after the postponement")

    complaint.refresh_from_db()
    assert complaint.decision_due == new_due and complaint.postponement_weeks == 3
    assert CaseEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE).count() == 1
    assert complaint.outbox.filter(kind=OutboxKind.POSTPONEMENT).exists()
