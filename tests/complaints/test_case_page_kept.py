"""The case page kept in the cache (complaints/page_cache.py): opened again, it is the page as
drawn, until the case or anything it shows changes; never another user's page, never another
visitor's CSRF token, never yesterday's deadlines."""

import re
from datetime import timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessRecord
from complaints import services
from complaints.models import CaseEvent, Complaint, EventKind, Norm, Theme
from complaints.page_cache import CSRF_PLACEHOLDER, case_pages_changed
from tests.factories import ComplaintFactory, DepartmentFactory

pytestmark = pytest.mark.django_db

KEPT = 3  # queries of a kept visit: the user, the case's row, the read audit's row
NEEDS = "Doof; graag een gebarentolk bij het gesprek"


@pytest.fixture
def complaint(department, handler):
    return ComplaintFactory(
        department=department, handler=handler, complainant_name="Jan Smit",
        complainant_needs=NEEDS,
    )  # fmt: skip


def url_of(complaint) -> str:
    return reverse("complaints:case", args=[complaint.reference])


def opened(client, complaint, **params) -> str:
    response = client.get(url_of(complaint), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_case_page_opened_again_is_kept(client, handler, complaint, django_assert_num_queries):
    client.force_login(handler)
    first = opened(client, complaint)
    with django_assert_num_queries(KEPT):
        again = opened(client, complaint)
    # The same page but for the tokens of this request (the forms' CSRF token, the nonce).
    tokens = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert tokens.sub("", again) == tokens.sub("", first)
    # Every visit is a read in the audit, kept or drawn (DOMAIN.md section 7).
    assert AccessRecord.objects.filter(user=handler, reference=complaint.reference).count() == 2


def test_a_kept_visit_reads_the_tokens_and_the_page_in_one_round_trip(client, handler, complaint):
    client.force_login(handler)
    opened(client, complaint)
    with patch("complaints.page_cache.cache", wraps=cache) as spy:
        opened(client, complaint)
    assert [name for name, _args, _kwargs in spy.method_calls] == ["get_many"]


# The changes below that write rows themselves do so in a transaction of their own, as the
# app's services do: a page is drawn anew once a transaction commits, or at once when it is
# nested (a test's own transaction never commits).
def rename_handler(complaint, handler):
    with transaction.atomic():
        handler.full_name = "Hamza Nieuwenhuis"
        handler.save()
    return "Hamza Nieuwenhuis"


def add_note(complaint, handler):
    services.note_add(complaint_id=complaint.pk, actor=handler, text="Teruggebeld om 14 uur.")
    return "Teruggebeld om 14 uur."


def event_written_directly(complaint, handler):
    # A row of the case saved without the case's version bumped: the case's token.
    with transaction.atomic():
        CaseEvent.objects.create(
            complaint=complaint, kind=EventKind.NOTE, actor=handler, note="Rechtstreeks geschreven."
        )
    return "Rechtstreeks geschreven."


def theme_added(complaint, handler):
    theme = Theme.objects.create(name_nl="Parkeren", name_en="Parking")
    with transaction.atomic():
        complaint.themes.add(theme)
    return "Parkeren"


def theme_renamed(complaint, handler):
    theme = Theme.objects.create(name_nl="Afval", name_en="Waste")
    complaint.themes.add(theme)
    with transaction.atomic():
        theme.name_nl = "Afvalinzameling"
        theme.save()
    return "Afvalinzameling"


def updated_with_its_version(complaint, handler):
    # A queryset update passes the signals; the retention sweep's raises the version.
    Complaint.objects.filter(pk=complaint.pk).update(
        complainant_name="Jan Smit-de Boer", version=F("version") + 1
    )
    return "Jan Smit-de Boer"


@pytest.mark.parametrize(
    "change",
    [
        add_note,
        event_written_directly,
        theme_added,
        theme_renamed,
        rename_handler,
        updated_with_its_version,
    ],
)
def test_every_change_is_on_the_next_visit(client, handler, complaint, change, user_factory):
    # A coordinator: the handler's name is on the page's body, not in the shell's header.
    client.force_login(user_factory(coordinator=True, department=complaint.department))
    opened(client, complaint)
    opened(client, complaint)  # kept now
    shown = change(complaint, handler)
    assert shown in opened(client, complaint)


def test_the_page_of_another_user_is_never_shown(
    client, handler, complaint, user_factory, department
):
    """The assigned handler's page shows the complainant's needs (special category); a
    colleague's does not, and someone of another department is not shown the case at all."""
    client.force_login(handler)
    opened(client, complaint)
    assert NEEDS in opened(client, complaint)  # kept

    colleague = user_factory(handler=True, department=department)
    client.force_login(colleague)
    assert NEEDS not in opened(client, complaint)
    assert NEEDS not in opened(client, complaint)  # the colleague's own, kept

    stranger = user_factory(handler=True, department=DepartmentFactory(code="vh", name="VH"))
    client.force_login(stranger)
    assert client.get(url_of(complaint)).status_code == 404


def test_a_permission_taken_away_is_on_the_next_visit(client, handler, complaint):
    client.force_login(handler)
    opened(client, complaint)
    note_action = reverse("complaints:add_note", args=[complaint.reference])
    assert note_action in opened(client, complaint)  # kept: the forms of a handler
    with transaction.atomic():
        for group in Group.objects.filter(user=handler):
            handler.groups.remove(group)
    looks_only = Group.objects.filter(permissions__codename="view_department_dashboard").exclude(
        permissions__codename="handle_complaint"
    )
    handler.groups.add(looks_only.first())
    page = opened(client, complaint)
    assert complaint.reference in page
    assert note_action not in page


def test_a_kept_page_carries_the_visitors_own_csrf_token(handler, complaint):
    """Two browsers of one user: each page's forms post with that browser's token."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(handler)
    opened(first, complaint)
    page = opened(second, complaint)  # kept: drawn for the first browser
    assert CSRF_PLACEHOLDER not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = second.post(
        reverse("complaints:add_note", args=[complaint.reference]),
        {"csrfmiddlewaretoken": token, "text": "Gebeld.", "version": complaint.version},
    )
    assert response.status_code == 302
    assert complaint.notes.get().text == "Gebeld."


def queries_of_visit(client, complaint, *, changed: bool = False, **params) -> int:
    """The queries of a visit; ``changed``: after a save that draws every page again."""
    if changed:
        case_pages_changed()
    with CaptureQueriesContext(connection) as captured:
        opened(client, complaint, **params)
    return len(captured.captured_queries)


def test_the_page_is_drawn_again_the_next_day_and_in_another_language(client, handler, complaint):
    client.force_login(handler)
    client.cookies["django_language"] = "nl"
    dutch = opened(client, complaint)
    assert queries_of_visit(client, complaint) == KEPT
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False):
        # Drawn: the deadlines say how many days are left.
        assert queries_of_visit(client, complaint) > KEPT
    client.cookies["django_language"] = "en"
    english = opened(client, complaint)
    assert "Record a contact" in english
    assert "Record a contact" not in dutch


def test_a_form_opened_on_the_page_is_drawn_each_time(client, handler, complaint):
    client.force_login(handler)
    opened(client, complaint, edit="conduct")
    assert queries_of_visit(client, complaint, edit="conduct") > KEPT
    page = opened(client, complaint, edit="conduct")
    assert 'action="' + reverse("complaints:edit", args=[complaint.reference, "conduct"]) in page


def test_the_lists_every_case_page_offers_are_kept_until_a_user_or_a_norm_changes(
    client, handler, complaint, user_factory, department
):
    """The employees (add a party), the department's handlers (assign) and the norms (judge
    a part) are the same on every case page: kept, and read again once a user or a norm is
    saved (the shared token), as the pages are."""
    part = services.part_add(
        complaint_id=complaint.pk, actor=handler, description="Te laat gebeld."
    )
    client.force_login(handler)
    for params in ({}, {"form": "party"}, {"form": f"part-{part.pk}"}):
        opened(client, complaint, **params)
    with transaction.atomic():
        newcomer = user_factory(handler=True, department=department, full_name="Nieuwe Collega")
        norm = Norm.objects.order_by("number").first()
        norm.name_nl = "Goed luisteren, herzien"
        norm.save()
    option = f'<option value="{newcomer.pk}">Nieuwe Collega</option>'
    assert option in opened(client, complaint)  # assign
    assert option in opened(client, complaint, form="party")  # add a party
    assert "Goed luisteren, herzien" in opened(client, complaint, form=f"part-{part.pk}")

    other = ComplaintFactory(department=department, handler=handler)
    services.part_add(complaint_id=other.pk, actor=handler, description="Niet teruggebeld.")
    assert queries_of_visit(client, other) < queries_of_visit(client, complaint, changed=True)


def test_a_message_is_shown_once_and_a_kept_page_has_this_responses_nonce(
    client, handler, complaint
):
    client.force_login(handler)
    opened(client, complaint)
    saved = client.post(
        reverse("complaints:add_note", args=[complaint.reference]),
        {"text": "Gebeld.", "version": complaint.version},
        follow=True,
    ).content.decode()
    assert "utrecht-alert__message" in saved  # the action's result, once
    opened(client, complaint)  # drawn (the case changed), kept
    response = client.get(url_of(complaint))
    page = response.content.decode()
    assert "Gebeld." in page and "utrecht-alert__message" not in page
    nonces = set(re.findall(r'nonce="([^"]+)"', page))
    assert len(nonces) == 1
    assert f"'nonce-{nonces.pop()}'" in response["Content-Security-Policy"]


def test_without_the_cache_the_page_is_drawn_on_every_visit(
    client, handler, complaint, monkeypatch
):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    client.force_login(handler)
    for method in ("get", "get_many", "set", "add"):
        monkeypatch.setattr(cache, method, down)
    assert queries_of_visit(client, complaint) > KEPT
    with transaction.atomic():
        services.note_add(complaint_id=complaint.pk, actor=handler, text="Zonder cache genoteerd.")
    assert "Zonder cache genoteerd." in opened(client, complaint)


def test_the_forms_of_closed_details_are_drawn_when_asked_for(client, handler, complaint):
    """A contact, a party, a part's judgment, the committee, the postponement, the extension:
    not drawn with the page (a fifth of its time), but when the details opens (htmx asks for
    ?form=<name>), or, without JavaScript, through the link in it: the page with the details
    open and the form in it."""
    client.force_login(handler)
    add_contact = reverse("complaints:add_contact", args=[complaint.reference])
    page = opened(client, complaint)
    assert add_contact not in page
    assert 'href="?form=contact#form-contact"' in page
    assert 'hx-get="?form=contact" hx-trigger="toggle from:closest details once"' in page
    asked = opened(client, complaint, form="contact")
    details = re.search(r'<details class="kl-add"( open)?><summary>[^<]*</summary>\s*'
                        r'<div id="form-contact">', asked)  # fmt: skip
    assert details and details.group(1) == " open"
    assert add_contact in asked
    # Refused, the form comes back with what was typed, open, without being asked for.
    refused = client.post(add_contact, {"with_whom": "De klager", "summary": ""})
    assert refused.status_code == 400
    assert 'value="De klager"' in refused.content.decode()
