"""Two-factor sign-in: an authenticator app (TOTP) and single-use recovery codes (django-otp).

After the password, a member of staff with a confirmed authenticator gives its 6-digit code
(or a recovery code); one without is enrolled first. Until then ``MFARequiredMiddleware``
sends every staff page here. Wrong codes are throttled per device by django-otp: after each
failure the next try must wait twice as long (``OTP_TOTP_THROTTLE_FACTOR`` seconds, 2x, 4x...).
"""

from __future__ import annotations

import re
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime

import segno
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"
# Set in the session right after enrolment or regeneration; the page shows them once.
NEW_CODES_SESSION_KEY = "mfa_new_recovery_codes"


class CodeThrottled(Exception):
    """Too many wrong codes: the next try must wait until ``until``."""

    def __init__(self, until: datetime | None):
        super().__init__("wrong codes throttled")
        self.until = until


@dataclass(frozen=True)
class Enrolment:
    device: TOTPDevice
    secret: str  # base32, in groups of four for typing
    qr_svg: str  # inline SVG of the otpauth:// URL


def has_confirmed_device(*, user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def enrolment_get(*, user) -> Enrolment:
    """The user's unconfirmed authenticator (made on first call), with its secret as QR and text."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    secret = b32encode(device.bin_key).decode("ascii")
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(
        scale=5,
        title=_("QR code with the key for your authenticator app"),
        svgclass="kl-qr",
        lineclass=None,
        omitsize=False,
        light="#fff",
        border=4,
    ).replace("<svg ", '<svg role="img" ', 1)
    return Enrolment(
        device=device,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr_svg=svg,
    )


def _clean(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def _check(device, code: str) -> bool:
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise CodeThrottled((data or {}).get("locked_until"))
    return device.verify_token(code)


def mfa_enrol_confirm(*, request, code: str) -> list[str] | None:
    """Confirm the unconfirmed authenticator with its first code: the new recovery codes, or None.

    Any earlier authenticator of the user is removed: one device, the one just scanned.
    """
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None or not _check(device, _clean(code)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_regenerate(user=user)
    _verified(request, device)
    return codes


def mfa_verify(*, request, code: str) -> bool:
    """Check a 6-digit code or a recovery code (used up) and mark the session verified."""
    code = _clean(code)
    if code.isdigit():
        devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    else:
        devices = StaticDevice.objects.filter(user=request.user, confirmed=True)
    for device in devices:
        if _check(device, code):
            _verified(request, device)
            return True
    return False


def _verified(request, device) -> None:
    # A new session key for the more trusted session (as after the password).
    request.session.cycle_key()
    otp_login(request, device)


def recovery_codes_regenerate(*, user) -> list[str]:
    """Replace the user's recovery codes with ``MFA_RECOVERY_CODES`` new ones."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _i in range(settings.MFA_RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def mfa_reset(*, user) -> int:
    """Remove every second-factor device of the user (lost phone): they enrol again."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed
