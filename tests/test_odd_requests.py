"""Odd but possible requests get an answer, never a server error: a NUL character in a URL, a
search or a cookie, a digit that is no number, a year-1 date, a malformed client address."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from complaints.forms import ContactForm, section_form_class
from complaints.ratelimit import client_address
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def handler(user_factory, department):
    return user_factory(handler=True, department=department)


@pytest.fixture
def in_english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(
    "path",
    [
        "/staff/complaints/%00/",
        "/staff/complaints/KL-2026%0000001/edit/about/",
        "/reporting/cases/%00/lesson/",
    ],
)
def test_a_nul_character_in_a_case_reference_is_not_found(client, handler, path):
    client.force_login(handler)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "q=KL%00", "rung=%C2%B2", "theme=%C2%B2"])
def test_odd_worklist_filters_are_ignored_or_searched(client, handler, query):
    client.force_login(handler)
    for name in ("complaints:worklist", "complaints:worklist_csv"):
        assert client.get(f"{reverse(name)}?{query}").status_code == 200


def test_a_filter_of_thousands_of_digits_is_ignored(client, handler):
    client.force_login(handler)
    response = client.get(f"{reverse('complaints:worklist')}?theme={'9' * 5000}&scope=department")
    assert response.status_code == 200


def test_a_session_cookie_with_a_nul_character_counts_as_no_session(client):
    client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00ijkl"
    assert client.get(reverse("complaint_form", args=[1])).status_code == 200
    assert client.get(reverse("staff-home")).status_code == 302  # to sign in


@pytest.mark.usefixtures("in_english")
def test_a_contact_moment_or_hearing_before_1900_is_refused_on_its_field(department):
    contact = ContactForm(
        {"at": "0001-01-01T00:00", "channel": "phone", "with_whom": "Jan", "summary": "Gebeld"}
    )
    assert not contact.is_valid()
    assert contact.errors["at"] == ["Give a date in 1900 or later."]

    case = ComplaintFactory(resolve=True, department=department)
    form_class = section_form_class("hearing")
    data = {"version": case.version, "hearing_planned_at": "0001-01-01T00:00"}
    form = form_class(data, instance=case)
    assert not form.is_valid()
    assert form.errors["hearing_planned_at"] == ["Give a date in 1900 or later."]
    ok = ContactForm(
        {"at": "1900-01-02T00:00", "channel": "phone", "with_whom": "Jan", "summary": "Gebeld"}
    )
    assert ok.is_valid(), ok.errors


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8::1", "2001:db8::1"),
        ("1.2.3.4, 5.6.7.8", "192.0.2.1"),
        ("::zz", "192.0.2.1"),
        ("", "192.0.2.1"),
    ],
)
def test_a_malformed_client_address_header_falls_back_to_the_peer(settings, header, expected):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    request = RequestFactory().get("/", HTTP_X_REAL_IP=header, REMOTE_ADDR="192.0.2.1")
    assert client_address(request) == expected


def test_signing_in_behind_a_proxy_that_passes_a_list_of_addresses_works(client, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    response = client.post(
        reverse("accounts:login"),
        {"username": "nobody@example.nl", "password": "wrong"},
        HTTP_X_REAL_IP="1.2.3.4, 5.6.7.8",
    )
    assert response.status_code == 200


@pytest.mark.usefixtures("in_english")
def test_an_address_taken_in_another_case_is_refused_in_words(user_factory, department):
    """The admin's form for a new user (functional admins add staff there)."""
    from django.contrib import admin

    user_factory(email="h.jansen@example.nl")
    request = RequestFactory().get("/")
    request.user = user_factory(is_superuser=True, is_staff=True)
    form_class = admin.site._registry[User].get_form(request, None)
    form = form_class(
        {
            "email": "H.Jansen@Example.NL",
            "full_name": "Henk Jansen",
            "department": department.pk,
            "password1": "een lang wachtwoord 2026",
            "password2": "een lang wachtwoord 2026",
        }
    )
    assert not form.is_valid()
    messages = " ".join(m for ms in form.errors.values() for m in ms)
    assert "is violated" not in messages
    assert "already exists" in messages


def test_a_party_removed_twice_is_removed_once_and_the_second_is_told(
    client, handler, department, monkeypatch
):
    from complaints import services
    from complaints.models import CaseEvent, Party

    case = ComplaintFactory(intake=True, department=department, handler=handler)
    party = Party.objects.create(complaint=case, role="affected", name="Jan Smit")
    services.party_remove(party_id=party.pk, actor=handler)
    with pytest.raises(services.StaleAction):
        services.party_remove(party_id=party.pk, actor=handler)
    assert CaseEvent.objects.filter(complaint=case, kind="party").count() == 1

    # Two clicks that both passed the page's check: the second gets a message, not an error.
    second = Party.objects.create(complaint=case, role="affected", name="Piet Smit")
    removed_meanwhile = services.StaleAction("This party was removed already.")

    def refuse(**_kwargs):
        raise removed_meanwhile

    monkeypatch.setattr(services, "party_remove", refuse)
    client.force_login(handler)
    answer = client.post(
        reverse("complaints:remove_party", args=[case.reference, second.pk]), follow=True
    )
    assert answer.status_code == 200
    assert "This party was removed already." in answer.content.decode()
