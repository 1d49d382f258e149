"""Two-factor sign-in: enrolment with a QR code, the code after the password, recovery codes."""

import re

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import mfa
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def mfa_required(settings):
    settings.MFA_REQUIRED = True


def code_of(device: TOTPDevice, *, ahead: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, drift=ahead):06d}"


def sign_in(client, user):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return response


@pytest.fixture
def enrolled(user_factory):
    user = user_factory(handler=True)
    device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    codes = mfa.recovery_codes_regenerate(user=user)
    return user, device, codes


def test_a_staff_page_sends_a_user_without_an_authenticator_to_enrolment(client, user_factory):
    user = user_factory(handler=True)
    sign_in(client, user)
    response = client.get(reverse("staff-home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:mfa_enrol") + "?next=")


def test_a_staff_page_sends_an_enrolled_user_to_the_code_until_given(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    for url in (reverse("staff-home"), reverse("accounts:password_change"), "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:mfa_verify") + "?next="), url

    response = client.post(
        reverse("accounts:mfa_verify"), {"code": code_of(device), "next": "/staff/"}
    )
    assert response["Location"] == "/staff/"
    assert client.get(reverse("staff-home")).status_code == 200


def test_public_pages_need_no_second_factor(client, enrolled):
    sign_in(client, enrolled[0])
    for url in (reverse("public-home"), reverse("health"), reverse("complaint_start")):
        response = client.get(url)
        assert response.status_code in (200, 302, 503), url
        assert not response.get("Location", "").startswith("/accounts/"), url


def test_without_mfa_required_the_password_is_enough(client, enrolled, settings):
    settings.MFA_REQUIRED = False
    sign_in(client, enrolled[0])
    assert client.get(reverse("staff-home")).status_code == 200


def test_a_wrong_code_is_refused(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("accounts:mfa_verify"), {"code": wrong})
    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert client.get(reverse("staff-home")).status_code == 302


def test_wrong_codes_make_the_next_try_wait(client, enrolled):
    user, device, _codes = enrolled
    sign_in(client, user)
    with time_machine.travel("2026-12-01 10:00:00 +00:00", tick=False) as traveller:
        for _i in range(3):
            client.post(reverse("accounts:mfa_verify"), {"code": "000000"})
        device.refresh_from_db()
        # Throttled: even the right code waits (1, 2, 4 seconds after 1, 2, 3 failures).
        response = client.post(reverse("accounts:mfa_verify"), {"code": code_of(device)})
        assert "Too many wrong codes. Wait" in response.content.decode()
        assert client.get(reverse("staff-home")).status_code == 302
        traveller.shift(5)
        response = client.post(reverse("accounts:mfa_verify"), {"code": code_of(device)})
        assert response.status_code == 302
    assert client.get(reverse("staff-home")).status_code == 200


def test_a_recovery_code_works_once(client, enrolled):
    user, _device, codes = enrolled
    sign_in(client, user)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert mfa.recovery_codes_left(user=user) == 9

    client.post(reverse("accounts:logout"))
    sign_in(client, user)
    response = client.post(reverse("accounts:mfa_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert client.get(reverse("staff-home")).status_code == 302


def test_enrolment_shows_the_key_as_qr_and_text_then_recovery_codes_once(client, user_factory):
    user = user_factory(handler=True)
    sign_in(client, user)
    page = client.get(reverse("accounts:mfa_enrol")).content.decode()
    assert '<svg role="img"' in page and "<title>" in page
    secret = re.search(r'id="mfa-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=user)
    assert secret and device.config_url.count(secret) == 1
    assert not device.confirmed

    response = client.post(
        reverse("accounts:mfa_enrol"), {"code": code_of(device), "next": "/staff/"}
    )
    assert response["Location"].startswith(reverse("accounts:mfa_recovery_codes_new"))
    page = client.get(response["Location"]).content.decode()
    shown = re.findall(r"<li><code>([a-z2-7]+)</code></li>", page)
    assert len(shown) == 10
    # Shown once.
    assert client.get(reverse("accounts:mfa_recovery_codes_new")).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("staff-home")).status_code == 200


def test_enrolling_again_needs_the_current_authenticator_first(client, enrolled):
    user, _device, _codes = enrolled
    sign_in(client, user)
    response = client.get(reverse("accounts:mfa_enrol"))
    assert response["Location"].startswith(reverse("accounts:mfa_verify"))


def test_a_user_sees_the_recovery_codes_left_and_makes_new_ones(client, enrolled):
    user, device, codes = enrolled
    sign_in(client, user)
    client.post(reverse("accounts:mfa_verify"), {"code": code_of(device)})
    page = client.get(reverse("accounts:mfa_settings")).content.decode()
    assert "You have 10 recovery codes left." in page

    response = client.post(reverse("accounts:mfa_settings"))
    assert response["Location"] == reverse("accounts:mfa_recovery_codes_new")
    new = re.findall(
        r"<li><code>([a-z2-7]+)</code></li>", client.get(response["Location"]).content.decode()
    )
    assert len(new) == 10 and not set(new) & set(codes)
    assert mfa.recovery_codes_left(user=user) == 10


def test_a_functional_admin_resets_a_users_two_factor_in_the_admin(client, enrolled, user_factory):
    user, _device, _codes = enrolled
    admin_user = user_factory(functional_admin=True, is_staff=True)
    client.force_login(admin_user)
    admin_device = TOTPDevice.objects.create(user=admin_user, name="a", confirmed=True)
    client.post(reverse("accounts:mfa_verify"), {"code": code_of(admin_device)})
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [user.pk]},
    )
    assert response.status_code == 302
    change = client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    assert change.status_code == 200
    assert not mfa.has_confirmed_device(user=user)
    assert mfa.recovery_codes_left(user=user) == 0
