"""The functional admin maintains the decree days (Atw art. 3 lid 3) and the service norms,
and is warned when next year has no decree day yet (DOMAIN.md section 5)."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from ladder.models import EqualDay, ServiceNorms

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:ladder_equalday_changelist"


@pytest.fixture
def admin_client(client, settings, user_factory):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user_factory(functional_admin=True))
    return client


def test_the_functional_admin_adds_a_decree_day(admin_client):
    response = admin_client.post(
        reverse("admin:ladder_equalday_add"), {"day": "2029-05-11", "decree": "Stcrt. 2028, 1"}
    )
    assert response.status_code == 302
    assert EqualDay.objects.filter(day=date(2029, 5, 11)).exists()


def test_the_changelist_warns_when_next_year_has_no_decree_day(admin_client, user_factory):
    with time_machine.travel("2028-06-01 10:00 +02:00", tick=False):
        admin_client.force_login(user_factory(functional_admin=True))  # a session of 2028
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert "No decree days recorded for 2029 yet" in page


def test_no_warning_while_next_year_has_decree_days(admin_client):
    with time_machine.travel("2026-06-01 10:00 +02:00", tick=False):  # 7 May 2027 is seeded
        page = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert "No decree days recorded" not in page


def test_the_admin_index_warns_too(admin_client):
    EqualDay.objects.filter(day__year=2027).delete()
    with time_machine.travel("2026-06-01 10:00 +02:00", tick=False):
        page = admin_client.get(reverse("admin:index")).content.decode()
    assert "No decree days recorded for 2027 yet" in page


def test_the_service_norms_are_one_row_that_is_only_changed(admin_client):
    norms = ServiceNorms.current()
    assert admin_client.get(reverse("admin:ladder_servicenorms_add")).status_code == 403
    delete = reverse("admin:ladder_servicenorms_delete", args=[norms.pk])
    assert admin_client.get(delete).status_code == 403
    response = admin_client.post(
        reverse("admin:ladder_servicenorms_change", args=[norms.pk]),
        {
            "acknowledgement_days": 4,
            "first_contact_days": 2,
            "rung1_days": 5,
            "reminder_days_before": "5,1",
            "manager_after_days_overdue": 3,
        },
    )
    assert response.status_code == 302
    assert ServiceNorms.current().acknowledgement_days == 4
    assert ServiceNorms.objects.count() == 1


def test_other_roles_do_not_reach_the_deadline_configuration(client, user_factory):
    client.force_login(user_factory(coordinator=True, is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403
