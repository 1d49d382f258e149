"""Rung 3 in the browser (issue 6): a coordinator records that the ombudsman took up a closed
case and the ombudsman's information request; the owner of a recommendation finds it on
their overview page, overdue, and records the follow-up. The case page with the ombudsman
panel, the overview page and the recommendation page pass axe-core.

Fields and forms are found by their ids and addresses, so the test holds before and after
the Dutch translation of the new labels.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import (
    ClosureReason,
    Complaint,
    InformationRequest,
    Judgment,
    Norm,
    OmbudsmanCase,
    Recommendation,
    RecommendationStatus,
    Rung,
)
from complaints.services import ombudsman as services
from tests.factories import PASSWORD, ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_url("**/staff/")


def sign_out(page: Page) -> None:
    page.context.clear_cookies()


def no_violations(axe, page: Page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


def open_form(page: Page, action: str):
    """The form posting to ``action``, its <details> opened."""
    form = page.locator(f'form[action="{action}"]')
    details = page.locator("details", has=form)
    if details.count():
        details.locator("summary").first.click()
    return form


def test_a_coordinator_records_the_ombudsman_phase_and_the_owner_follows_up(page: Page, axe):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    coordinator = UserFactory(coordinator=True, department=department, email="coord@example.nl")
    owner = UserFactory(manager=True, email="leiding@example.nl", full_name="Lotte Leiding")
    case = ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, parts=1
    )
    case.parts.get().norms.set(Norm.objects.filter(number__in=[2, 14]))
    reference = case.reference
    today = timezone.localdate()

    sign_in(page, coordinator.email)
    page.goto(reverse("complaints:case", args=[reference]))
    form = open_form(page, reverse("complaints:ombudsman_start", args=[reference]))
    page.locator("#id_ombudsman-reference").fill("2026.04711")
    form.locator("button[type=submit]").click()
    expect(page.locator("#ombudsman")).to_contain_text("2026.04711")
    assert Complaint.objects.get(pk=case.pk).rung == Rung.OMBUDSMAN

    form = open_form(page, reverse("complaints:ombudsman_request", args=[reference]))
    page.locator("#id_request-question").fill("Stuur het klachtdossier en het hoorverslag.")
    page.locator("#id_request-due_on").fill((today + timedelta(days=10)).isoformat())
    form.locator("button[type=submit]").click()
    expect(page.locator("#ombudsman")).to_contain_text("Stuur het klachtdossier")
    assert InformationRequest.objects.get().due_on == today + timedelta(days=10)

    services.ombudsman_finding_set(
        complaint_id=case.pk,
        actor=coordinator,
        norm=Norm.objects.get(number=14),
        judgment=Judgment.WELL_FOUNDED,
    )
    page.goto(reverse("complaints:case", args=[reference]) + "?edit=recommendation")
    page.locator("#id_recommendation-text").fill("Bel klagers binnen twee werkdagen terug.")
    page.locator("#id_recommendation-owner").select_option(str(owner.pk))
    page.locator("#id_recommendation-due_on").fill(today.isoformat())
    page.locator(
        f'form[action="{reverse("complaints:ombudsman_recommendation", args=[reference])}"] '
        "button[type=submit]"
    ).click()
    expect(page.locator("#id_recommendation-text")).to_have_count(0)  # saved: the form closes
    expect(page.locator("#ombudsman")).to_contain_text("Bel klagers binnen twee werkdagen terug.")
    expect(page.locator("#ombudsman-judgments + .kl-table-wrap")).to_contain_text("14.")
    recommendation = Recommendation.objects.get()
    assert recommendation.owner == owner
    no_violations(axe, page, "case page with the ombudsman panel")

    # Time passes: the recommendation is overdue for its owner, who cannot see the case.
    assert OmbudsmanCase.objects.get(complaint=case).reference == "2026.04711"
    Recommendation.objects.update(due_on=today - timedelta(days=2))
    sign_out(page)
    sign_in(page, owner.email)
    row = page.locator("tr.kl-recommendation--overdue")
    expect(row).to_have_count(1)
    expect(row.locator(".kl-due--danger")).to_have_count(1)
    no_violations(axe, page, "overview with my recommendations")

    row.locator("a").click()
    page.wait_for_url(f"**{reverse('complaints:recommendation', args=[recommendation.pk])}")
    prefix = f"follow-up-{recommendation.pk}"
    page.locator(f"#id_{prefix}-status").select_option("done")
    page.locator(f"#id_{prefix}-follow_up").fill("Werkinstructie aangepast en besproken.")
    no_violations(axe, page, "recommendation page")
    page.locator("form button[type=submit]").last.click()
    expect(page.locator(".kl-details")).to_contain_text(today.strftime("%Y"))  # done on
    page.goto(reverse("staff-home"))
    expect(page.locator("tr.kl-recommendation")).to_have_count(0)  # done: off the list
    recommendation.refresh_from_db()
    assert recommendation.status == RecommendationStatus.DONE
    assert recommendation.done_on == today
