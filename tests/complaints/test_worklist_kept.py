"""The worklist kept whole in the cache (complaints/views/staff/worklist.py, ``_page_key``):
opened again, it is the page as drawn, until a case, a theme or anything the shell shows
changes; never another user's page, never another visitor's CSRF token, never a message twice.
What is kept under it, its count and its rows, is tested in test_case_views.py."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.urls import reverse

from accounts.middleware import TYPED
from complaints.page_cache import CSRF_PLACEHOLDER
from tests.factories import ComplaintFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

TOKENS = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')


def visit(client, **query):
    """The worklist of the department: (the page, whether it was drawn)."""
    response = client.get(reverse("complaints:worklist"), {"scope": "department", **query})
    assert response.status_code == 200
    return response.content.decode(), bool(response.templates)


def test_the_worklist_opened_again_is_kept(client, handler, department, django_assert_num_queries):
    ComplaintFactory(department=department, complainant_name="Jan Smit")
    client.force_login(handler)
    first, drawn = visit(client)
    assert drawn and "Jan Smit" in first
    with django_assert_num_queries(1):  # the signed-in user; no count, no rows, no drawing
        again, drawn = visit(client)
    assert not drawn
    # The same page but for the tokens of this request (the sign-out's CSRF token, the nonce).
    assert TOKENS.sub("", again) == TOKENS.sub("", first)


def test_a_change_of_a_case_is_on_the_next_visit(client, handler, department):
    complaint = ComplaintFactory(department=department, complainant_name="Jan Smit")
    client.force_login(handler)
    visit(client)
    assert not visit(client)[1]  # kept
    with transaction.atomic():
        complaint.complainant_name = "Jan Smit-de Boer"
        complaint.save()
    page, drawn = visit(client)
    assert drawn and "Jan Smit-de Boer" in page
    ComplaintFactory(department=department, complainant_name="Bert Daarna")
    assert "Bert Daarna" in visit(client)[0]


def test_what_the_shell_shows_is_on_the_next_visit(client, handler, department):
    """The user's name and menu are in the page: a rename, a permission taken away."""
    client.force_login(handler)
    visit(client)
    menu_item = f'class="kl-nav__link" href="{reverse("complaints:worklist")}"'
    assert menu_item in visit(client)[0]  # kept
    with transaction.atomic():
        handler.full_name = "Hamza Nieuwenhuis"
        handler.save()
    assert "Hamza Nieuwenhuis" in visit(client)[0]
    with transaction.atomic():
        handler.groups.clear()
    looks_only = Group.objects.filter(permissions__codename="view_department_dashboard").exclude(
        permissions__codename="handle_complaint"
    )
    handler.groups.add(looks_only.first())
    page = visit(client)[0]  # the worklist still, without the handler's menu item
    assert "Hamza Nieuwenhuis" in page and menu_item not in page


def test_the_page_of_another_user_is_never_shown(client, handler, department, user_factory):
    ComplaintFactory(department=department, complainant_name="Jan Smit")
    elsewhere = DepartmentFactory(code="bel", name="Belastingen")
    ComplaintFactory(department=elsewhere, complainant_name="Dirk Elders")
    client.force_login(handler)
    visit(client)
    assert "Jan Smit" in visit(client)[0]  # kept
    client.force_login(user_factory(handler=True, department=elsewhere, full_name="Bo Belasting"))
    for _ in range(2):  # drawn, then their own, kept
        page = visit(client)[0]
        assert "Dirk Elders" in page and "Bo Belasting" in page
        assert "Jan Smit" not in page and "Hamza El Amrani" not in page


def test_each_page_of_the_list_is_kept_apart(client, handler, department):
    cases = [ComplaintFactory(department=department) for _ in range(51)]
    client.force_login(handler)
    for _ in range(2):  # drawn, then kept
        first, second = visit(client)[0], visit(client, page=2)[0]
        references = [c.reference for c in cases if c.reference in second]
        assert len(references) == 1 and references[0] not in first


def test_a_kept_page_carries_the_visitors_own_csrf_token(handler):
    """Two browsers of one user: each signs out with that browser's own token."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(handler)
    visit(first)
    page, drawn = visit(second)  # kept: drawn for the first browser
    assert not drawn and CSRF_PLACEHOLDER not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post(reverse("accounts:logout"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_what_was_typed_before_a_sign_out_is_shown_once_and_never_kept(client, handler):
    client.force_login(handler)
    visit(client)  # kept from here on
    session = client.session
    session[TYPED] = {"user": str(handler.pk), "texts": [("note", "Mijn halve verslag")]}
    session.save()
    page, drawn = visit(client)
    assert drawn and "Mijn halve verslag" in page
    for _ in range(2):
        assert "Mijn halve verslag" not in visit(client)[0]


def test_only_a_get_is_kept_or_served_kept(client, handler):
    client.force_login(handler)
    visit(client)
    assert not visit(client)[1]  # kept
    posted = client.post(reverse("complaints:worklist") + "?scope=department")
    assert posted.status_code == 200 and posted.templates  # drawn, as Django would
    assert not visit(client)[1]  # the GET's page still kept
