"""The case page kept in the cache until the case, or anything else it shows, changes.

Drawing a case page costs about 25 ms of the server's time, nearly all of it Python: nine
queries for the case and what goes with it, thirty form fields, fifty templates
(bench/query-plans.md, "The case page kept"). The same page is opened again and again: from
the work list, from a reminder, by the handler coming back to it between two calls. A visit
that finds the page kept costs one query for the case's row (who may see it, its version), the
read audit's row and the staff shell around it.

What is kept is the page (the staff shell around ``complaints/staff/case/page.html``) as it was
drawn for one user, used while all of these are as they were when it was drawn (the first two
and the last make its key; the tokens are kept beside the page, so that a visit reads both
tokens and the page in one round trip: ``case_page_kept``):

- the case: its id, version and time of the last change, read fresh on every visit (the same
  query checks that the user may see the case);
- the user: their id and permissions (the moves, the forms, the special-category fields and
  the menu depend on them), the language and today (the deadlines' words);
- the case's token, renewed by every save or delete of the case or of a row that belongs to
  it (a ``complaint_id``: events, contacts, notes, parts, parties, attachments, letters, the
  outbox, the survey, the ombudsman's phase, the lesson) and by a change of its themes or its
  parts' norms;
- the shared token, renewed by every save or delete of any other model (users and their
  groups, departments, themes, norms, the ombudsman's findings and requests, improvement
  actions, service norms, decree days) but those in ``NOT_SHOWN``: a model added later renews
  it until it is listed there or has a ``complaint_id``;
- the token of the release (``config.release``): the web workers share what they drew, and a
  new release never serves a page the old one drew.

Tokens are renewed after commit (a page drawn by another request before it, from what was
committed before, is stored under the old token), once per transaction, in the one round trip
that takes all of the transaction's writes to the cache after its commit
(``config.cache.version_renew_after_commit``). A write that passes
Django's signals (``QuerySet.update``, raw SQL) is seen when it changes the case's version or
last change (the retention sweep's does), else within ``SECONDS``. A cache that is down costs
the drawing, never an error page.

The page's forms carry a CSRF token and its styles and scripts the response's CSP nonce: the
kept page holds placeholders instead, filled in with the visitor's token and this response's
nonce (``kept_response``). A page that shows something once (a message, what was typed
before a sign-out) is drawn and not kept (``shows_once``).

The worklist is kept whole the same way, under a key of its own (``_page_key`` in
``complaints.views.staff.worklist``) that holds the shared token too.
"""

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

from accounts.middleware import TYPED
from config.cache import current_version, version_renew, version_renew_after_commit, versions
from config.cache import kept as cache_kept
from config.release import release_token

log = logging.getLogger(__name__)
T = TypeVar("T")

SECONDS = 10 * 60
SHARED_KEY = "case-pages:shared"
CSRF_PLACEHOLDER = "\x00kl-csrf\x00"
NONCE_PLACEHOLDER = "\x00kl-nonce\x00"

# Written often and never on a case page: their writes leave the kept pages alone.
NOT_SHOWN = frozenset(
    {
        "admin.logentry",  # the admin's log (the model it changed renews what it shows)
        "sessions.session",
        "otp_totp.totpdevice",  # its counter moves with every sign-in
        "otp_static.staticdevice",
        "otp_static.statictoken",
        "axes.accessattempt",
        "axes.accessfailurelog",
        "axes.accessattemptexpiration",
        "axes.accesslog",
        "audit.accessrecord",  # every visit of a case page writes one
        "complaints.referencecounter",  # every registration
        "complaints.overduemail",
        "reporting.monthfigures",  # the rollups, refreshed after every change of a case
        "reporting.dirtymonth",
        "reporting.learningreport",
        "reporting.annualreportrun",
    }
)


def _case_key(complaint_id: int) -> str:
    return f"case-pages:case:{complaint_id}"


def _renew(key: str) -> None:
    version_renew(key, SECONDS, without="case pages are drawn on every visit")


def _after_commit(key: str) -> None:
    """Renew ``key`` again when the current transaction commits (once, however many rows it
    writes, with its other writes to the cache: ``version_renew_after_commit``); nothing
    outside a transaction."""
    if transaction.get_connection().in_atomic_block:
        version_renew_after_commit(key, SECONDS)


def _changed(key: str) -> None:
    """Renew after commit, once per transaction: before it, no other request sees what the
    transaction wrote. At once where there is no commit to wait for: outside a transaction, and
    inside a savepoint (a nested block: the services' writes in a test, whose transaction never
    commits; a test that writes rows itself does so in ``transaction.atomic()``)."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block or connection.savepoint_ids:
        _renew(key)
    _after_commit(key)


def case_pages_changed(complaint_id: int | None = None) -> None:
    """What the kept page of this case shows changed; without a case, what any page may show
    (a name, a norm, a permission): no page kept so far is used again, from now on."""
    key = _case_key(complaint_id) if complaint_id is not None else SHARED_KEY
    _renew(key)
    _after_commit(key)


def _changed_by(instance) -> None:
    """The pages a change of ``instance`` touches: its case's, if it belongs to one (a row
    without a case, as a mail to a user, touches none), else every page."""
    from complaints.models import Complaint

    if isinstance(instance, Complaint):
        _changed(_case_key(instance.pk))
    elif hasattr(instance, "complaint_id"):
        if instance.complaint_id is not None:
            _changed(_case_key(instance.complaint_id))
    else:
        _changed(SHARED_KEY)


def _saved_or_deleted(sender, instance, **kwargs) -> None:
    if sender._meta.label_lower not in NOT_SHOWN:
        _changed_by(instance)


def _related_changed(sender, instance, action: str, reverse: bool, **kwargs) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # A case's themes or a part's norms: that case; from the other side (a theme's cases),
    # or any other relation (a user's groups, a group's permissions): every page.
    if reverse:
        _changed(SHARED_KEY)
    else:
        _changed_by(instance)


def connect() -> None:
    post_save.connect(_saved_or_deleted, dispatch_uid="case-pages-save")
    post_delete.connect(_saved_or_deleted, dispatch_uid="case-pages-delete")
    m2m_changed.connect(_related_changed, dispatch_uid="case-pages-m2m")


def shared_kept(key: str, compute: Callable[[], T]) -> T:
    """What every case page shows alike, whatever the case (the users a select offers, the
    norms), kept under the shared token and the release's: read again after a save of any
    model not ``NOT_SHOWN`` and not of a case, as the pages are drawn again. Computed each
    time when the cache is down or holds no token yet (the first visit sets it)."""
    try:
        token = cache.get(SHARED_KEY)
    except Exception:  # noqa: BLE001 -- the cache is down: compute
        return compute()
    if token is None:
        return compute()
    full_key = f"case-pages:kept:{release_token()}:{token}:{key}"
    return cache_kept(full_key, compute, SECONDS, without="case pages are drawn on every visit")


@dataclass(frozen=True)
class PageKey:
    """Where a case page is kept: ``key`` (the case's row, the user, the language, today) and
    the tokens it is drawn under (the case's, the shared one), kept with the page."""

    key: str
    tokens: tuple[str, str]


def case_page_kept(
    request: HttpRequest, row: dict, *, today: date
) -> tuple[PageKey | None, HttpResponse | None]:
    """The kept page of the case ``row`` (``id``, ``version``, ``updated_at``) for the visitor
    if there is one, and where to keep it if not: (None, None) when the cache is down (then the
    page is drawn and not kept). The two tokens and the page are read in one round trip: the
    page is kept under a key without the tokens, with them in its value, and is used only when
    they are still the current ones (a page kept under older tokens is drawn again and kept
    over it)."""
    case_key = _case_key(row["id"])
    key = _page_key(row, request.user, today)
    try:
        found = cache.get_many([case_key, SHARED_KEY, key])
    except Exception:  # noqa: BLE001 -- the cache is down: draw
        return None, None
    tokens = (found.get(case_key), found.get(SHARED_KEY))
    if None in tokens:  # not made yet, or expired: made now (versions), and the page drawn
        made = versions([case_key, SHARED_KEY], SECONDS)
        if made is None:
            return None, None
        return PageKey(key, (made[case_key], made[SHARED_KEY])), None
    place = PageKey(key, tokens)
    kept = found.get(key)
    if kept is None or kept[0] != tokens:
        return place, None
    return place, _filled(request, kept[1])


def _page_key(row: dict, user, today: date) -> str:
    permissions = hashlib.sha1(
        ",".join(sorted(user.get_all_permissions())).encode(), usedforsecurity=False
    ).hexdigest()[:12]
    return ":".join(
        (
            "case-page",
            release_token(),
            str(row["id"]),
            str(row["version"]),
            row["updated_at"].isoformat(),
            str(user.pk),
            permissions,
            translation.get_language() or "",
            today.isoformat(),
        )
    )


def shared_token() -> str | None:
    """The shared token (``SHARED_KEY``), made if there is none; None when the cache is down.
    For a kept page other than a case's (the worklist's), which the shell and the names on it
    tie to the same changes."""
    return current_version(SHARED_KEY, SECONDS)


def shows_once(request: HttpRequest) -> bool:
    """Whether the staff shell will show what it shows only once: a message (the result of
    an action), what was typed before a sign-out. Such a page is drawn, neither kept nor
    taken from the cache."""
    return TYPED in request.session or len(messages.get_messages(request)) > 0


def kept_response(request: HttpRequest, key: str | None) -> HttpResponse | None:
    """The page kept under ``key``, with the visitor's CSRF token in its forms and this
    response's CSP nonce (in the response's header too); None when there is none (or no
    cache): then it is drawn."""
    if key is None:
        return None
    try:
        kept = cache.get(key)
    except Exception:  # noqa: BLE001 -- the cache is down: draw
        return None
    if kept is None:
        return None
    return _filled(request, kept)


def _filled(request: HttpRequest, kept: str) -> HttpResponse:
    """A kept page with the visitor's CSRF token and this response's CSP nonce in it."""
    page = kept.replace(CSRF_PLACEHOLDER, get_token(request))
    return HttpResponse(page.replace(NONCE_PLACEHOLDER, str(request.csp_nonce)))


def page_keep(
    key: str | PageKey | None,
    request: HttpRequest,
    response: HttpResponse,
    *,
    csrf_token: str,
    seconds: int = SECONDS,
) -> None:
    """Keep the drawn page of ``response`` (a 200), the CSRF token it was drawn with (the one
    token of the body and the shell: the view passes it to both) and this response's CSP
    nonce replaced by placeholders."""
    nonce = str(request.csp_nonce)
    if key is None or response.status_code != 200 or not csrf_token or not nonce:
        return
    page = response.content.decode()
    kept = page.replace(csrf_token, CSRF_PLACEHOLDER).replace(nonce, NONCE_PLACEHOLDER)
    if isinstance(key, PageKey):  # a case page: kept with the tokens it was drawn under
        key, kept = key.key, (key.tokens, kept)
    try:
        cache.set(key, kept, seconds)
    except Exception:  # noqa: BLE001 -- drawn again next time
        log.warning("cache unreachable; pages are drawn on every visit")
