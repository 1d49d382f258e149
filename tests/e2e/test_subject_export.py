"""The data-subject export in the browser (issue 9, point 5): a coordinator finds it in the
navigation, gets told what is wrong with what they typed (and keeps it), is told when nothing
is held, and downloads the ZIP; the page passes axe-core, and the export is in the audit."""

import json
import zipfile

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from audit.models import AccessAction, AccessRecord, AccessResult
from tests.e2e.test_ombudsman import no_violations, sign_in
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_downloads_everything_held_about_one_person(page: Page, axe):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    coordinator = UserFactory(coordinator=True, department=department)
    case = ComplaintFactory(department=department, complainant_email="els.smit@example.org")
    ComplaintFactory(department=department, complainant_email="iemand@example.org")
    url = reverse("privacy:subject_export")

    sign_in(page, coordinator.email)
    page.locator(f'nav a[href="{url}"]').click()
    page.wait_for_url(f"**{url}")
    no_violations(axe, page, "data-subject export")
    field = page.locator("#id_email")
    submit = page.locator("#subject-export button[type=submit]")

    field.fill("els.smit at example")
    submit.click()
    expect(page.locator(".kl-error-summary")).to_be_visible()
    expect(field).to_have_value("els.smit at example")
    no_violations(axe, page, "data-subject export with an error")

    field.fill("niemand@example.org")
    submit.click()
    expect(page.locator("#id_email")).to_have_value("niemand@example.org")
    assert AccessRecord.objects.get().result == AccessResult.NOT_FOUND

    page.locator("#id_email").fill("ELS.SMIT@example.org")
    with page.expect_download() as download:
        page.locator("#subject-export button[type=submit]").click()
    with zipfile.ZipFile(download.value.path()) as archive:
        data = json.loads(archive.read("data.json"))
    assert [c["reference"] for c in data["cases"]] == [case.reference]
    exported = AccessRecord.objects.get(result=AccessResult.ALLOWED)
    assert (exported.action, exported.reference, exported.user_id) == (
        AccessAction.DATA_SUBJECT_EXPORT,
        case.reference,
        coordinator.pk,
    )
