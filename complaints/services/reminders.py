"""Deadline reminders: a periodic sweep over the stored due dates (DOMAIN.md section 5).

Reminders are never queued as far-future tasks. ``reminder_sweep`` runs every 15 minutes
(``CELERY_BEAT_SCHEDULE``, or ``manage.py run_sweeps``), reads the open cases whose due dates
are near or past through the partial indexes on the case, and writes what is due today: a
reminder about a coming or today's deadline, and the manager's, as one ``Reminder`` row under
a unique key, per recipient in one mail with all of those of that run; the overdue deadlines
per recipient in one mail a day, under a unique outbox key of recipient and day. It is
set-based: a few queries find which cases miss which reminders, and those are written per
recipient in one mail (``MAIL_CASES`` cases at most), all of a run's mails in one transaction
and the mails of overdue deadlines in another, the rows of each table with one insert (a
``COPY`` on PostgreSQL), from what the sweep read: the cases are not locked nor read again. A
second sweep finds the keys and writes nothing; two at once: the unique keys fail the later
one's transaction, which then writes mail by mail (``stored_together``); for a mail of
reminder rows that fails again it locks those cases, reads them again and writes only what is
missing (``recipient_reminders_write``), a mail of overdue deadlines it leaves (the other
wrote it). Downtime loses nothing, because the next sweep looks at the dates again; a sweep
stopped halfway (time limit, killed worker) leaves what it committed and the next one does the
rest. A case closed or handed over during the seconds a sweep runs may still get that sweep's
reminder (to the handler it had when the sweep read it), as it would have a moment earlier.
The query plans, at 100,000 and 1,000,000 complaints, are in bench/query-plans.md.

The rules, per open case and per deadline that still matters (``decision_due``;
``acknowledgement_due`` while ``acknowledged_on`` is empty; ``first_contact_due`` while
``first_contact_on`` is empty; ``not_handled_notice_due`` while it is set; ``rung1_due`` of a
rung-1 log, cleared when it is handed to a complaint handler):

- **before**: from ``offset`` working days before the due date, for each offset of the service
  norms (default 5 and 1; key suffix ``before-5``, ``before-1``);
- **on the day**: on the due date (``on-the-day``);
- **overdue**: every calendar day after the due date while the case is open, as DOMAIN.md asks
  ("daily to the handler"): in the recipient's mail of the day of overdue deadlines
  (``overdue_mails_write``), not as a row per case and day;
- **manager**: once, for the decision only, from ``manager_after_days_overdue`` calendar days
  after the due date, to every active manager of the case's department (``manager``). It is
  once per case and due date: a manager appointed later is not told again.

Catch-up rule: per case and deadline the handler gets only the *latest* of before / on the
day / overdue that has come due today, and only if it was not sent yet. After downtime a
missed "5 days before" is superseded by the "1 day before" or the overdue reminder of today; it
is never sent late, nor sent in a burst. Overdue reminders of missed days are not sent either:
today's says how many days overdue the case is. The manager reminder is a separate, single one
and is written on the first sweep on or after its day.

Recipient: the case's handler while active. A case without an (active) handler goes to the
active coordinators of its department, because they assign cases; a department without a
coordinator of its own (the usual set-up: one complaints desk for the organisation) to every
active coordinator, who watch the deadlines of every department; with no coordinator at all,
it is skipped and logged (nobody to tell). Keys end with the recipient's id, so a handler assigned
later gets the current reminder once too. A changed due date (postponement, extension) starts
a new series, as the key holds the due date.

One mail per recipient and run, not per reminder: a handler with twenty cases due soon gets
one mail listing them, the most urgent first, each with the link to its case (and the link to
the work list), not twenty; a coordinator who watches every unassigned case is not flooded. A
run with a single reminder for someone sends the mail about that case, with the reference in
its subject. Later runs of the same day send only what came due since (a case assigned, a date
changed). The overdue deadlines come once a day in a mail of their own, the longest overdue
first, the first ``OVERDUE_LISTED`` with their links and the number of the others (a list of
hundreds is read in the work list), its cases kept (``OverdueMail``): what became overdue for
someone after their mail of the day (a case handed to them) comes at the next sweep in a mail
about only that. At 1,000,000 complaints a day has about
70,000 overdue deadlines: a row for each, every day, was most of the sweep's time and of the
reminder table (bench/query-plans.md). The mails are rendered in the recipient's language
(staff have none stored yet: the site's default, Dutch) and hold the reference, the deadline
and the link to the case page only, never personal data of the complainant. No case event is
recorded: a reminder changes nothing on the case, and daily rows would drown the timeline; the
``Reminder`` rows and the outbox are the record.
"""

import gc
import heapq
import logging
from collections import defaultdict, namedtuple
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property
from operator import itemgetter
from typing import TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import trans_real

from accounts.models import User
from accounts.roles import Role
from complaints.links import case_paths
from complaints.models import (
    Complaint,
    OutboxKind,
    OverdueMail,
    Reminder,
    ReminderKind,
    Stage,
)
from complaints.services.bulk_copy import copy_insert
from complaints.services.outbox import outbox_enqueue_new, outbox_nudge_after_commit
from ladder.deadlines import add_working_days
from ladder.models import ServiceNorms
from ladder.selectors import equal_days as configured_equal_days

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Deadline:
    field: str  # the due-date field on Complaint
    done_field: str | None  # while this is empty the deadline still matters
    key: str  # first part of the reminder key
    label: object  # lazy: for the subject line
    phrase: object  # lazy: for the body, "the decision (Awb 9:11)"
    rung: int | None = None  # a deadline of one rung: its partial index names the rung


DEADLINES = (
    Deadline(
        "decision_due",
        None,
        "decision",
        _("Decision"),
        _("the decision (Awb 9:11)"),
    ),
    Deadline(
        "acknowledgement_due",
        "acknowledged_on",
        "acknowledgement",
        _("Acknowledgement of receipt"),
        _("the acknowledgement of receipt (Awb 9:6)"),
    ),
    Deadline(
        "first_contact_due",
        "first_contact_on",
        "first-contact",
        _("First personal contact"),
        _("the first personal contact with the complainant (service norm)"),
    ),
    Deadline(
        "not_handled_notice_due",
        None,
        "not-handled-notice",
        _("Notice of not handling"),
        _("the notice that it will not be handled (Awb 9:8)"),
    ),
    Deadline(
        "rung1_due",
        None,
        "rung1",
        _("Rung-1 log"),
        _("closing the rung-1 log or handing it to a complaint handler (service norm)"),
        rung=1,
    ),
)
MANAGER_DEADLINE = "decision_due"  # the manager is told about the decision only
CASE_FIELDS = (
    "id",
    "reference",
    "stage",
    "department_id",
    "handler",
    *(d.field for d in DEADLINES),
    *(d.done_field for d in DEADLINES if d.done_field),
)
USER_FIELDS = ("id", "email", "full_name", "is_active", "department_id")
# Cases per mail, and so per transaction of the sweep: a recipient's reminders of a run go out
# in one mail, up to this many cases (beyond it, a mail per this many: a list that long is read
# in the work list, not in a mail); small enough that the locks are short and a killed worker
# loses little work.
MAIL_CASES = 500


@dataclass(frozen=True)
class Due:
    """One reminder that has come due today, before choosing its recipients."""

    deadline: Deadline
    due_on: date
    kind: str  # ReminderKind
    suffix: str  # of the key: before-5, on-the-day, overdue-2026-11-28, manager
    days: int  # working days to go (before) or calendar days overdue (overdue, manager)

    def key(self, reference: str, recipient_id: int) -> str:
        return f"{self.deadline.key}:{reference}{self.key_tail}{recipient_id}"

    @cached_property
    def key_tail(self) -> str:
        return f":{self.due_on.isoformat()}:{self.suffix}:"


@dataclass(frozen=True)
class Rules:
    today: date
    offsets: list[int]  # working days before, largest first
    manager_after: int  # calendar days overdue
    equal_days: Collection[date]
    # ``reminders_due`` per (deadline, due date): the rules depend on nothing else of a case,
    # and tens of thousands of open cases share a few hundred due dates.
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def horizon(self) -> date:
        """The latest due date for which any reminder can be due today: a "before" reminder
        is due from ``add_working_days(due, -offset)``, which is on or before today exactly
        when ``due`` is at most ``add_working_days(today, offset)``."""
        if not self.offsets:
            return self.today
        return add_working_days(self.today, max(self.offsets), equal_days=self.equal_days)


def reminders_due(case: "Case", rules: Rules) -> list[Due]:
    """What has come due today for ``case``: per deadline the latest handler reminder (the
    catch-up rule) and, for the decision, the manager reminder. Pure: no queries."""
    found: list[Due] = []
    memo = rules.memo
    for deadline in DEADLINES:
        due_on = getattr(case, deadline.field)
        if due_on is None or (deadline.done_field and getattr(case, deadline.done_field)):
            continue
        due = memo.get((deadline.field, due_on))
        found += due if due is not None else deadline_reminders_due(deadline, due_on, rules)
    return found


def deadline_reminders_due(deadline: Deadline, due_on: date, rules: Rules) -> tuple[Due, ...]:
    """The reminders of one deadline on ``due_on`` that have come due today, remembered in
    ``rules.memo`` (the same for every case with that deadline and date; ``reminders_due``
    looks there first)."""
    found: tuple[Due, ...] = ()
    latest = latest_reminder(due_on, rules)
    if latest is not None:
        kind, suffix, days = latest
        found = (Due(deadline, due_on, kind, suffix, days),)
        if (
            kind == ReminderKind.OVERDUE
            and deadline.field == MANAGER_DEADLINE
            and days >= rules.manager_after
        ):
            found += (Due(deadline, due_on, ReminderKind.MANAGER, "manager", days),)
    rules.memo[(deadline.field, due_on)] = found
    return found


def latest_reminder(due_on: date, rules: Rules) -> tuple[str, str, int] | None:
    """The latest of before / on the day / overdue that has come due today for ``due_on``
    (kind, key suffix, days), or None: the catch-up rule. Also used by the ombudsman sweep
    (``complaints.services.ombudsman_reminders``). Pure: no queries."""
    today = rules.today
    if today > due_on:
        return ReminderKind.OVERDUE, f"overdue-{today.isoformat()}", (today - due_on).days
    if today == due_on:
        return ReminderKind.ON_THE_DAY, "on-the-day", 0
    # The smallest offset whose day has come is the latest reminder (offsets are largest
    # first, so the last match wins).
    current = None
    for offset in rules.offsets:
        if today >= add_working_days(due_on, -offset, equal_days=rules.equal_days):
            current = offset
    if current is None:
        return None
    return (
        ReminderKind.BEFORE,
        f"before-{current}",
        working_days_between(today, due_on, rules.equal_days),
    )


def working_days_between(start: date, end: date, equal_days: Collection[date]) -> int:
    """How many working days after ``start`` ``end`` falls (``end`` a working day: at most
    the largest offset, so this loop is short)."""
    count = 0
    day = start
    while day < end:
        count += 1
        day = add_working_days(start, count, equal_days=equal_days)
    return count


class Recipients:
    """The fallback recipients per department, loaded in one query for a whole sweep."""

    def __init__(self, department_ids: Iterable[int]) -> None:
        self.coordinators: dict[int, list[User]] = defaultdict(list)
        self.managers: dict[int, list[User]] = defaultdict(list)
        self.every_coordinator: list[User] = []
        department_ids = set(department_ids)
        if not department_ids:
            return
        # Every coordinator (a handful in any organisation), the managers of these departments.
        rows = (
            User.groups.through.objects.filter(
                Q(group__name=Role.COORDINATOR)
                | Q(group__name=Role.MANAGER, user__department_id__in=department_ids),
                user__is_active=True,
            )
            .select_related("user", "group")
            .only("user", "group", "group__name", *(f"user__{name}" for name in USER_FIELDS))
            .order_by("user_id")
        )
        for row in rows:
            if row.group.name == Role.MANAGER:
                self.managers[row.user.department_id].append(row.user)
            else:
                self.coordinators[row.user.department_id].append(row.user)
                self.every_coordinator.append(row.user)

    def for_due(self, case: "Case", due: Due) -> list[User]:
        if due.kind == ReminderKind.MANAGER:
            return self.managers.get(case.department_id, [])
        if case.handler_id and case.handler.is_active:
            return [case.handler]
        return self.coordinators.get(case.department_id) or self.every_coordinator


def open_cases_near(deadline: Deadline, horizon: date) -> QuerySet[Complaint]:
    """Open cases whose ``deadline`` still matters and falls on or before ``horizon``.

    The filter is exactly the predicate of that deadline's partial index on Complaint
    (``complaint_open_*_due``) plus a range on its column: the cost is that of the cases near
    or past the deadline, never a scan of every case. One query per deadline rather than one
    query with OR: each plan stays a plain index range scan whatever the statistics say.
    """
    query = Complaint.objects.exclude(stage=Stage.CLOSED).filter(
        **{f"{deadline.field}__lte": horizon}
    )
    if deadline.done_field:
        query = query.filter(**{f"{deadline.done_field}__isnull": True})
    if deadline.rung is not None:
        query = query.filter(rung=deadline.rung)
    return query.order_by()  # the sweep reads it with .values(): case_rows


def candidates_near(rules: Rules) -> list["CaseRow"]:
    """The open cases with any deadline near or past, each once, in id order."""
    horizon = rules.horizon
    found: dict[int, CaseRow] = {}
    for deadline in DEADLINES:
        for case in case_rows(open_cases_near(deadline, horizon), skip=found):
            found[case.pk] = case
    return [found[pk] for pk in sorted(found)]


@dataclass(frozen=True)
class StaffRow:
    """A handler as the sweep reads it (``USER_FIELDS``): the attributes of ``User`` that
    the rules, the keys and the mail use."""

    pk: int
    email: str
    full_name: str
    is_active: bool
    department_id: int | None

    get_short_name = User.get_short_name


CASE_ATTRIBUTES = (*(name for name in CASE_FIELDS if name != "handler"), "handler_id")
CASE_VALUES = (*CASE_ATTRIBUTES, *(f"handler__{name}" for name in USER_FIELDS))


class CaseRow(namedtuple("CaseValues", (*CASE_ATTRIBUTES, "handler"))):
    """An open case as the sweep reads it: the values of ``CASE_FIELDS`` and its handler
    (``StaffRow``) as attributes, like a ``Complaint`` loaded with ``only()``. Plain values
    rather than model instances: instantiating a ``Complaint`` runs django-fsm's and the
    reporting rollups' ``post_init`` hooks, which were most of the cost of a quiet sweep; a
    named tuple rather than an object with a ``__dict__``: a whole sweep reads about 50,000."""

    __slots__ = ()
    pk = property(itemgetter(0))

    def __repr__(self) -> str:
        return f"<CaseRow {self.reference}>"


Case = Complaint | CaseRow  # what the sweep's rules and mail read a case from


def case_rows(query: QuerySet[Complaint], skip: Collection[int] = ()) -> Iterator[CaseRow]:
    """``query``'s cases with their handlers as ``CaseRow``s, but for the ids in ``skip``:
    one query, read as tuples (a dict per row and a ``StaffRow`` per case were a third of a
    quiet sweep at 1,000,000 complaints)."""
    handlers: dict[int, StaffRow] = {}
    first = len(CASE_ATTRIBUTES)
    for row in fetch_all(query.values_list(*CASE_VALUES)):
        if row[0] in skip:
            continue
        handler_id = row[first - 1]
        handler = None
        if handler_id is not None:
            handler = handlers.get(handler_id)
            if handler is None:
                handler = handlers[handler_id] = StaffRow(*row[first:])
        yield CaseRow(*row[:first], handler)


def fetch_all(query: QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` query as the database driver returns them, in one
    fetch: Django reads a result 100 rows at a time, which costs a sweep that reads tens of
    thousands of rows a third of its time. Only for values that need no converting from the
    database (ids, text, dates and booleans)."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the sweep reads and plans: it makes a few
    hundred thousand small tuples and strings without cycles (reference counting frees them),
    and the collections they set off were a third of a quiet sweep at 1,000,000 complaints."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def load_rules(today: date) -> Rules:
    norms = ServiceNorms.current()
    return Rules(
        today=today,
        offsets=norms.offsets,
        manager_after=norms.manager_after_days_overdue,
        equal_days=configured_equal_days(),
    )


def reminder_sweep(*, today: date) -> int:
    """Write every deadline reminder that is due on ``today``; return how many were written.

    Safe to run twice, after downtime, and twice at once (see the module docstring for the
    rules and the catch-up rule). Set-based: the candidates come from one range query per
    deadline; what is written already from one query each for the whole sweep (the keys
    probed, the managers told, today's overdue mails); and only what is missing is written,
    per recipient: one mail with all of their reminders of a case of their own
    (``reminder_mail``; ``MAIL_CASES`` cases at most), the mails of all recipients in one
    transaction (``reminder_mails_write``), one mail with their overdue deadlines once a day
    (``overdue_mails_write``), and one nudge of the outbox at the end. A quiet sweep costs a
    fixed number of queries, whatever the number of cases.
    """
    rules = load_rules(today)
    with collector_paused():
        candidates = candidates_near(rules)
        if not candidates:
            return 0
        plans = {case.pk: reminders_due(case, rules) for case in candidates}
        candidates = [case for case in candidates if plans[case.pk]]
        recipients = Recipients(case.department_id for case in candidates)
        unaddressed: set[str] = set()
        overdue = overdue_by_recipient(candidates, plans, recipients, unaddressed)
        plans = {pk: case_reminders(dues) for pk, dues in plans.items()}
        missing = missing_reminders(candidates, plans, recipients, unaddressed)
    if unaddressed:
        log.warning(
            "reminder sweep: nobody to tell (no handler, coordinator or manager) for %s",
            ", ".join(sorted(unaddressed)[:20]),
        )
    # recipient id -> case id -> the reminders found missing
    todo: dict[int, dict[int, list[Planned]]] = defaultdict(lambda: defaultdict(list))
    for case_id, items in missing.items():
        for item in items:
            todo[item.recipient.pk][case_id].append(item)
    shapes = MailShapes()
    mails = []
    for recipient_id in sorted(todo):
        by_case = todo[recipient_id]
        complaint_ids = sorted(by_case)
        parts = -(-len(complaint_ids) // MAIL_CASES)
        for number, start in enumerate(range(0, len(complaint_ids), MAIL_CASES), start=1):
            chunk = complaint_ids[start : start + MAIL_CASES]
            part = (number, parts) if parts > 1 else None
            items = [item for case_id in chunk for item in by_case[case_id]]
            mails.append(reminder_mail(items, shapes, part=part, complaint_ids=chunk))
    count = reminder_mails_write(mails, rules=rules, recipients=recipients, render=shapes)
    count += overdue_mails_write(overdue, today=today, render=shapes)
    if count:
        # Once, not after each mail: the worker sends them all (after the commit of a caller's
        # transaction, if there is one).
        outbox_nudge_after_commit()
        log.info("reminder sweep for %s: %s reminders written", today.isoformat(), count)
    return count


def case_reminders(dues: list[Due]) -> list[Due]:
    """The reminders of ``dues`` that are written per case (a ``Reminder`` row each): all
    but the daily overdue ones, which go to each recipient in one mail a day
    (``overdue_by_recipient``)."""
    return [due for due in dues if due.kind != ReminderKind.OVERDUE]


@dataclass(frozen=True)
class Overdue:
    """A recipient's overdue deadlines of today: (case, ``Due``) pairs."""

    recipient: "User | StaffRow"
    deadlines: list[tuple["Case", Due]] = field(default_factory=list)


def overdue_by_recipient(
    cases: Iterable["Case"],
    plans: dict[int, list[Due]],
    recipients: Recipients,
    unaddressed: set[str],
) -> dict[int, Overdue]:
    """Today's overdue deadlines of ``cases`` (per case id, from ``reminders_due``) per
    recipient id: the handler's, or the coordinators' of a case without one
    (``Recipients.for_due``). No query: the mail of the day is checked when it is written."""
    found: dict[int, Overdue] = {}
    for case in cases:
        for due in plans.get(case.pk, ()):
            if due.kind != ReminderKind.OVERDUE:
                continue
            users = recipients.for_due(case, due)
            if not users:
                unaddressed.add(case.reference)
            for user in users:
                of_user = found.get(user.pk)
                if of_user is None:
                    of_user = found[user.pk] = Overdue(user)
                of_user.deadlines.append((case, due))
    return found


def longest_overdue(deadline: tuple["Case", Due]) -> tuple:
    """The order of a mail of overdue deadlines: the most days overdue first (``urgency``'s
    order for these, and cheaper: a first run of the day sorts some 70,000)."""
    case, due = deadline
    return (-due.days, case.reference, due.deadline.key)


# Overdue deadlines listed in the day's mail, the longest overdue first; the mail counts the
# others and links the work list, where they are (a list of hundreds is read there).
OVERDUE_LISTED = 25


# The ``OverdueMail`` rows (which cases a mail of overdue deadlines named) of this many days
# are kept; older ones are deleted when a sweep writes such mails (the mails themselves stay in
# the outbox). At 1,000,000 complaints a day's rows hold about 70,000 case ids.
OVERDUE_MAILS_KEPT_DAYS = 30


def overdue_mail_key(recipient_id: int, today: date, number: int = 1) -> str:
    """The outbox key of a recipient's mail of ``today`` about their overdue deadlines (the
    ``number``-th of the day: the first one, then what became overdue for them since): unique,
    so a second or concurrent sweep cannot write it twice."""
    key = f"reminder:overdue:{today.isoformat()}:{recipient_id}"
    return key if number == 1 else f"{key}:{number}"


def overdue_mails_write(overdue: dict[int, Overdue], *, today: date, render: "MailShapes") -> int:
    """Per recipient one mail a day with their overdue deadlines (``overdue_by_recipient``):
    the first sweep of the day that finds any writes it, with an ``OverdueMail`` row naming
    its cases; a later sweep writes a mail only about the cases that became overdue for them
    since (a case handed to them), and nothing otherwise. One query for today's mails, then
    all the missing ones in one transaction (one ``COPY``); if another sweep wrote one of
    them meanwhile, its key fails that transaction, and they are written one transaction
    each, the other sweep's left. Returns the number of overdue deadlines mailed."""
    if not overdue:
        return 0
    mailed = overdue_mails_of(today, overdue)
    mails = []
    for recipient_id in sorted(overdue):
        of_recipient = overdue[recipient_id]
        earlier, named = mailed.get(recipient_id, (0, set()))
        if earlier:
            new = [(case, due) for case, due in of_recipient.deadlines if case.pk not in named]
            if not new:
                continue
            of_recipient = Overdue(of_recipient.recipient, new)
        key = overdue_mail_key(recipient_id, today, earlier + 1)
        mails.append((overdue_mail(of_recipient, key=key, render=render, later=earlier > 0),
                      of_recipient))  # fmt: skip
    if not mails:
        return 0
    # Only today's rows are read: the lists of cases of earlier days are let go after a while.
    OverdueMail.objects.filter(day__lt=today - timedelta(days=OVERDUE_MAILS_KEPT_DAYS)).delete()
    return stored_together(
        mails,
        lambda some: overdue_mails_store(some, today=today),
        size=lambda mail: len(mail[1].deadlines),
        taken=lambda mail: 0,  # another sweep wrote this recipient's mail first
    )


def stored_together(
    mails: list[T],
    store: Callable[[list[T]], None],
    *,
    size: Callable[[T], int],
    taken: Callable[[T], int],
) -> int:
    """``store`` all ``mails`` in one transaction. If another sweep wrote some of them
    meanwhile, a unique key fails that transaction; then each in a transaction of its own,
    and ``taken(mail)`` for one that fails again. Returns the sum of ``size`` of the mails
    written (and of what ``taken`` returns)."""
    if not mails:
        return 0
    try:
        with transaction.atomic():
            store(mails)
        return sum(size(mail) for mail in mails)
    except IntegrityError:
        pass  # another sweep wrote some of them first: each on its own
    written = 0
    for mail in mails:
        try:
            with transaction.atomic():
                store([mail])
            written += size(mail)
        except IntegrityError:
            written += taken(mail)
    return written


def overdue_mails_of(today: date, recipient_ids: Iterable[int]) -> dict[int, tuple[int, set]]:
    """Per recipient the number of their mails of overdue deadlines of ``today`` and the ids
    of the cases those named: one query (``overdue_mail_day``)."""
    found: dict[int, tuple[int, set]] = {}
    rows = OverdueMail.objects.filter(day=today, recipient_id__in=list(recipient_ids))
    for recipient_id, complaint_ids in rows.values_list("recipient_id", "complaint_ids"):
        number, named = found.get(recipient_id, (0, set()))
        found[recipient_id] = (number + 1, named | set(complaint_ids))
    return found


def overdue_mails_store(mails: list[tuple[dict, Overdue]], *, today: date) -> None:
    """The outbox rows of these mails (one ``COPY``) and their ``OverdueMail`` rows (one
    insert), in the caller's transaction."""
    message_ids = outbox_enqueue_new([mail for mail, _of in mails], nudge=False)
    OverdueMail.objects.bulk_create(
        OverdueMail(
            message_id=message_id,
            recipient_id=of_recipient.recipient.pk,
            day=today,
            complaint_ids=sorted({case.pk for case, _due in of_recipient.deadlines}),
        )
        for message_id, (_mail, of_recipient) in zip(message_ids, mails, strict=True)
    )


def overdue_mail(overdue: Overdue, *, key: str, render: "MailShapes", later: bool) -> dict:
    """One recipient's overdue deadlines as one outbox row under ``key`` (for
    ``outbox_enqueue_new``): the longest overdue first, ``OVERDUE_LISTED`` of them listed
    with their links, the number of the others, and the link to the work list. ``later``:
    not the first mail of the day (it says so)."""
    recipient, deadlines = overdue.recipient, overdue.deadlines
    listed = heapq.nsmallest(OVERDUE_LISTED, deadlines, key=longest_overdue)
    cases = {case.pk: case for case, _due in deadlines}
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    subject, body = render.overdue(
        [Planned(case, due, recipient, "") for case, due in listed],
        count=len(deadlines),
        worklist=worklist_url(cases.values(), recipient),
        recipient=recipient,
        language=language,
        later=later,
    )
    return {
        "key": key,
        "kind": OutboxKind.REMINDER.value,
        "to": recipient.email,
        "subject": subject,
        "body": body,
        "complaint_id": next(iter(cases)) if len(cases) == 1 else None,
        "language": language,
    }


@dataclass(frozen=True)
class Planned:
    """One reminder of one case for one recipient, with its key."""

    case: "Case"
    due: Due
    recipient: User
    key: str


def missing_reminders(
    cases: Iterable["Case"],
    plans: dict[int, list[Due]],
    recipients: Recipients,
    unaddressed: set[str] | None = None,
    only: int | None = None,
) -> dict[int, list[Planned]]:
    """The reminders of ``plans`` (per case id, from ``reminders_due`` less the overdue ones:
    ``case_reminders``) that are not written yet, per case id: at most two queries for any
    number of cases (the keys, the managers told). The manager reminder is once per case and
    due date, whoever the managers are now (``reminder_manager_due``, a partial index).

    ``only``: the reminders of that recipient alone, the manager reminders checked by their
    own keys (``recipient_reminders_write``: the sweep has applied the "once per case and due
    date" already, and another manager's reminder of the same case may be written first)."""
    # The manager reminders are checked by case and due date alone (any manager row of that
    # case and date means told), so their keys are built only when one is missing.
    plans_of = [(case, due) for case in cases for due in plans.get(case.pk, ())]
    missing: dict[int, list[Planned]] = defaultdict(list)
    to_probe: list[Planned] = []
    to_managers: list[tuple] = []
    for case, due in plans_of:
        users = recipients.for_due(case, due)
        if not users and unaddressed is not None:
            unaddressed.add(case.reference)
        if only is not None:
            users = [user for user in users if user.pk == only]
        elif due.kind == ReminderKind.MANAGER:
            to_managers += [(case, due, user) for user in users]
            continue
        head = f"{due.deadline.key}:{case.reference}{due.key_tail}"  # as ``Due.key``
        to_probe += [Planned(case, due, user, f"{head}{user.pk}") for user in users]
    if to_probe:
        written = keys_probed({item.key for item in to_probe})
        for item in to_probe:
            if item.key not in written:
                missing[item.case.pk].append(item)
    told = managers_told_of({case.pk for case, _due, _user in to_managers})
    for case, due, user in to_managers:
        if (case.pk, due.due_on) not in told:
            missing[case.pk].append(Planned(case, due, user, due.key(case.reference, user.pk)))
    return dict(missing)


def managers_told_of(complaint_ids: Collection[int]) -> set[tuple[int, date]]:
    """(case id, due date) of the manager reminders of these cases: one query, on the partial
    index ``reminder_manager_due``; on PostgreSQL the ids as one array parameter."""
    if not complaint_ids:
        return set()
    rows = Reminder.objects.filter(kind=ReminderKind.MANAGER).order_by()
    if connection.vendor != "postgresql":
        found: set[tuple[int, date]] = set()
        ids = list(complaint_ids)
        for start in range(0, len(ids), 500):
            chunk = rows.filter(complaint_id__in=ids[start : start + 500])
            found.update(chunk.values_list("complaint_id", "due_on"))
        return found
    table = connection.ops.quote_name(Reminder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT complaint_id, due_on FROM {table} "  # noqa: S608
            "WHERE kind = %s AND complaint_id = ANY(%s)",
            [ReminderKind.MANAGER.value, list(complaint_ids)],
        )
        return set(cursor.fetchall())


def keys_probed(keys: Iterable[str]) -> set[str]:
    """Which of ``keys`` have a ``Reminder`` row, probed one by one on the unique index."""
    keys = list(keys)
    if not keys:
        return set()
    if connection.vendor != "postgresql":
        # SQLite (``make run``) has no arrays: an IN list, in chunks below its parameter limit.
        found: set[str] = set()
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            found.update(Reminder.objects.filter(key__in=chunk).values_list("key", flat=True))
        return found
    table = connection.ops.quote_name(Reminder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT key FROM {table} WHERE key = ANY(%s)", [keys])  # noqa: S608
        return {row[0] for row in cursor.fetchall()}


@transaction.atomic
def recipient_reminders_write(
    *,
    recipient: "User | StaffRow",
    complaint_ids: Collection[int],
    rules: Rules,
    recipients: Recipients,
    render: "MailShapes | None" = None,
    part: tuple[int, int] | None = None,
) -> int:
    """Lock these cases, decide again from the locked rows, look at what is written now, and
    write what is not there yet for ``recipient``: one mail with all of it
    (``reminder_mail_store``) and a ``Reminder`` row per reminder, each table with one insert.
    Returns the number of reminders.

    The sweep's way when its first attempt at a mail failed on a unique key (another sweep
    wrote some of it meanwhile). The locks (taken in id order, so concurrent sweeps cannot
    deadlock) serialise the sweeps on these cases; a statement after the lock sees the other
    sweep's committed rows (read committed). A case closed or handed to someone else in the
    meantime is left out, or left to the next sweep for its new handler. ``render``: a
    ``MailShapes`` shared by the mails of a sweep; ``part``: (this mail, of how many) when the
    recipient's cases of this run take several mails."""
    cases = list(
        case_rows(
            Complaint.objects.select_for_update(of=("self",))
            .exclude(stage=Stage.CLOSED)  # closed since the candidates were read: nothing
            .filter(pk__in=list(complaint_ids))
            .order_by("pk")
        )
    )
    plans = {case.pk: case_reminders(reminders_due(case, rules)) for case in cases}
    missing = missing_reminders(cases, plans, recipients, only=recipient.pk)
    items = [item for case in cases for item in missing.get(case.pk, ())]
    if items:
        reminder_mail_store(items, render or MailShapes(), part=part)
    return len(items)


def worklist_url(cases: Collection["Case"], recipient: "User | StaffRow") -> str:
    """The work list that shows the cases of a mail: the recipient's own ("mine", the
    default), their department's (a manager's reminders), or every department's (a
    coordinator's: cases without a handler, anywhere)."""
    url = settings.SITE_URL.rstrip("/") + reverse("complaints:worklist")
    if all(case.handler_id == recipient.pk for case in cases):
        return url
    if all(case.department_id == recipient.department_id for case in cases):
        return f"{url}?scope=department"
    return f"{url}?scope=all"


# Most urgent first in a mail: overdue (the longest first; the manager's too), due today, due
# soon (the nearest first).
KIND_ORDER = {
    ReminderKind.OVERDUE: 0,
    ReminderKind.MANAGER: 0,
    ReminderKind.ON_THE_DAY: 1,
    ReminderKind.BEFORE: 2,
}


def urgency(item: Planned) -> tuple:
    order = KIND_ORDER[item.due.kind]
    days = -item.due.days if order == 0 else item.due.days
    return (order, days, item.case.reference, item.due.deadline.key, item.key)


@dataclass(frozen=True)
class ReminderMail:
    """One recipient's reminders (``items``) as one outbox row (``message``) and their
    ``Reminder`` rows (``rows``: ``REMINDER_COLUMNS`` but the message), before they are
    written; ``complaint_ids`` and ``part``: the cases of the recipient this mail is about,
    and (this mail, of how many) when they take several (``MAIL_CASES``)."""

    items: list[Planned]
    message: dict
    rows: list[tuple]
    complaint_ids: list[int]
    part: tuple[int, int] | None


def reminder_mail(
    items: list[Planned],
    render: "MailShapes",
    part: tuple[int, int] | None = None,
    complaint_ids: Collection[int] = (),
) -> ReminderMail:
    """The reminders of one recipient (none written yet as far as the caller knows) as one
    mail and their ``Reminder`` rows pointing to it. One reminder gets the mail about its case
    (``render`` itself: ``reminder_render``'s mail, rendered per shape), several a list, the
    most urgent first (``MailShapes.digest``). The mail's key is ``reminder:`` and the first
    of its reminders' keys, unique as they are."""
    items = sorted(items, key=urgency)
    recipient = items[0].recipient
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    if len(items) == 1:
        item = items[0]
        subject, body = render(case=item.case, due=item.due, recipient=recipient, language=language)
        complaint_id = item.case.pk
    else:
        subject, body = render.digest(items, recipient=recipient, language=language, part=part)
        complaint_id = None  # about several cases: each reminder row names its own
    message = {
        "key": f"reminder:{min(item.key for item in items)}",
        "kind": OutboxKind.REMINDER.value,
        "to": recipient.email,
        "subject": subject,
        "body": body,
        "complaint_id": complaint_id,
        "language": language,
    }
    rows = [
        (
            item.key,
            item.case.pk,
            item.due.deadline.field,
            item.due.due_on,
            str(item.due.kind),
            recipient.pk,
        )
        for item in items
    ]
    ids = sorted(complaint_ids or {item.case.pk for item in items})
    return ReminderMail(items, message, rows, ids, part)


def reminder_mails_store(mails: list[ReminderMail]) -> None:
    """The outbox rows of these mails (one ``COPY``) and their ``Reminder`` rows (one
    ``COPY``), in the caller's transaction; a key that is there after all fails it. Each
    table in the order of its unique keys, so two sweeps writing at once wait for each other
    at their first common key instead of locking each other (a deadlock)."""
    mails = sorted(mails, key=lambda mail: mail.message["key"])
    message_ids = outbox_enqueue_new(
        [mail.message for mail in mails],
        nudge=False,  # the sweep nudges the outbox once, after its last mail
    )
    rows = [
        (*row, message_id)
        for mail, message_id in zip(mails, message_ids, strict=True)
        for row in mail.rows
    ]
    rows.sort(key=lambda row: row[0])
    copy_insert(Reminder, rows, ids=False, columns=REMINDER_COLUMNS)


def reminder_mail_store(
    items: list[Planned], render: "MailShapes", part: tuple[int, int] | None = None
) -> None:
    """One recipient's reminders as one mail (``reminder_mail``), written in the caller's
    transaction."""
    reminder_mails_store([reminder_mail(items, render, part=part)])


def reminder_mails_write(
    mails: list[ReminderMail], *, rules: Rules, recipients: Recipients, render: "MailShapes"
) -> int:
    """Write the sweep's mails: all in one transaction (one ``COPY`` per table: a first run
    of the day writes 140 mails and 20,000 ``Reminder`` rows at 1,000,000 complaints, and a
    transaction each cost a commit each, about a quarter of the sweep). If another sweep
    wrote some of them meanwhile, a unique key fails that transaction; then each mail in a
    transaction of its own, and a mail that fails again is decided anew from its locked cases
    (``recipient_reminders_write``). Returns the number of reminders written."""

    def decided_again(mail: ReminderMail) -> int:
        # Another sweep wrote some of these first (a unique key; the whole mail is rolled
        # back): lock these cases, decide again and look at what is written now.
        return recipient_reminders_write(
            recipient=mail.items[0].recipient,
            complaint_ids=mail.complaint_ids,
            rules=rules,
            recipients=recipients,
            render=render,
            part=mail.part,
        )

    return stored_together(
        mails, reminder_mails_store, size=lambda mail: len(mail.items), taken=decided_again
    )


# A ``Reminder`` row as ``reminder_mails_store`` writes it: a tuple of these, no dict per row
# (for 70,000 rows a first run of the day: about 0.1-0.2 s of CPU less).
REMINDER_COLUMNS = (
    "key",
    "complaint_id",
    "due_field",
    "due_on",
    "kind",
    "recipient_id",
    "message_id",
)


@dataclass(frozen=True)
class Store:
    """One reminder to store: ``render(language)`` -> (subject, body) renders its mail."""

    case: "Case"
    key: str
    recipient: User
    due_field: str
    due_on: date
    kind: str
    render: Callable[..., tuple[str, str]]


def reminders_store(items: list[Store]) -> None:
    """Many reminders at once, a mail each: their mails in the outbox, each rendered in its
    recipient's language, and their ``Reminder`` rows; one insert for each table. The
    ombudsman sweep's (``complaints.services.ombudsman_reminders``: a handful a day, each about
    a request of its own); the deadline sweep sends a mail per recipient
    (``reminder_mail_store``). The caller holds the case
    locks and has checked that the keys are not written (the unique keys stop a duplicate
    regardless: the transaction fails rather than write one twice)."""
    if not items:
        return
    messages = []
    for item in items:
        language = getattr(item.recipient, "language", "") or settings.LANGUAGE_CODE
        subject, body = item.render(language=language)
        messages.append(
            {
                "key": f"reminder:{item.key}",
                "kind": OutboxKind.REMINDER.value,
                "to": item.recipient.email,
                "subject": subject,
                "body": body,
                "complaint_id": item.case.pk,
                "language": language,
            }
        )
    # The rows are new (see above): on PostgreSQL both tables are written with COPY
    # (``bulk_copy``), about twice as fast as bulk_create for a first run of the day.
    message_ids = outbox_enqueue_new(messages)
    copy_insert(
        Reminder,
        [
            {
                "key": item.key,
                "complaint_id": item.case.pk,
                "due_field": item.due_field,
                "due_on": item.due_on,
                "kind": str(item.kind),
                "recipient_id": item.recipient.pk,
                "message_id": message_id,
            }
            for item, message_id in zip(items, message_ids, strict=True)
        ],
    )


def reminder_render(*, case: "Case", due: Due, recipient: User, language: str) -> tuple[str, str]:
    """The subject and body in ``language``: reference, deadline and link; nothing about the
    complainant."""
    return render_mail(
        due=due,
        language=language,
        reference=case.reference,
        url=case_url(case),
        recipient_name=recipient.get_short_name(),
        handler_name=case.handler.full_name if case.handler_id else "",
    )


def case_url(case: "Case") -> str:
    return settings.SITE_URL.rstrip("/") + reverse("complaints:case", args=[case.reference])


def render_mail(
    *, due: Due, language: str, reference: str, url: str, recipient_name: str, handler_name: str
) -> tuple[str, str]:
    with translation.override(language):
        context = {
            "reference": reference,
            "kind": due.kind,
            "days": due.days,
            "deadline": str(due.deadline.label),
            "deadline_phrase": str(due.deadline.phrase),
            "due_text": date_format(due.due_on, "l j F Y"),
            "url": url,
            "recipient_name": recipient_name,
            "handler_name": handler_name,
            "organisation": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("complaints/mail/reminder_subject.txt", context)
        body = render_to_string("complaints/mail/reminder_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


class MailShapes:
    """``reminder_render`` for a whole sweep, rendering each *shape* of mail once.

    A first run of the day writes tens of thousands of mails that differ only in the case's
    reference and link and the names; the templates are rendered once per language,
    deadline, kind, days, due date and "has a handler" (the only things they branch on or
    format), with markers in place of those four values, which are then put in by plain
    replacement. The templates are ``autoescape off`` and apply no filter to these values, so
    the result is exactly ``reminder_render``'s (tests/complaints/test_reminders.py checks)."""

    VALUES = ("reference", "url", "recipient_name", "handler_name")

    def __init__(self) -> None:
        self.shapes: dict[tuple, tuple[str, str]] = {}
        self.lines: dict[tuple, str] = {}  # the sentence per shape, for the lists (``line``)
        self.due_texts: dict[tuple[str, date], str] = {}  # (language, date): long date
        self.case_path: Callable[[str], str] | None = None  # complaints.links, once a sweep

    def case_url(self, case: "Case") -> str:
        """``case_url`` without a ``reverse()`` per mail (a fifth of a first run of the day)."""
        if self.case_path is None:
            self.case_path = case_paths()
        return settings.SITE_URL.rstrip("/") + self.case_path(case.reference)

    @staticmethod
    def marker(name: str) -> str:
        return f"\x00{name}\x00"  # never in a translation, not whitespace for split()

    def __call__(
        self, *, case: "Case", due: Due, recipient: User, language: str
    ) -> tuple[str, str]:
        values = {
            "reference": case.reference,
            "url": self.case_url(case),
            "recipient_name": recipient.get_short_name(),
            "handler_name": case.handler.full_name if case.handler_id else "",
        }
        shape = (
            language,
            due.deadline.key,
            due.kind,
            due.days,
            due.due_on,
            bool(values["handler_name"]),
        )
        if shape not in self.shapes:
            self.shapes[shape] = self.render_raw(due, language, bool(values["handler_name"]))
        subject, body = self.shapes[shape]
        for name, value in values.items():
            subject = subject.replace(self.marker(name), value)
            body = body.replace(self.marker(name), value)
        return " ".join(subject.split()), body.strip() + "\n"

    # Rendered in place of a number of days in a line's shape, then replaced by the real one:
    # a list of a first run of the day has thousands of different numbers of days overdue.
    DAYS = 1_000_000_007

    def line(self, *, case: "Case", due: Due, language: str) -> str:
        """The sentence about one reminder (``reminder_line.txt``, which the single mail
        includes too), rendered once per shape like the mails. Here the shape leaves out the
        due date (a marker) and the number of days, as far as the language's plural form
        allows: the template is rendered with ``DAYS`` when that number takes the same plural
        form as ``due.days`` (in Dutch and English: any number but 1), and ``DAYS`` is then
        replaced; the rendering checks that it is there as written."""
        handler_name = case.handler.full_name if case.handler_id else ""
        plural = trans_real.translation(language).plural
        days = self.DAYS if plural(due.days) == plural(self.DAYS) else due.days
        shape = (language, due.deadline.key, due.kind, days, bool(handler_name))
        text = self.lines.get(shape)
        if text is None:
            text = self.lines[shape] = self.line_raw(due, language, days, bool(handler_name))
        if days == self.DAYS:
            if str(self.DAYS) not in text:  # written otherwise (a language's number format)
                days = due.days
                text = self.line_raw(due, language, days, bool(handler_name))
            text = text.replace(str(self.DAYS), str(due.days))
        due_text = self.due_texts.get((language, due.due_on))
        if due_text is None:
            with translation.override(language):
                due_text = self.due_texts[language, due.due_on] = date_format(due.due_on, "l j F Y")
        text = text.replace(self.marker("due_text"), due_text)
        text = text.replace(self.marker("reference"), case.reference)
        return text.replace(self.marker("handler_name"), handler_name).strip()

    def line_raw(self, due: Due, language: str, days: int, has_handler: bool) -> str:
        markers = {name: self.marker(name) for name in ("reference", "handler_name", "due_text")}
        if not has_handler:
            markers["handler_name"] = ""
        with translation.override(language):
            context = {**self.context(due), "days": days, **markers}
            return render_to_string("complaints/mail/reminder_line.txt", context)

    def digest(
        self,
        items: list[Planned],
        *,
        recipient: "User | StaffRow",
        language: str,
        part: tuple[int, int] | None = None,
    ) -> tuple[str, str]:
        """The subject and body of one mail with several reminders (``items``, in the order
        given): per reminder its sentence and the link to its case. ``part``: (this mail, of
        how many), said in the subject."""
        return self.list_mail(
            "digest",
            items,
            language=language,
            count=len(items),
            # Only an overdue deadline comes every day (the mail says so); a manager is told
            # once. Overdue deadlines go in a mail of their own (``overdue_mails_write``).
            overdue=sum(item.due.kind == ReminderKind.OVERDUE for item in items),
            recipient_name=recipient.get_short_name(),
            worklist_url=worklist_url([item.case for item in items], recipient),
            part=part[0] if part else None,
            parts=part[1] if part else None,
        )

    def overdue(
        self,
        listed: list[Planned],
        *,
        count: int,
        worklist: str,
        recipient: "User | StaffRow",
        language: str,
        later: bool = False,
    ) -> tuple[str, str]:
        """The subject and body of the day's mail about a recipient's ``count`` overdue
        deadlines: ``listed`` (the longest overdue, at most ``OVERDUE_LISTED``) with their
        sentence and link, the number of the others, the work list (``worklist``). ``later``:
        a mail after the first of the day, about what was not in it."""
        return self.list_mail(
            "overdue",
            listed,
            language=language,
            count=count,
            later=later,
            more=count - len(listed),
            recipient_name=recipient.get_short_name(),
            worklist_url=worklist,
        )

    def list_mail(self, name: str, items: list[Planned], *, language: str, **context):
        """The subject and body of a mail that lists ``items`` (``reminder_<name>_subject.txt``
        and ``_body.txt`` with ``context``): per reminder its sentence and the link to its
        case, as ``lines``."""
        entries = []
        for item in items:
            text = self.line(case=item.case, due=item.due, language=language)
            text = text.replace("\n", "\n  ")  # the manager's second sentence, indented
            entries.append(f"- {text}\n  {self.case_url(item.case)}\n")
        context |= {"lines": "\n".join(entries), "organisation": settings.ORGANISATION_NAME}
        with translation.override(language):
            subject = render_to_string(f"complaints/mail/reminder_{name}_subject.txt", context)
            body = render_to_string(f"complaints/mail/reminder_{name}_body.txt", context)
        return " ".join(subject.split()), body.strip() + "\n"

    @staticmethod
    def context(due: Due) -> dict:
        """What the templates read of a reminder but the case's values (in the language
        that is active)."""
        return {
            "kind": due.kind,
            "days": due.days,
            "deadline": str(due.deadline.label),
            "deadline_phrase": str(due.deadline.phrase),
            "due_text": date_format(due.due_on, "l j F Y"),
            "organisation": settings.ORGANISATION_NAME,
        }

    def render_raw(self, due: Due, language: str, has_handler: bool) -> tuple[str, str]:
        markers = {name: self.marker(name) for name in self.VALUES}
        if not has_handler:
            markers["handler_name"] = ""
        with translation.override(language):
            context = {**markers, **self.context(due)}
            subject = render_to_string("complaints/mail/reminder_subject.txt", context)
            body = render_to_string("complaints/mail/reminder_body.txt", context)
        return subject, body
