"""Rate limits per client address on the public pages (django-ratelimit's counter).

The counter lives in the cache (Redis in production). When the cache is unreachable the page
still works: a citizen's complaint matters more than a limit, so the limit fails open and the
failure is logged.
"""

import functools
import ipaddress
import logging

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)


def client_address(request) -> str:
    """The address a limit counts: ``CLIENT_IP_HEADER`` (e.g. ``HTTP_X_REAL_IP``, set by the
    reverse proxy, which must overwrite what a client sends) when present, else the peer."""
    header = settings.CLIENT_IP_HEADER
    address = request.META.get(header, "").strip() if header else ""
    try:  # an address, or nothing: sign-in's lockout (axes) fails on anything else
        ipaddress.ip_address(address)
    except ValueError:
        address = ""
    return address or request.META.get("REMOTE_ADDR") or "0.0.0.0"  # noqa: S104 -- not a bind


def over_limit(request, group: str, rate: str, *, increment: bool = True) -> bool:
    try:
        return is_ratelimited(request, group=group, key="ip", rate=rate, increment=increment)
    except Exception:  # noqa: BLE001 -- the cache is down: let the citizen through
        logger.warning("rate limit %s not checked: the cache is unreachable", group)
        return False


def limited(request, typed: tuple[str, ...] = ()):
    """The 429 page. What the citizen typed into the form fields named ``typed`` is shown to
    copy: the request is refused, so it is not saved, and the browser may not keep it."""
    unsaved = [
        (_("What you wrote"), text)
        for name in typed
        for text in request.POST.getlist(name)
        if text.strip()
    ]
    context = {"unsaved": unsaved, "files_lost": bool(request.FILES)}
    return render(request, "complaints/public/rate_limited.html", context, status=429)


def limit(
    group: str,
    rate_setting: str,
    methods: tuple[str, ...] = ("POST",),
    typed: tuple[str, ...] = (),
):
    """Answer 429 once an address has used up ``settings.<rate_setting>`` for ``group``;
    ``typed`` names the free-text fields whose text the 429 page shows to copy."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            rate = getattr(settings, rate_setting)
            if request.method in methods and over_limit(request, group, rate):
                return limited(request, typed if request.method == "POST" else ())
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
