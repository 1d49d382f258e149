"""Two-step verification in the browser: enrol with the shown key, sign out, sign in with a code."""

from base64 import b32decode

import pytest
from django_otp.oath import totp

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def no_violations(axe, page, what: str) -> None:
    violations = axe(page)
    assert violations == [], f"{what}: {violations}"


def sign_in_with_password(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_enrol_sign_out_and_sign_in_with_a_code(page, axe, live_server, settings):
    settings.MFA_REQUIRED = True
    UserFactory(email="tweestaps@example.nl", full_name="Tess Tweestaps", handler=True)
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])

    sign_in_with_password(page, "tweestaps@example.nl")
    page.wait_for_url("**/accounts/two-factor/enrol/**")
    assert page.locator("svg.kl-qr").is_visible()
    no_violations(axe, page, "enrolment")
    key = b32decode(page.locator("#mfa-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app").fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url("**/accounts/two-factor/recovery-codes/**")
    assert page.locator("#recovery-codes li").count() == 10
    no_violations(axe, page, "recovery codes")
    page.get_by_role("link", name="I have stored them: continue").click()
    page.wait_for_url("**/staff/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/accounts/login/")
    sign_in_with_password(page, "tweestaps@example.nl")
    page.wait_for_url("**/accounts/two-factor/?next=**")
    no_violations(axe, page, "code page")
    # The code of the next 30 seconds: the one of this period was used to enrol.
    page.get_by_label("Code").fill(f"{totp(key, drift=1):06d}")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url("**/staff/")
    assert "Tess Tweestaps" in page.content()
