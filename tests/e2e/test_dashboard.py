"""The manager dashboard in the browser (issue 8, point 2): a manager signs in, opens the
dashboard from the navigation, sees the chart of received and closed cases with its data table,
changes the period with the form and with a quick choice; axe-core finds nothing, with the
tables open.

Elements are found by their ids and addresses, so the test holds before and after the Dutch
translation of the new texts.
"""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import SurveyResponse, Theme
from reporting.rollups import month_of, rollups_rebuild
from tests.e2e.test_ombudsman import no_violations, sign_in
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# Every Content-Security-Policy violation the browser reports (the charts are inline SVG with
# classes only: no style attributes, no inline script).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI || 'inline'}`);
});
"""


def _closed_case(department, received_on, closed_on, theme):
    closed_at = timezone.make_aware(datetime.combine(closed_on, time(11)))
    case = ComplaintFactory(
        closed=True,
        department=department,
        received_on=received_on,
        closed_at=closed_at,
        parts=0,
        letters=[],
    )
    case.themes.set([theme])
    return case


def test_a_manager_reads_the_dashboard_and_changes_the_period(page: Page, axe):
    department = DepartmentFactory(code="bz", name="Burgerzaken")
    manager = UserFactory(manager=True, department=department, email="leiding@example.nl")
    today = timezone.localdate()
    this_month = month_of(today)
    theme = Theme.objects.filter(is_active=True).first()
    for days in (5, 40, 70, 100):
        received = today - timedelta(days=days + 10)
        case = _closed_case(department, received, today - timedelta(days=days), theme)
        SurveyResponse.objects.create(complaint=case, rating=4)
    ComplaintFactory(explore=True, department=department, received_on=today)
    ComplaintFactory(explore=True)  # another department: not on this dashboard
    rollups_rebuild(since=this_month.replace(year=this_month.year - 1))

    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, manager.email)
    page.locator(f'.kl-nav a[href="{reverse("reporting:dashboard")}"]').click()
    page.wait_for_url(f"**{reverse('reporting:dashboard')}")
    expect(page.locator("#dashboard-title")).to_contain_text("Burgerzaken")
    expect(page.locator("#kpi-open dd")).to_have_text("1")
    expect(page.locator("#id_department")).to_have_count(0)  # a manager cannot choose

    chart = page.locator("figure#chart-volumes")
    expect(chart.locator("svg[aria-hidden=true]")).to_be_visible()
    expect(chart.locator("figcaption")).not_to_be_empty()
    chart.locator("summary").click()
    table = chart.locator("table#table-volumes")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr")).to_have_count(12)
    expect(table.locator("tfoot td").first).to_have_text("5")  # received in the 12 months
    page.locator("figure#chart-themes summary").click()
    no_violations(axe, page, "manager dashboard with its tables open")
    assert page.evaluate("window.__cspViolations") == []

    # The period: the form, without JavaScript's help (a plain GET).
    start = this_month.replace(month=1) if this_month.month > 1 else this_month
    page.locator("#id_start").fill(f"{start:%Y-%m}")
    page.locator("#id_end").fill(f"{this_month:%Y-%m}")
    page.locator("form.kl-dashboard__filters button[type=submit]").click()
    page.wait_for_url(f"**start={start:%Y-%m}**")
    months = (this_month.year - start.year) * 12 + this_month.month - start.month + 1
    expect(page.locator("#table-volumes tbody tr")).to_have_count(months)

    # A wrong period: told what to do, the input kept.
    page.locator("#id_start").fill(f"{this_month:%Y-%m}")
    page.locator("#id_end").fill(f"{this_month.replace(year=this_month.year - 1):%Y-%m}")
    page.locator("form.kl-dashboard__filters button[type=submit]").click()
    expect(page.locator(".kl-error-summary")).to_be_visible()
    expect(page.locator("#id_start")).to_have_value(f"{this_month:%Y-%m}")
    no_violations(axe, page, "dashboard with a period error")

    # A quick choice: last year.
    last_year = today.year - 1
    page.locator(f'.kl-quick a[href*="start={last_year}-01"]').first.click()
    page.wait_for_url(f"**start={last_year}-01**")
    expect(page.locator("#table-volumes tbody tr")).to_have_count(12)
    expect(page.locator(f'.kl-quick a[href*="start={last_year}-01"]').first).to_have_attribute(
        "aria-current", "true"
    )
    no_violations(axe, page, "manager dashboard, last year")

    # On a phone the wide tables scroll, and can be scrolled with the keyboard.
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("figure#chart-volumes summary").click()
    no_violations(axe, page, "manager dashboard on a narrow screen")
