"""Failed-login throttling with django-axes (settings: AXES_* in config/settings/base.py).

``LOGIN_FAILURE_LIMIT`` failed sign-ins for one e-mail address from one client address lock
that pair out for ``LOGIN_COOLOFF_MINUTES``. An address without an account is counted and
locked exactly like one with an account, and the message says nothing about which it is.
"""

from django.conf import settings
from django.shortcuts import render
from django.utils.translation import ngettext

from .forms import EmailAuthenticationForm


def attempted_email(request, credentials=None) -> str:
    """The e-mail address as the sign-in compares it: in any case, without spaces."""
    source = credentials if credentials else getattr(request, "POST", {})
    # At most what axes' record of failed attempts holds (255): no account has a longer one.
    return str(source.get(settings.AXES_USERNAME_FORM_FIELD) or "").strip().lower()[:254]


def locked_out(request, original_response=None, credentials=None):
    """The sign-in page with the lockout message, answered with 429 Too Many Requests."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed attempts to sign in with this e-mail address. Wait %(minutes)d minute "
        "and try again, or reset your password.",
        "Too many failed attempts to sign in with this e-mail address. Wait %(minutes)d "
        "minutes and try again, or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    form = EmailAuthenticationForm(request, initial={"username": attempted_email(request)})
    context = {"form": form, "lockout": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=429)
