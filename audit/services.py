"""Writing the read audit. The views call ``audit_record`` once per request they serve."""

from __future__ import annotations

import ipaddress
import logging

from django.http import HttpRequest

from complaints.ratelimit import client_address

from .models import AccessRecord, AccessResult

logger = logging.getLogger(__name__)


def _address(request: HttpRequest) -> str | None:
    # The same "from where" the rate limits count (CLIENT_IP_HEADER behind a proxy).
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def audit_record(
    *,
    request: HttpRequest,
    action: str,
    reference: str = "",
    result: str = AccessResult.ALLOWED,
    detail: dict | None = None,
) -> AccessRecord | None:
    """Record that ``request.user`` did ``action`` on ``reference`` with ``result``.

    ``reference`` is a case reference or a description of what an export held; never put a
    citizen's name, e-mail address or other details in it or in ``detail``. Once per request:
    a second call for the same request (an htmx partial that renders the case page again, a
    view that calls another) records nothing more.
    """
    if getattr(request, "_audit_recorded", False):
        return None
    request._audit_recorded = True
    user = request.user if request.user.is_authenticated else None
    return AccessRecord.objects.create(
        user=user,
        user_email=user.email if user else "",
        action=action,
        reference=reference[:500],
        address=_address(request),
        result=result,
        # Not the query string (a search may hold a name), and not a citizen's path (a status
        # link's path is its secret token).
        path=request.path[:500] if user else "",
        detail=detail or {},
    )
