"""Session timeouts and the second factor, for every staff page.

``SessionTimeoutMiddleware`` signs a member of staff out after ``SESSION_IDLE_TIMEOUT`` seconds
without a request and ``SESSION_ABSOLUTE_TIMEOUT`` seconds after signing in, and the sign-in
page then says why. The last request's time is written to the session at most once a minute
(not on every request). The stored session expires ``SESSION_COOKIE_AGE`` (the absolute
timeout) after its last write, so the database forgets it too.

``SignInAgainMiddleware`` (before both) sends a POST or an htmx request that has to sign in
first back to the page the user was on, not to the action they posted.

``MFARequiredMiddleware`` (after ``LoginRequiredMiddleware``) sends a signed-in member of staff
who has not given their second factor in this session to the code page (or to enrolment), when
``MFA_REQUIRED``. Public views (``@login_not_required``) and the views of the second factor
themselves (``@mfa_exempt``) are not affected.
"""

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect

from .mfa import has_confirmed_device

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen_at"
# Set in the new, anonymous session after a timeout: the sign-in page says why.
TIMED_OUT = "session_timed_out"
# What a user had typed into the form they posted when their session timed out: kept in the
# new session for them only, shown after they sign in again (``typed_before_sign_out``).
TYPED = "typed_before_sign_out"
# Posted fields that hold no typing of the user's: tokens and the versions a form carries.
NOT_TYPED = ("csrfmiddlewaretoken", "version", "seen", "next", "key")
# Fields never kept, whatever the form: passwords (the password change form) and one-time
# codes of the second step are secrets, and no use once the session has ended.
SECRET_PARTS = ("password", "code", "token")
TYPED_MAX_FIELDS, TYPED_MAX_CHARS = 20, 20_000
# How often (seconds) the time of the last request is written to the session.
SEEN_RESOLUTION = 60


def session_start(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: the clock of both timeouts starts at sign-in."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now


def mfa_exempt(view):
    """Mark a view a signed-in user reaches before giving the second factor."""
    view.mfa_exempt = True
    return view


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = request.session
        if SESSION_KEY in session:
            self._check(request, session)
        return self.get_response(request)

    def _check(self, request, session) -> None:
        now = int(time.time())
        signed_in = session.get(SIGNED_IN_AT)
        seen = session.get(LAST_SEEN)
        if signed_in is None or seen is None:  # a session from before the timeouts existed
            session[SIGNED_IN_AT] = signed_in or now
            session[LAST_SEEN] = now
            return
        if now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT:
            reason = "absolute"
        elif now - seen > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
        else:
            if now - seen >= SEEN_RESOLUTION:
                session[LAST_SEEN] = now
            return
        typed = posted_texts(request) if request.method == "POST" else []
        user_id = request.session.get(SESSION_KEY)
        logout(request)
        request.session[TIMED_OUT] = reason
        if typed:
            request.session[TYPED] = {"user": user_id, "texts": typed}


def posted_texts(request) -> list[tuple[str, str]]:
    """(field, text) of what the user typed into the posted form: every non-empty value but
    the tokens and versions (``NOT_TYPED``) and secrets (``SECRET_PARTS``), at most
    ``TYPED_MAX_FIELDS`` of ``TYPED_MAX_CHARS`` characters."""
    texts = []
    for name, values in request.POST.lists():
        field = name.rsplit("-", 1)[-1]  # form prefixes end in "-"
        if field in NOT_TYPED or any(part in field.lower() for part in SECRET_PARTS):
            continue
        texts += [(name, value[:TYPED_MAX_CHARS]) for value in values if value.strip()]
    return texts[:TYPED_MAX_FIELDS]


class SignInAgainMiddleware:
    """A request that must sign in first (its session timed out, or never was) and that was
    not a plain page view: a form posted, or an htmx request of the case page.

    Django sends it to sign in with ``next`` = the URL asked for, an action that only takes a
    POST: after signing in the browser would ask for it and get 405. Here ``next`` is the page
    the user was on (htmx's ``HX-Current-URL``, else the ``Referer``; this site only). An htmx
    request would follow the redirect out of sight and swap the sign-in page into the case
    page (which it does not contain: the case disappeared); it gets ``HX-Redirect`` instead,
    so the whole browser goes to sign in, where the page says why. What was typed into the
    posted form is kept in the session for the same user (``SessionTimeoutMiddleware``), and
    shown to copy once they are signed in again (``accounts.context_processors``); nothing is
    kept in the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        htmx = request.headers.get("HX-Request") == "true"
        if response.status_code != 302 or (request.method == "GET" and not htmx):
            return response
        login = resolve_url(settings.LOGIN_URL)
        location = urlsplit(response["Location"])
        # Django's "sign in first" (redirect_to_login) names the URL asked for; signing out
        # also ends on the sign-in page, without it.
        if location.path != login or "next=" not in location.query:
            return response
        url = redirect_to_login(self._page_of(request) or reverse("staff-home"), login)["Location"]
        return HttpResponseClientRedirect(url) if htmx else HttpResponseRedirect(url)

    @staticmethod
    def _page_of(request) -> str:
        """The path (and query) of the page that sent the request, if it is one of ours."""
        page = request.headers.get("HX-Current-URL") or request.headers.get("Referer") or ""
        if not url_has_allowed_host_and_scheme(
            page, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return ""
        parts = urlsplit(page)
        return parts.path + (f"?{parts.query}" if parts.query else "")


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not settings.MFA_REQUIRED:
            return None
        if not getattr(view_func, "login_required", True) or getattr(
            view_func, "mfa_exempt", False
        ):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        return second_factor_redirect(request)


def second_factor_redirect(request):
    """To the code page, or to enrolment for a user without an authenticator, then back."""
    name = (
        "accounts:mfa_verify" if has_confirmed_device(user=request.user) else "accounts:mfa_enrol"
    )
    return redirect_to_login(request.get_full_path(), reverse(name))
