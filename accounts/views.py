from django.conf import settings
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import mfa
from .forms import CodeForm, EmailAuthenticationForm, EnrolCodeForm
from .middleware import TIMED_OUT, mfa_exempt, second_factor_redirect


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        timed_out = self.request.session.pop(TIMED_OUT, None)
        notice = {
            "idle": _("You were signed out because you did nothing for a while. Sign in again."),
            "absolute": _("You were signed out because you signed in long ago. Sign in again."),
        }.get(timed_out)
        return super().get_context_data(**kwargs, timed_out=notice)


# ---------------------------------------------------------------------------
# Two-factor sign-in (accounts/mfa.py)
# ---------------------------------------------------------------------------
def _next_url(request) -> str:
    url = request.POST.get("next") or request.GET.get("next", "")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _wait_message(throttled: mfa.CodeThrottled) -> str:
    seconds = 1
    if throttled.until:
        seconds = max(1, int((throttled.until - timezone.now()).total_seconds()) + 1)
    return _("Too many wrong codes. Wait %(seconds)d seconds and try again.") % {"seconds": seconds}


def _with_next(name: str, request) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


@mfa_exempt
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """After the password: the 6-digit code (or a recovery code) for this session."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not mfa.has_confirmed_device(user=request.user):
        return redirect(_with_next("accounts:mfa_enrol", request))
    form = CodeForm(request.POST or None)
    if form.is_valid():
        try:
            if mfa.mfa_verify(request=request, code=form.cleaned_data["code"]):
                return redirect(_next_url(request))
            form.add_error("code", _("This code is not right. Check it, and try again."))
        except mfa.CodeThrottled as throttled:
            form.add_error("code", _wait_message(throttled))
    return render(request, "accounts/mfa_verify.html", {"form": form, "next": _next_url(request)})


@mfa_exempt
@require_http_methods(["GET", "POST"])
def mfa_enrol(request):
    """Add an authenticator app: its key as a QR code and as text, confirmed with a first code.

    Replacing a confirmed authenticator needs that authenticator's code first.
    """
    if not request.user.is_verified() and mfa.has_confirmed_device(user=request.user):
        return redirect(_with_next("accounts:mfa_verify", request))
    form = EnrolCodeForm(request.POST or None)
    if form.is_valid():
        try:
            codes = mfa.mfa_enrol_confirm(request=request, code=form.cleaned_data["code"])
            if codes is not None:
                request.session[mfa.NEW_CODES_SESSION_KEY] = codes
                return redirect(_with_next("accounts:mfa_recovery_codes_new", request))
            form.add_error("code", _("This code is not right. Check the app, and try again."))
        except mfa.CodeThrottled as throttled:
            form.add_error("code", _wait_message(throttled))
    context = {"form": form, "enrolment": mfa.enrolment_get(user=request.user)}
    return render(request, "accounts/mfa_enrol.html", {**context, "next": _next_url(request)})


@require_http_methods(["GET", "POST"])
def mfa_settings(request):
    """Two-factor sign-in of the signed-in user: recovery codes left, new recovery codes."""
    if not request.user.is_verified():
        return second_factor_redirect(request)
    if request.method == "POST":
        request.session[mfa.NEW_CODES_SESSION_KEY] = mfa.recovery_codes_regenerate(
            user=request.user
        )
        return redirect("accounts:mfa_recovery_codes_new")
    left = mfa.recovery_codes_left(user=request.user)
    return render(request, "accounts/mfa_settings.html", {"codes_left": left})


def mfa_recovery_codes_new(request):
    """The new recovery codes, shown once."""
    codes = request.session.pop(mfa.NEW_CODES_SESSION_KEY, None)
    if not codes or not request.user.is_verified():
        return redirect("accounts:mfa_settings")
    context = {"codes": codes, "next": _next_url(request)}
    return render(request, "accounts/mfa_recovery_codes.html", context)
