"""Failed sign-ins lock out an e-mail address from one client address for a cool-off."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed attempts to sign in with this e-mail address"


@pytest.fixture(autouse=True)
def throttling(settings):
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


def attempt(client, email, password):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


@pytest.mark.parametrize("exists", [True, False], ids=["known address", "unknown address"])
def test_five_failures_lock_the_address_out_until_the_cool_off_has_passed(
    client, user_factory, exists
):
    if exists:
        user_factory(email="h.jansen@example.nl")
    with time_machine.travel("2026-12-01 10:00 +01:00", tick=False) as traveller:
        for _i in range(4):
            assert attempt(client, "h.jansen@example.nl", "wrong").status_code == 200
        locked = attempt(client, "H.Jansen@example.nl", "wrong")  # any case counts the same
        assert locked.status_code == 429
        assert LOCKED in locked.content.decode()
        # Locked out: even the right password is refused, with the same message.
        again = attempt(client, "h.jansen@example.nl", PASSWORD)
        assert again.status_code == 429
        assert LOCKED in again.content.decode()
        assert not again.wsgi_request.user.is_authenticated

        traveller.shift(timedelta(minutes=16))
        response = attempt(client, "h.jansen@example.nl", PASSWORD)
    if exists:
        assert response.status_code == 302
        assert response["Location"] == reverse("staff-home")
    else:
        assert response.status_code == 200  # the usual "does not match an account"


def test_the_lockout_message_is_the_same_for_known_and_unknown_addresses(client, user_factory):
    user_factory(email="bestaat@example.nl")
    pages = []
    for email in ("bestaat@example.nl", "onbekend@example.nl"):
        for _i in range(5):
            response = attempt(client, email, "wrong")
        assert response.status_code == 429
        pages.append(response.content.decode().replace(email, "EMAIL"))
    strip = [p.split("<main", 1)[1].split("</main>", 1)[0] for p in pages]
    strip = [
        __import__("re").sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", p) for p in strip
    ]
    assert strip[0] == strip[1]


def test_a_lockout_is_per_client_address(client, user_factory):
    user_factory(email="h.jansen@example.nl")
    for _i in range(5):
        attempt(client, "h.jansen@example.nl", "wrong")
    response = client.post(
        reverse("accounts:login"),
        {"username": "h.jansen@example.nl", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 302


def test_a_successful_sign_in_resets_the_count(client, user_factory):
    user_factory(email="h.jansen@example.nl")
    for _i in range(4):
        attempt(client, "h.jansen@example.nl", "wrong")
    assert attempt(client, "h.jansen@example.nl", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _i in range(4):
        assert attempt(client, "h.jansen@example.nl", "wrong").status_code == 200


def test_password_reset_answers_alike_for_known_and_unknown_addresses(
    client, user_factory, monkeypatch
):
    """Same redirect, same page, same queries; the mail is made and sent by a task."""
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts import tasks

    queued = []
    monkeypatch.setattr(tasks.password_reset_send, "delay", queued.append)
    user = user_factory(email="bestaat@example.nl")
    answers = []
    for email in ("bestaat@example.nl", "onbekend@example.nl"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(reverse("accounts:password_reset"), {"email": email})
        answers.append((response.status_code, response["Location"], len(queries)))
    assert answers[0] == answers[1]
    assert queued == [user.pk]  # the task message holds the id only, no address

    tasks.password_reset_send(user.pk)
    assert [m.to for m in mail.outbox] == [["bestaat@example.nl"]]
    assert "/accounts/password/reset/" in mail.outbox[0].body
    done = client.get(answers[0][1]).content.decode()
    assert "onbekend" not in done and "bestaat" not in done
