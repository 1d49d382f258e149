"""The annual report and a learning report in the browser (issue 8, points 3 and 4): a
coordinator makes the annual report file (the job runs in-process in the tests, so the run page
shows it done), downloads it, and reads a learning report; each page passes axe-core."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from reporting.models import AnnualReportRun, RunStatus
from reporting.services.reports import learning_report_make
from tests.e2e.test_ombudsman import no_violations, sign_in
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_makes_the_annual_report_and_reads_a_learning_report(page: Page, axe):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    coordinator = UserFactory(coordinator=True, department=department)
    year = timezone.localdate().year
    case = ComplaintFactory(department=department, received_on=date(year, 1, 5))
    report = learning_report_make(kind="monthly", period_start=date(year, 1, 1))

    sign_in(page, coordinator.email)
    page.goto(reverse("reporting:annual"))
    no_violations(axe, page, "annual report form")
    page.locator("#id_year").fill(str(year))
    page.locator('input[name="format"][value="csv"]').check()
    page.locator('form.kl-form button[type="submit"]').click()
    run = AnnualReportRun.objects.get()
    page.wait_for_url(f"**{reverse('reporting:annual_run', args=[run.pk])}")
    link = page.locator(f'a[href="{reverse("reporting:annual_download", args=[run.pk])}"]')
    expect(link).to_be_visible()
    assert AnnualReportRun.objects.get().status == RunStatus.DONE
    no_violations(axe, page, "annual report run")
    with page.expect_download() as download:
        link.click()
    assert case.reference in download.value.path().read_text(encoding="utf-8-sig")

    page.goto(reverse("reporting:annual_page", args=[year]))
    no_violations(axe, page, "publishable annual report")
    page.goto(reverse("reporting:reports"))
    no_violations(axe, page, "learning reports")
    page.goto(reverse("reporting:report", args=[report.pk]))
    no_violations(axe, page, "learning report")
