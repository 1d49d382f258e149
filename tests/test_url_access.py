"""Every URL pattern x every role x own/other department's object (QUALITY.md "access").

Need to know (DOMAIN.md section 7): every object reaches a view only through a selector scoped
to the user. This file holds the one table (``ACCESS``) that says, for every named URL of the
project, which roles may use it; the tests walk the URL configuration and check it against the
table, so a URL added without an entry fails ``test_every_url_pattern_has_an_access_entry``.

For each URL and role the tests ask for an object of the user's own department, one of another
department, one that does not exist and, for a URL that names a case and something on it, the
own case with the other department's letter, attachment, ... ("crossed"), and check:

* a role that may not use the URL is refused (403 or 404, see ``refused``), also when it
  posts an empty form to a page, and nothing in the database changes;
* another department's object and the crossed one answer exactly like a missing one (status,
  type and body, after removing what differs by nature: the CSRF token, the CSP nonce, the
  reference and the page's own address);
* the roles that may use it get an answer (a page or a redirect, or a form's error for an
  empty POST): the table is checked in both directions, so it cannot silently drift; and
  what they get shows nothing of another department's case unless they see every case;
* anonymous visitors are sent to sign in for staff pages and get an answer on public ones.

Views that accept only POST are posted to with an empty body. Every request runs in a
savepoint that is rolled back, so one role's request cannot change what the next one sees.

Adding a URL: add an entry to ACCESS (see ``Access`` and the helpers ``public``, ``staff``
and ``post``). The ids and references of the objects are the fields of ``Side``; a URL
argument named otherwise maps to one of them with ``on`` (``request_id="reopen_request_id"``),
one that names no object gets its value from ``fixed``. A new kind of object is a new field of
``Side``, built in ``build_side``.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields, replace
from datetime import date, timedelta
from urllib.parse import quote

import pytest
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role
from complaints.models import (
    Attachment,
    ClosureReason,
    InformationRequest,
    Letter,
    Ombudsman,
    OmbudsmanCase,
    OutboxMessage,
    Recommendation,
    ReopenRequest,
    Rung,
)
from complaints.models.outbox import OutboxKind, OutboxStatus
from reporting.models import AnnualReportRun, ImprovementAction, ReportKind, RunStatus
from reporting.services.reports import learning_report_make
from tests.factories import (
    ComplaintFactory,
    DepartmentFactory,
    PartyFactory,
    UserFactory,
    blank_pdf,
)

E, H, C, M, B, F = (
    Role.EMPLOYEE,
    Role.HANDLER,
    Role.COORDINATOR,
    Role.MANAGER,
    Role.BOARD,
    Role.FUNCTIONAL_ADMIN,
)
EVERY_ROLE = frozenset(Role)
NOBODY = frozenset()


def roles(*given: Role) -> frozenset[Role]:
    return frozenset(given)


# Who sees every case (accounts.view_all_complaints): the only role for whom another
# department's case may show on a page, and the default of ``Access.sees_other``.
SEES_EVERY_CASE = roles(C)


# ---------------------------------------------------------------------------
# The objects a URL can name
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Side:
    """The objects of one department (or none: ``MISSING``), by the URL argument that names
    them. A URL argument with another name maps to one of these through ``Access.on``."""

    reference: str
    letter_id: int
    attachment_id: int
    part_id: int
    party_id: int
    reopen_request_id: int
    information_request_id: int
    recommendation_id: int
    message_id: int
    action_id: int
    report_id: int
    run_id: int


NONE_ID = 999_999
MISSING = Side("KL-2026-99999", *[NONE_ID] * (len(fields(Side)) - 1))
OBJECT_ARGUMENTS = frozenset(f.name for f in fields(Side))


@dataclass(frozen=True)
class Access:
    """Who may use one URL.

    ``roles``: the roles that get an answer for their own department's object (or, for a URL
    without one, at all). Every other role is refused (see ``refused``) and changes nothing.
    ``sees_other``: the roles for whom another department's object is as their own (they see
    every case). For everyone else it must answer exactly like an object that does not exist.
    ``post_only``: the view accepts only POST; it is posted to with an empty body.
    ``on``: URL argument -> field of ``Side``, when the names differ.
    ``fixed``: URL arguments that name no object (a section, a year, a step).
    ``public``: open without an account; the status an anonymous visitor gets.
    ``query``: a query string for every request: a list's widest filter, so that what it
    shows of another department would be seen.
    """

    roles: frozenset[Role]
    sees_other: frozenset[Role] = SEES_EVERY_CASE
    post_only: bool = False
    on: dict[str, str] = field(default_factory=dict)
    fixed: dict[str, object] = field(default_factory=dict)
    public: int | None = None
    query: str = ""


def public(status: int = 200, *, post_only: bool = False, **fixed) -> Access:
    """A page for citizens (or for signing in): open to everyone, staff included."""
    return Access(EVERY_ROLE, post_only=post_only, fixed=fixed, public=status)


def staff(
    *who: Role, post_only: bool = False, sees_other=SEES_EVERY_CASE, query: str = "", **on
) -> Access:
    return Access(
        roles(*who), sees_other=frozenset(sees_other), post_only=post_only, on=on, query=query
    )


def post(*who: Role, sees_other=SEES_EVERY_CASE, **on) -> Access:
    return staff(*who, post_only=True, sees_other=sees_other, **on)


# Roles that work on a case: handler and coordinator (accounts.handle_complaint).
HANDLING = (H, C)
TOKEN = {"token": "a" * 43}  # a status link nobody holds
EVERY_CASE = "scope=all&stage=closed"  # the worklist's widest filter (the cases are closed)

ACCESS: dict[str, Access] = {
    # --- Public: citizens, signing in ------------------------------------------------------
    "public-home": public(),
    "health": public(),
    "set_language": public(302, post_only=True),
    "complaint_start": public(302),
    "complaint_form": public(step=1),
    "complaint_sent": public(302),
    # The status link: the token is the authority (complaints/views/status.py); an unknown
    # token answers 404 for every method.
    "status_request": public(),
    "status": public(404, **TOKEN),
    "status_information": public(404, post_only=True, **TOKEN),
    "status_withdraw": public(404, **TOKEN),
    "status_reopen": public(404, post_only=True, **TOKEN),
    "status_survey": public(404, post_only=True, **TOKEN),
    "status_formal": public(404, post_only=True, **TOKEN),
    "status_attachment": public(404, attachment_id=NONE_ID, **TOKEN),
    "accounts:login": public(),
    "accounts:password_reset": public(),
    "accounts:password_reset_done": public(),
    "accounts:password_reset_confirm": public(uidb64="MQ", token="set-password"),
    "accounts:password_reset_complete": public(),
    # --- Every member of staff -------------------------------------------------------------
    "staff-home": staff(*EVERY_ROLE),
    "accounts:logout": post(*EVERY_ROLE),
    "accounts:password_change": staff(*EVERY_ROLE),
    "accounts:password_change_done": staff(*EVERY_ROLE),
    "accounts:mfa_verify": staff(*EVERY_ROLE),
    "accounts:mfa_enrol": staff(*EVERY_ROLE),
    "accounts:mfa_settings": staff(*EVERY_ROLE),
    "accounts:mfa_recovery_codes_new": staff(*EVERY_ROLE),
    # --- Cases: lists ----------------------------------------------------------------------
    "complaints:worklist": staff(H, C, M, query=EVERY_CASE),
    "complaints:worklist_csv": staff(H, C, M, query=EVERY_CASE),
    "complaints:worklist_xlsx": staff(H, C, M, query=EVERY_CASE),
    "complaints:register": staff(*HANDLING),
    "complaints:quick_log": staff(E, H, C, M),
    "complaints:due": staff(C),
    "complaints:outbox": staff(C),
    "complaints:outbox_retry": post(C),
    "complaints:recommendation": staff(H, C),  # its owner (here the handler) and coordinators
    # --- One case (complaints/selectors.py: complaint_for) ---------------------------------
    "complaints:case": staff(H, C, M),
    "complaints:letter_new": post(*HANDLING),
    "complaints:letter": staff(*HANDLING),
    "complaints:letter_posted": post(*HANDLING),
    "complaints:letter_discard": post(*HANDLING),
    "complaints:letter_pdf": staff(*HANDLING),
    "complaints:move": post(*HANDLING),
    "complaints:assign": post(C),
    "complaints:escalate": post(*HANDLING),
    "complaints:acknowledge": post(*HANDLING),
    "complaints:edit": Access(roles(*HANDLING), post_only=True, fixed={"section": "complainant"}),
    "complaints:add_contact": post(*HANDLING),
    "complaints:set_committee": post(*HANDLING),
    "complaints:postpone": post(*HANDLING),
    "complaints:extend": post(*HANDLING),
    "complaints:add_note": post(*HANDLING),
    "complaints:add_part": post(*HANDLING),
    "complaints:judge_part": post(*HANDLING),
    "complaints:add_party": post(*HANDLING),
    "complaints:remove_party": post(*HANDLING),
    "complaints:add_attachment": post(*HANDLING),
    "complaints:reopen_request_handled": post(C, request_id="reopen_request_id"),
    "complaints:attachment": staff(*HANDLING),
    # Rung 3 (complaints/views/staff/ombudsman.py): the coordinator liaises.
    "complaints:ombudsman_start": post(C),
    "complaints:ombudsman_request": post(C),
    "complaints:ombudsman_request_answer": post(C, request_id="information_request_id"),
    "complaints:ombudsman_outcome": post(C),
    "complaints:ombudsman_finding": post(C),
    "complaints:ombudsman_recommendation": post(C),
    "complaints:ombudsman_follow_up": post(H, C),  # the owner and coordinators
    "complaints:ombudsman_response": post(C),
    # --- Privacy (DOMAIN.md section 7) -----------------------------------------------------
    "privacy:subject_export": staff(C),
    # --- Learning, dashboards and reports (reporting app) ----------------------------------
    "reporting:lesson": staff(*HANDLING),
    # Improvement actions: managers see their department's, board and coordinators all; the
    # own department's action here belongs to the manager, so a handler does not see it.
    "reporting:actions": staff(H, C, M, B, query="scope=all&state=all"),
    "reporting:action_new": staff(H, C, M, B),
    "reporting:action": staff(C, M, B, sees_other=roles(C, B)),
    "reporting:action_edit": staff(C, M, B, sees_other=roles(C, B)),
    "reporting:action_inform": post(C, M, B, sees_other=roles(C, B)),
    "reporting:dashboard": staff(C, M, B),
    "reporting:reports": staff(C, M, B),
    "reporting:report_make": post(C, B),
    "reporting:report": staff(C, M, B, sees_other=roles(C, B)),
    "reporting:report_pdf": staff(C, M, B, sees_other=roles(C, B)),
    "reporting:annual": staff(C),  # producing it; the board reads the page of a year
    "reporting:annual_run": staff(C),
    "reporting:annual_download": staff(C),
    "reporting:annual_page": Access(roles(C, B), fixed={"year": 2025}),
}

# Django's admin (the functional admin's configuration screens) is one group, checked by
# test_the_admin_is_for_the_functional_admin_only through its index and the list of every
# registered model: its URLs need no entry here.


# ---------------------------------------------------------------------------
# The URL configuration
# ---------------------------------------------------------------------------
def url_patterns(
    resolver=None, namespace: str = "", prefix: str = "/"
) -> Iterator[tuple[str, URLPattern, str]]:
    """Every URL pattern: its fully qualified name (``namespace:name``), the pattern and its
    whole route (for the failure messages)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = f"{prefix}{pattern.pattern}"
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, inner, route)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern cannot have an entry: it shows up under its route, and fails.
            # (The admin's catch-all redirect is the only one allowed.)
            if pattern.name is None and namespace == "admin:":
                continue
            yield f"{namespace}{pattern.name or f'<unnamed {route}>'}", pattern, route


def arguments(pattern: URLPattern) -> list[str]:
    return list(pattern.pattern.regex.groupindex)


def admin_checked(name: str, pattern: URLPattern) -> bool:
    """The admin's representative pages: its index and the list of each model."""
    return name == "admin:index" or (name.endswith("_changelist") and not arguments(pattern))


def is_admin(name: str) -> bool:
    return name.startswith("admin:")


PATTERNS = {name: pattern for name, pattern, _route in url_patterns()}
ROUTES = {name: route for name, _pattern, route in url_patterns()}


# ---------------------------------------------------------------------------
# One set of objects for the whole module
# ---------------------------------------------------------------------------
@dataclass
class World:
    users: dict[Role, object]
    own: Side
    other: Side
    # What identifies the other department's case on a page: its reference, the complainant.
    other_case_marks: tuple[str, ...]


def build_side(department, handler, manager, coordinator, number: int) -> Side:
    """A closed, judged case the ombudsman took up, with a letter, an attachment, a party, a
    reopen request, an information request, a recommendation owned by ``handler`` and a mail
    in the outbox; an improvement action of the department owned by ``manager``, the
    department's learning report and an annual report run."""
    case = ComplaintFactory(
        closed=True,
        reason=ClosureReason.JUDGED,
        department=department,
        handler=handler,
        rung=Rung.OMBUDSMAN,
        reference=f"KL-2026-{70000 + number:05d}",
        complainant_email=f"klager{number}@example.nl",
    )
    pdf = blank_pdf()
    attachment = Attachment.objects.create(
        complaint=case,
        original_name="bijlage.pdf",
        content_type="application/pdf",
        size=len(pdf),
        uploaded_by=handler,
        file=ContentFile(pdf, name="bijlage.pdf"),
    )
    phase = OmbudsmanCase.objects.create(
        complaint=case,
        ombudsman=Ombudsman.objects.get(name="Nationale ombudsman"),
        reference=f"2026.{number}",
        taken_up_on=case.received_on + timedelta(days=60),
        recorded_by=coordinator,
    )
    today = timezone.localdate()
    information_request = InformationRequest.objects.create(
        ombudsman_case=phase, received_on=today, question="Stuur het dossier.", due_on=today
    )
    recommendation = Recommendation.objects.create(
        ombudsman_case=phase, text="Bel klagers terug.", owner=handler, due_on=today
    )
    message = OutboxMessage.objects.create(
        key=f"access:{number}",
        complaint=case,
        kind=OutboxKind.OTHER,
        to=case.complainant_email,
        subject="Onderwerp",
        body="Tekst",
        status=OutboxStatus.FAILED,
    )
    action = ImprovementAction.objects.create(
        title="Terugbelafspraken nakomen",
        owner=manager,
        created_by=manager,
        department=department,
        due_on=today + timedelta(days=30),
    )
    report = learning_report_make(
        kind=ReportKind.MONTHLY, period_start=date(2026, 10, 1), department_id=department.pk
    )
    run = AnnualReportRun.objects.create(
        year=2025,
        format="csv",
        requested_by=coordinator,
        status=RunStatus.DONE,
        file=ContentFile(b"figure,value\n", name="annual.csv"),
    )
    return Side(
        reference=case.reference,
        letter_id=Letter.objects.filter(complaint=case).values_list("pk", flat=True)[0],
        attachment_id=attachment.pk,
        part_id=case.parts.values_list("pk", flat=True)[0],
        party_id=PartyFactory(complaint=case).pk,
        reopen_request_id=ReopenRequest.objects.create(complaint=case, reason="Niet opgelost").pk,
        information_request_id=information_request.pk,
        recommendation_id=recommendation.pk,
        message_id=message.pk,
        action_id=action.pk,
        report_id=report.pk,
        run_id=run.pk,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> Iterator[World]:
    """Built once, in a transaction rolled back at the end; each test runs in a savepoint
    inside it (pytest-django's ``db``), each request in one more."""
    with django_db_blocker.unblock(), transaction.atomic():
        own_department = DepartmentFactory(code="access-own", name="Burgerzaken")
        other_department = DepartmentFactory(code="access-other", name="Belastingen")
        users = {
            role: UserFactory(
                roles=[role],
                department=own_department,
                is_staff=role == F,
                email=f"{role.value}@example.nl",
            )
            for role in Role
        }
        own = build_side(own_department, users[H], users[M], users[C], 1)
        other = build_side(
            other_department,
            UserFactory(handler=True, department=other_department),
            UserFactory(manager=True, department=other_department),
            UserFactory(coordinator=True, department=other_department),
            2,
        )
        marks = (other.reference, "klager2@example.nl")
        yield World(users=users, own=own, other=other, other_case_marks=marks)
        transaction.set_rollback(True)


# ---------------------------------------------------------------------------
# Requests and what they change
# ---------------------------------------------------------------------------
UNCHECKED_TABLES = ("audit_", "django_session", "django_admin_log")


def fingerprint_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not model._meta.db_table.startswith(UNCHECKED_TABLES)
    )


def fingerprint() -> dict[str, str]:
    """A hash of every table (but the read audit and the sessions), in one query: what a
    refused request must leave exactly as it was."""
    tables = fingerprint_tables()
    # The table names come from the model registry, not from input.
    each = (
        "SELECT %s, (SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {} t)"
    )
    sql = " UNION ALL ".join(each.format(connection.ops.quote_name(table)) for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, tables)
        return dict(cursor.fetchall())


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: str
    location: str
    changed: tuple[str, ...]


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def ask(client: Client, url: str, *, post: bool, unchanged: dict | None = None) -> Answer:
    """One request, in a savepoint that is rolled back afterwards. With ``unchanged`` (the
    fingerprint before), the tables the request changed are in ``Answer.changed``."""
    cache.clear()  # the rate limits of the citizen pages count per address
    with transaction.atomic():
        response = client.post(url) if post else client.get(url)
        body = body_of(response)
        after = fingerprint() if unchanged is not None else {}
        transaction.set_rollback(True)
    changed = tuple(table for table in after if unchanged[table] != after[table])
    content_type = response.get("Content-Type", "")
    return Answer(
        status=response.status_code,
        content_type=content_type,
        body=body.decode("utf-8", "replace") if "text/" in content_type else "",
        location=response.get("Location", ""),
        changed=changed,
    )


def normalised(answer: Answer, url: str, reference: str) -> tuple:
    """What may differ between two answers by nature: the page's own address (the language
    switch carries it), the reference, the CSRF token and the CSP nonce."""
    page = answer.body
    for text in (url, quote(url, safe=""), quote(url), reference):
        page = page.replace(text, "ADDRESS")
    page = re.sub(r'nonce="[^"]+"', "", page)
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    return answer.status, answer.content_type, page


def difference(hidden: tuple, absent: tuple) -> str:
    """Where two normalised answers part, for the failure message."""
    if hidden[:2] != absent[:2]:
        return f"{hidden[:2]} instead of {absent[:2]}"
    at = next(
        (n for n, (a, b) in enumerate(zip(hidden[2], absent[2], strict=False)) if a != b),
        min(len(hidden[2]), len(absent[2])),
    )
    return f"...{hidden[2][at - 80 : at + 120]!r} instead of ...{absent[2][at - 80 : at + 120]!r}"


def refused(answer: Answer, side: Side) -> bool:
    """403 or 404; or, for a role that may see the case but not act on it, what an empty
    form gets before the service would refuse it: the case page again with the form's errors
    (400), or for a move the case page with "this step is unknown" (302). The database is
    checked unchanged either way."""
    if answer.status in (400, 403, 404):
        return True
    case_page = reverse("complaints:case", kwargs={"reference": side.reference})
    return answer.status == 302 and answer.location == case_page


def url_for(name: str, entry: Access, side: Side) -> str:
    kwargs = {}
    for argument in arguments(PATTERNS[name]):
        if argument in entry.fixed:
            kwargs[argument] = entry.fixed[argument]
        else:
            kwargs[argument] = getattr(side, entry.on.get(argument, argument))
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{entry.query}" if entry.query else url


def names_objects(name: str, entry: Access) -> bool:
    return any(
        entry.on.get(argument, argument) in OBJECT_ARGUMENTS
        for argument in arguments(PATTERNS[name])
        if argument not in entry.fixed
    )


def signed_in(user) -> Callable[[], Client]:
    """Clients of one session: a new client per request, so that no message (a cookie) of
    one answer shows on the next."""
    session = Client()
    session.force_login(user)
    key = session.cookies[settings.SESSION_COOKIE_NAME].value

    def client() -> Client:
        fresh = Client()
        fresh.cookies[settings.SESSION_COOKIE_NAME] = key
        return fresh

    return client


# ---------------------------------------------------------------------------
# The table covers the URL configuration
# ---------------------------------------------------------------------------
def test_every_url_pattern_has_an_access_entry():
    without = [
        f"{name} ({ROUTES[name]}, {PATTERNS[name].lookup_str})"
        for name in sorted(PATTERNS)
        if not is_admin(name) and name not in ACCESS
    ]
    assert not without, (
        "URL patterns without an access entry: "
        + "; ".join(without)
        + ". Add an entry to ACCESS in tests/test_url_access.py saying which roles may use it."
    )
    stale = sorted(set(ACCESS) - set(PATTERNS))
    assert not stale, f"ACCESS in tests/test_url_access.py names URLs that do not exist: {stale}"
    for name, entry in ACCESS.items():
        unbuilt = {
            argument
            for argument in arguments(PATTERNS[name])
            if argument not in entry.fixed
            and entry.on.get(argument, argument) not in OBJECT_ARGUMENTS
        }
        assert not unbuilt, (
            f"{name}: no value for the URL arguments {sorted(unbuilt)}; give them in "
            "the entry's `fixed` (or map them to a field of Side with `on`)"
        )


# ---------------------------------------------------------------------------
# Every URL x every role x own / other department / missing
# ---------------------------------------------------------------------------
SIDE_NAMES = {
    "own": "the own department's object",
    "other": "another department's object",
    "crossed": "the own department's case with another department's object",
}


def sides_for(name: str, entry: Access, world: World) -> list[tuple[str, Side]]:
    """Own and other department's objects; for a URL naming a case and an object on it, also
    the own case with the other department's object ("crossed"), which must not be found."""
    if not names_objects(name, entry):
        return [("own", world.own)]
    sides = [("own", world.own), ("other", world.other)]
    named = {entry.on.get(argument, argument) for argument in arguments(PATTERNS[name])}
    if "reference" in named and len(named & OBJECT_ARGUMENTS) > 1:
        sides.append(("crossed", replace(world.other, reference=world.own.reference)))
    return sides


def check_staff_url(name: str, entry: Access, world: World) -> int:
    """Every role on every side; returns the number of requests that were refused."""
    refusals_seen = 0
    sessions = {role: signed_in(user) for role, user in world.users.items()}
    before = fingerprint()  # after signing in: that sets last_login
    sides = sides_for(name, entry, world)
    missing_url = url_for(name, entry, MISSING)
    for role, client in sessions.items():
        missing = None
        if len(sides) > 1:
            missing = ask(client(), missing_url, post=entry.post_only, unchanged=before)
            assert missing.status in (403, 404), f"{name} as {role}: missing object: {missing}"
            assert not missing.changed, f"{name} as {role}: a missing object changed {missing}"
        for label, side in sides:
            url = url_for(name, entry, side)
            where = f"{name} as {role} on {SIDE_NAMES[label]} ({url})"
            visible = label == "own" or (label == "other" and role in entry.sees_other)
            if role in entry.roles and visible:
                answer = ask(client(), url, post=entry.post_only)
                # An empty POST may fail its form (400); a page must answer.
                refusals = (403, 404, 405) if entry.post_only else (400, 403, 404, 405)
                assert answer.status not in refusals and answer.status < 500, (
                    f"{where}: answers {answer.status}, but ACCESS says this role may use it; "
                    "fix the view or the entry in tests/test_url_access.py"
                )
                if role not in SEES_EVERY_CASE:
                    # Lists, exports and reports: nothing of another department's case.
                    leaked = [t for t in world.other_case_marks if t in answer.body]
                    assert not leaked, f"{where}: shows another department's case: {leaked}"
                continue
            answer = ask(client(), url, post=entry.post_only, unchanged=before)
            refusals_seen += 1
            assert refused(answer, side), f"{where}: answers {answer.status} {answer.location}"
            assert not answer.changed, f"{where}: a refused request changed {answer.changed}"
            if not visible:
                hidden = normalised(answer, url, side.reference)
                absent = normalised(missing, missing_url, MISSING.reference)
                assert hidden == absent, (
                    f"{where}: answers differently from an object that does not exist: "
                    + difference(hidden, absent)
                )
            if not entry.post_only:
                # A view that takes a form on the same URL must refuse its POST as well.
                posted = ask(client(), url, post=True, unchanged=before)
                assert posted.status == 405 or refused(posted, side), (
                    f"{where}, POST: answers {posted.status} {posted.location}"
                )
                assert not posted.changed, f"{where}, POST: changed {posted.changed}"
                refusals_seen += 1
    return refusals_seen


def check_anonymous(name: str, entry: Access, world: World) -> None:
    url = url_for(name, entry, world.own)
    before = fingerprint() if entry.public is None else None
    answer = ask(Client(), url, post=entry.post_only, unchanged=before)
    if entry.public is None:
        login = reverse("accounts:login")
        assert answer.status == 302, f"{name} anonymous: {answer.status}, expected sign-in"
        assert answer.location.startswith(login + "?next="), (name, answer.location)
        assert not answer.changed, f"{name} anonymous: changed {answer.changed}"
    else:
        assert answer.status == entry.public, f"{name} anonymous: {answer.status}"


def check_public_url(name: str, entry: Access, world: World) -> None:
    for role, user in world.users.items():
        url = url_for(name, entry, world.own)
        answer = ask(signed_in(user)(), url, post=entry.post_only)
        assert answer.status < 500, f"{name} as {role}: {answer.status}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ACCESS))
def test_url_answers_only_the_roles_that_may_use_it(name, world):
    entry = ACCESS[name]
    check_anonymous(name, entry, world)
    if entry.public is None:
        refusals = check_staff_url(name, entry, world)
        print(f"access {name}: {refusals} refused requests, 0 unexpected 2xx")
    else:
        check_public_url(name, entry, world)


@pytest.mark.django_db
def test_a_list_would_show_another_departments_case_to_whom_sees_every_case(world):
    """The control of the check that lists show nothing of another department's case."""
    url = url_for("complaints:worklist", ACCESS["complaints:worklist"], world.own)
    coordinator = ask(signed_in(world.users[C])(), url, post=False)
    handler = ask(signed_in(world.users[H])(), url, post=False)
    assert world.other.reference in coordinator.body
    assert world.own.reference in handler.body
    assert world.other.reference not in handler.body


@pytest.mark.django_db
def test_the_admin_is_for_the_functional_admin_only(world):
    """Django's admin as one group: its index and the list of every registered model."""
    checked = [name for name, p in PATTERNS.items() if is_admin(name) and admin_checked(name, p)]
    assert len(checked) >= 5
    sessions = {role: signed_in(user) for role, user in world.users.items()}
    before = fingerprint()
    for name in checked:
        url = reverse(name)
        for role, client in sessions.items():
            answer = ask(client(), url, post=False, unchanged=None if role == F else before)
            if role == F:
                # A list the functional admin has no permission for answers 403.
                assert answer.status in (200, 403), f"{name} as {role}: {answer.status}"
            else:
                assert answer.status == 302, f"{name} as {role}: {answer.status}"
                assert answer.location.startswith(reverse("admin:login")), (name, role)
                assert not answer.changed, f"{name} as {role}: changed {answer.changed}"
        anonymous = ask(Client(), url, post=False, unchanged=before)
        assert anonymous.status == 302, name
        assert not anonymous.changed, name
    index = ask(sessions[F](), reverse("admin:index"), post=False)
    assert index.status == 200
