"""The citizen's private status link: a random token, only its hash stored.

``secrets.token_urlsafe(24)`` gives 192 random bits (QUALITY.md asks at least 128). The
link works while the case is open and for ``STATUS_LINK_DAYS_AFTER_CLOSURE`` days after it is
closed; issuing a new link revokes the earlier ones, so a forwarded old mail stops working.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, StatusLink, token_hash

TOKEN_BYTES = 24
# A token is URL-safe base64 of TOKEN_BYTES: anything else is not looked up at all.
TOKEN_LENGTH = 32


def status_link_token() -> str:
    """A new token, not yet issued (``status_link_issue``)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def status_link_issue(complaint: Complaint, *, new_case: bool = False, token: str = "") -> str:
    """A new token for ``complaint`` (earlier ones revoked; ``new_case``: it was registered
    in this transaction, so there are none to revoke), or ``token`` when one was made for it
    beforehand (``status_link_token``: the public form writes its mail before the case).
    Returns the token itself: it exists only in this return value and the mail it goes into.
    Call inside a transaction."""
    if not new_case:
        StatusLink.objects.filter(complaint=complaint, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    token = token or status_link_token()
    StatusLink.objects.create(complaint=complaint, token_hash=token_hash(token))
    return token


def status_link_url(token: str) -> str:
    """The absolute link for mail (no request at hand: built on SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + reverse("status", args=[token])


def status_link_expired(complaint: Complaint) -> bool:
    if complaint.closed_at is None:
        return False
    days = settings.STATUS_LINK_DAYS_AFTER_CLOSURE
    return timezone.now() > complaint.closed_at + timedelta(days=days)


def status_link_find(token: str) -> Complaint | None:
    """The case behind a valid, unrevoked, unexpired token; None for anything else."""
    if not isinstance(token, str) or len(token) != TOKEN_LENGTH:
        return None
    # A guess costs one small indexed query; only a hit loads the case.
    found = list(
        StatusLink.objects.filter(
            token_hash=token_hash(token), revoked_at__isnull=True
        ).values_list("complaint_id", flat=True)[:1]
    )
    if not found:
        return None
    complaint = Complaint.objects.filter(pk=found[0]).first()
    if complaint is None or status_link_expired(complaint):
        return None
    return complaint
