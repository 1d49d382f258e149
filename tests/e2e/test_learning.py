"""The learning loop in the browser (issue 8, point 1): a handler records the lesson of a closed
case from the case page, then starts an improvement action from it; the lesson form, the case
page with the lesson, the action form, the action page and the list pass axe-core.

Fields are found by their ids and addresses, so the test holds before and after the Dutch
translation of the new labels.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import ClosureReason, Norm
from reporting.models import Cause, ImprovementAction, Lesson
from tests.e2e.test_ombudsman import no_violations, sign_in
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_handler_records_the_lesson_and_starts_an_improvement_action(page: Page, axe):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    handler = UserFactory(handler=True, department=department, email="behandelaar@example.nl")
    owner = UserFactory(manager=True, department=department, full_name="Lotte Leiding")
    case = ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, handler=handler, parts=1
    )
    reference = case.reference
    norm = Norm.objects.get(number=14)
    due_on = timezone.localdate() + timedelta(days=60)

    sign_in(page, handler.email)
    page.goto(reverse("complaints:case", args=[reference]))
    page.locator(f'#lesson a[href="{reverse("reporting:lesson", args=[reference])}"]').click()
    page.wait_for_url(f"**{reverse('reporting:lesson', args=[reference])}")
    no_violations(axe, page, "lesson form")
    page.locator("#id_cause").select_option(str(Cause.objects.get(code="communication").pk))
    page.locator(f'input[name="norms"][value="{norm.pk}"]').check()
    page.locator("#id_text").fill("Bel terug wanneer je het belooft.")
    lesson_form = f'form[action="{reverse("reporting:lesson", args=[reference])}"]'
    page.locator(f"{lesson_form} button[type=submit]").click()
    page.wait_for_url(f"**{reverse('complaints:case', args=[reference])}*")
    expect(page.locator("#lesson")).to_contain_text("Bel terug wanneer je het belooft.")
    lesson = Lesson.objects.get(complaint=case)
    assert list(lesson.norms.all()) == [norm]
    no_violations(axe, page, "closed case page with its lesson")

    page.locator(f'#lesson a[href^="{reverse("reporting:action_new")}"]').click()
    expect(page.locator("#id_references")).to_have_value(reference)
    page.locator("#id_title").fill("Terugbelafspraken in de agenda")
    page.locator("#id_owner").select_option(str(owner.pk))
    page.locator("#id_due_on").fill(due_on.isoformat())
    no_violations(axe, page, "improvement action form")
    page.locator(f'form[action="{reverse("reporting:action_new")}"] button[type=submit]').click()
    action = ImprovementAction.objects.get()
    page.wait_for_url(f"**{reverse('reporting:action', args=[action.pk])}")
    expect(page.locator("#complaints")).to_contain_text(reference)
    assert list(action.complaints.all()) == [case]
    assert (action.owner, action.due_on) == (owner, due_on)
    no_violations(axe, page, "improvement action page")

    page.goto(reverse("reporting:actions") + "?scope=all")
    expect(page.locator("tr.kl-action")).to_have_count(1)
    no_violations(axe, page, "improvement actions list")
