"""Sessions end after 30 minutes without a request and 10 hours after signing in."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def timeouts(settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    settings.SESSION_ABSOLUTE_TIMEOUT = 10 * 60 * 60
    settings.SESSION_COOKIE_AGE = 10 * 60 * 60


def sign_in(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302


def test_a_session_ends_after_30_idle_minutes(client, user_factory):
    with time_machine.travel("2026-12-01 09:00 +01:00", tick=False) as traveller:
        sign_in(client, user_factory())
        traveller.shift(timedelta(minutes=29))
        assert client.get(reverse("staff-home")).status_code == 200
        traveller.shift(timedelta(minutes=29))  # active 29 minutes ago: still signed in
        assert client.get(reverse("staff-home")).status_code == 200
        traveller.shift(timedelta(minutes=31))
        response = client.get(reverse("staff-home"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you did nothing for a while" in page


def test_a_session_ends_10_hours_after_signing_in_however_active(client, user_factory):
    with time_machine.travel("2026-12-01 08:00 +01:00", tick=False) as traveller:
        sign_in(client, user_factory())
        for _i in range(20):  # every 29 minutes, for 9 hours 40 minutes
            traveller.shift(timedelta(minutes=29))
            assert client.get(reverse("staff-home")).status_code == 200
        traveller.shift(timedelta(minutes=21))
        response = client.get(reverse("staff-home"))
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "You were signed out because you signed in long ago" in page


def test_activity_is_not_written_to_the_session_on_every_request(
    client, user_factory, django_assert_max_num_queries
):
    with time_machine.travel("2026-12-01 09:00 +01:00", tick=False):
        sign_in(client, user_factory())
        client.get(reverse("staff-home"))
        session_key = client.session.session_key
        with django_assert_max_num_queries(50) as queries:
            client.get(reverse("staff-home"))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"]]
    assert client.session.session_key == session_key


def test_signing_in_gives_a_new_session_key_and_secure_cookie_settings(client, user_factory):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    sign_in(client, user_factory())
    assert client.session.session_key != before
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_production_settings_default_to_secure_cookies_and_timeouts():
    import subprocess
    import sys

    from tests.conftest import environment_without_settings

    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_IDLE_TIMEOUT,"
        " s.SESSION_ABSOLUTE_TIMEOUT, s.SESSION_COOKIE_AGE, s.MFA_REQUIRED, s.AXES_FAILURE_LIMIT)"
    )
    env = environment_without_settings(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        SECRET_KEY="x" * 50,
        DATABASE_URL="postgres://u@127.0.0.1/x",
    )
    for name in ("MFA_REQUIRED", "SESSION_IDLE_TIMEOUT", "SESSION_ABSOLUTE_TIMEOUT"):
        env.pop(name, None)  # set by config/settings/test.py in this process
    env.pop("SESSION_COOKIE_SECURE", None)
    env.pop("CSRF_COOKIE_SECURE", None)
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out == ["True", "True", "1800", "36000", "36000", "True", "5"]


@pytest.fixture
def timed_out_case(client, user_factory):
    """A handler on a case page whose session has just timed out."""
    from tests.factories import ComplaintFactory, DepartmentFactory

    department = DepartmentFactory(code="bz", name="Burgerzaken")
    handler = user_factory(handler=True, department=department)
    case = ComplaintFactory(intake=True, department=department, handler=handler)
    with time_machine.travel("2026-12-01 09:00 +01:00", tick=False) as traveller:
        sign_in(client, handler)
        traveller.shift(timedelta(minutes=31))
        yield case


def test_a_note_posted_after_the_session_timed_out_signs_in_back_to_the_case_page(
    client, timed_out_case
):
    page = "http://testserver" + reverse("complaints:case", args=[timed_out_case.reference])
    response = client.post(
        reverse("complaints:add_note", args=[timed_out_case.reference]),
        {"text": "Terugbellen"},
        HTTP_REFERER=page,
    )
    assert response.status_code == 302
    case_path = reverse("complaints:case", args=[timed_out_case.reference])
    assert response["Location"] == f"{reverse('accounts:login')}?next={case_path}"
    signed_out = client.get(response["Location"]).content.decode()
    assert "You were signed out because you did nothing for a while" in signed_out


def test_an_htmx_request_after_the_session_timed_out_sends_the_browser_to_sign_in(
    client, timed_out_case
):
    """Not the sign-in page swapped into the case page (the case would disappear)."""
    case_path = reverse("complaints:case", args=[timed_out_case.reference])
    response = client.post(
        reverse("complaints:add_note", args=[timed_out_case.reference]),
        {"text": "Terugbellen"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{case_path}#notes",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == (f"{reverse('accounts:login')}?next={case_path}")
    assert response.content == b""


def test_signing_out_still_ends_on_the_plain_sign_in_page(client, user_factory):
    sign_in(client, user_factory())
    response = client.post(reverse("accounts:logout"), HTTP_REFERER="http://testserver/staff/")
    assert response.status_code == 302
    assert "next=" not in response["Location"]


def test_a_page_of_another_site_is_not_where_signing_in_goes_back_to(client, timed_out_case):
    response = client.post(
        reverse("complaints:add_note", args=[timed_out_case.reference]),
        {"text": "x"},
        HTTP_REFERER="https://evil.example/phish",
    )
    assert "evil" not in response["Location"]
    assert response["Location"].endswith("next=" + reverse("staff-home"))


def test_what_was_typed_when_the_session_timed_out_is_shown_after_signing_in_again(
    client, timed_out_case
):
    """A note typed for longer than the idle timeout is not saved (the request is refused),
    but it is not lost: after signing in again the handler finds it on the page, to copy."""
    case_path = reverse("complaints:case", args=[timed_out_case.reference])
    note = "Klant <b>teruggebeld</b>;\nafspraak gemaakt voor dinsdag."
    response = client.post(
        reverse("complaints:add_note", args=[timed_out_case.reference]),
        {"text": note, "version": "3"},
        HTTP_REFERER="http://testserver" + case_path,
    )
    assert response.status_code == 302
    assert not timed_out_case.notes.exists()
    login_page = client.get(response["Location"]).content.decode()
    assert "teruggebeld" not in login_page  # not before signing in

    signed_in = client.post(
        response["Location"],
        {"username": timed_out_case.handler.email, "password": PASSWORD},
    )
    assert signed_in["Location"] == case_path
    page = client.get(case_path).content.decode()
    assert "Not saved: what you typed" in page
    assert "Klant &lt;b&gt;teruggebeld&lt;/b&gt;;\nafspraak gemaakt voor dinsdag." in page
    assert ">3<" not in page  # the form's version is not something the user typed
    assert "teruggebeld" not in client.get(case_path).content.decode()  # shown once


def test_what_was_typed_is_not_shown_to_someone_else_signing_in(
    client, timed_out_case, user_factory
):
    client.post(
        reverse("complaints:add_note", args=[timed_out_case.reference]),
        {"text": "Vertrouwelijk verslag"},
    )
    other = user_factory(handler=True, department=timed_out_case.department)
    client.post(reverse("accounts:login"), {"username": other.email, "password": PASSWORD})
    assert "Vertrouwelijk" not in client.get(reverse("staff-home"), follow=True).content.decode()
    client.logout()
    sign_in(client, timed_out_case.handler)
    assert "Vertrouwelijk" not in client.get(reverse("staff-home"), follow=True).content.decode()


def test_passwords_posted_after_the_session_timed_out_are_never_kept(client, timed_out_case):
    """The password change form sent after the timeout: nothing of it is kept or shown."""
    from accounts.middleware import TYPED

    client.post(
        reverse("accounts:password_change"),
        {"old_password": "Oud-geheim-1", "new_password1": "Nieuw-1", "new_password2": "Nieuw-1"},
    )
    assert TYPED not in client.session
    sign_in(client, timed_out_case.handler)
    page = client.get(reverse("staff-home"), follow=True).content.decode()
    assert "Oud-geheim" not in page and "Nieuw-1" not in page
