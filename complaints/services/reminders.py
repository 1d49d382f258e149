"""Deadline reminders: a periodic sweep over the stored due dates (DOMAIN.md section 5).

Reminders are never queued as far-future tasks. ``reminder_sweep`` runs every 15 minutes
(``CELERY_BEAT_SCHEDULE``, or ``manage.py run_sweeps``), reads the open cases whose due dates
are near or past through the partial indexes on the case, and writes what is due today: one
``Reminder`` row under a unique key plus one outbox row, in one transaction per case with the
case row locked. A second sweep, or two at once, finds the keys and writes nothing; downtime
loses nothing, because the next sweep looks at the dates again; a sweep stopped halfway (time
limit, killed worker) leaves whole cases written and the next one does the rest.

The rules, per open case and per deadline that still matters (``decision_due``;
``acknowledgement_due`` while ``acknowledged_on`` is empty; ``first_contact_due`` while
``first_contact_on`` is empty; ``not_handled_notice_due`` while it is set; ``rung1_due`` of a
rung-1 log, cleared when it is handed to a complaint handler):

- **before**: from ``offset`` working days before the due date, for each offset of the service
  norms (default 5 and 1; key suffix ``before-5``, ``before-1``);
- **on the day**: on the due date (``on-the-day``);
- **overdue**: every calendar day after the due date while the case is open (``overdue-<date>``:
  one per day), as DOMAIN.md asks ("daily to the handler");
- **manager**: once, for the decision only, from ``manager_after_days_overdue`` calendar days
  after the due date, to every active manager of the case's department (``manager``). It is
  once per case and due date: a manager appointed later is not told again.

Catch-up rule: per case and deadline the handler gets only the *latest* of before / on the
day / overdue that has come due today, and only if it was not written yet. After downtime a
missed "5 days before" is superseded by the "1 day before" or the overdue reminder of today; it
is never sent late, nor sent in a burst. Overdue reminders of missed days are not sent either:
today's says how many days overdue the case is. The manager reminder is a separate, single one
and is written on the first sweep on or after its day.

Recipient: the case's handler while active. A case without an (active) handler goes to the
active coordinators of its department, because they assign cases; with none either, it is
skipped and logged (nobody to tell). Keys end with the recipient's id, so a handler assigned
later gets the current reminder once too. A changed due date (postponement, extension) starts
a new series, as the key holds the due date.

The mail is rendered in the recipient's language (staff have none stored yet: the site's
default, Dutch) and holds the reference, the deadline and the link to the case page only,
never personal data of the complainant. No case event is recorded: a reminder changes nothing
on the case, and daily rows would drown the timeline; the ``Reminder`` rows are the record.
"""

import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import Role
from complaints.models import Complaint, OutboxKind, Reminder, ReminderKind, Stage
from complaints.services.outbox import outbox_enqueue
from ladder.deadlines import add_working_days
from ladder.models import ServiceNorms
from ladder.selectors import equal_days as configured_equal_days

log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Due:
    """One reminder that has come due today, before choosing its recipients."""

    deadline: Deadline
    due_on: date
    kind: str  # ReminderKind
    suffix: str  # of the key: before-5, on-the-day, overdue-2026-11-28, manager
    days: int  # working days to go (before) or calendar days overdue (overdue, manager)

    def key(self, reference: str, recipient_id: int) -> str:
        due_on = self.due_on.isoformat()
        return f"{self.deadline.key}:{reference}:{due_on}:{self.suffix}:{recipient_id}"


@dataclass(frozen=True)
class Rules:
    today: date
    offsets: list[int]  # working days before, largest first
    manager_after: int  # calendar days overdue
    equal_days: Collection[date]

    @property
    def horizon(self) -> date:
        """The latest due date for which any reminder can be due today: a "before" reminder
        is due from ``add_working_days(due, -offset)``, which is on or before today exactly
        when ``due`` is at most ``add_working_days(today, offset)``."""
        if not self.offsets:
            return self.today
        return add_working_days(self.today, max(self.offsets), equal_days=self.equal_days)


def reminders_due(case: Complaint, rules: Rules) -> list[Due]:
    """What has come due today for ``case``: per deadline the latest handler reminder (the
    catch-up rule) and, for the decision, the manager reminder. Pure: no queries."""
    found: list[Due] = []
    for deadline in DEADLINES:
        due_on = getattr(case, deadline.field)
        if due_on is None or (deadline.done_field and getattr(case, deadline.done_field)):
            continue
        latest = latest_reminder(due_on, rules)
        if latest is None:
            continue
        kind, suffix, days = latest
        found.append(Due(deadline, due_on, kind, suffix, days))
        if (
            kind == ReminderKind.OVERDUE
            and deadline.field == MANAGER_DEADLINE
            and days >= rules.manager_after
        ):
            found.append(Due(deadline, due_on, ReminderKind.MANAGER, "manager", days))
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
        department_ids = set(department_ids)
        if not department_ids:
            return
        rows = (
            User.groups.through.objects.filter(
                group__name__in=[Role.COORDINATOR, Role.MANAGER],
                user__is_active=True,
                user__department_id__in=department_ids,
            )
            .select_related("user", "group")
            .only("user", "group", "group__name", *(f"user__{name}" for name in USER_FIELDS))
            .order_by("user_id")
        )
        for row in rows:
            target = self.managers if row.group.name == Role.MANAGER else self.coordinators
            target[row.user.department_id].append(row.user)

    def for_due(self, case: Complaint, due: Due) -> list[User]:
        if due.kind == ReminderKind.MANAGER:
            return self.managers.get(case.department_id, [])
        if case.handler_id and case.handler.is_active:
            return [case.handler]
        return self.coordinators.get(case.department_id, [])


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
    return (
        query.select_related("handler")
        .only(*CASE_FIELDS, *(f"handler__{name}" for name in USER_FIELDS))
        .order_by()
    )


def candidates_near(rules: Rules) -> list[Complaint]:
    """The open cases with any deadline near or past, each once, in id order."""
    horizon = rules.horizon
    found: dict[int, Complaint] = {}
    for deadline in DEADLINES:
        for case in open_cases_near(deadline, horizon):
            found.setdefault(case.pk, case)
    return [found[pk] for pk in sorted(found)]


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
    rules and the catch-up rule). Cases with nothing new to write cost no query of their own:
    the planned keys of all candidates are checked against the table in one query, and only
    cases with a missing key get their own locked transaction.
    """
    rules = load_rules(today)
    candidates = candidates_near(rules)
    if not candidates:
        return 0
    plans = {case.pk: reminders_due(case, rules) for case in candidates}
    candidates = [case for case in candidates if plans[case.pk]]
    recipients = Recipients(case.department_id for case in candidates)

    wanted: dict[int, set[str]] = {}
    managers_wanted: set[int] = set()
    unaddressed: set[str] = set()
    for case in candidates:
        keys = set()
        for due in plans[case.pk]:
            users = recipients.for_due(case, due)
            if not users:
                unaddressed.add(case.reference)
            elif due.kind == ReminderKind.MANAGER:
                managers_wanted.add(case.pk)
            else:
                keys |= {due.key(case.reference, user.pk) for user in users}
        wanted[case.pk] = keys
    if unaddressed:
        log.warning(
            "reminder sweep: nobody to tell (no handler, coordinator or manager) for %s",
            ", ".join(sorted(unaddressed)[:20]),
        )
    all_keys = set().union(*wanted.values())
    written = set(Reminder.objects.filter(key__in=all_keys).values_list("key", flat=True))
    managers_told = set(
        Reminder.objects.filter(complaint_id__in=managers_wanted, kind=ReminderKind.MANAGER)
        .values_list("complaint_id", "due_on")
        .order_by()
    )

    count = 0
    for case in candidates:
        missing = wanted[case.pk] - written
        manager_due = next(
            (due for due in plans[case.pk] if due.kind == ReminderKind.MANAGER), None
        )
        manager_missing = (
            case.pk in managers_wanted
            and manager_due is not None
            and (case.pk, manager_due.due_on) not in managers_told
        )
        if missing or manager_missing:
            count += case_reminders_write(complaint_id=case.pk, rules=rules, recipients=recipients)
    if count:
        log.info("reminder sweep for %s: %s reminders written", today.isoformat(), count)
    return count


@transaction.atomic
def case_reminders_write(*, complaint_id: int, rules: Rules, recipients: Recipients) -> int:
    """Lock one case, decide again from the locked row, and write what is not there yet.

    The lock serialises concurrent sweeps on this case; the second one finds the first one's
    keys (read committed: a statement after the lock sees the committed rows)."""
    case = (
        Complaint.objects.select_for_update(of=("self",))
        .exclude(stage=Stage.CLOSED)
        .select_related("handler")
        .only(*CASE_FIELDS, *(f"handler__{name}" for name in USER_FIELDS))
        .filter(pk=complaint_id)
        .first()
    )
    if case is None:  # closed since the candidates were read
        return 0
    plan = [(due, recipients.for_due(case, due)) for due in reminders_due(case, rules)]
    keys = {due.key(case.reference, user.pk) for due, users in plan for user in users}
    written = set(Reminder.objects.filter(key__in=keys).values_list("key", flat=True))
    count = 0
    for due, users in plan:
        if not users:  # logged by the sweep
            continue
        if due.kind == ReminderKind.MANAGER:
            told = Reminder.objects.filter(
                complaint=case, kind=ReminderKind.MANAGER, due_on=due.due_on
            ).exists()
            if told:  # once per case and due date
                continue
        for user in users:
            key = due.key(case.reference, user.pk)
            if key in written:
                continue
            reminder_write(case=case, due=due, recipient=user, key=key)
            count += 1
    return count


def reminder_write(*, case: Complaint, due: Due, recipient: User, key: str) -> None:
    reminder_store(
        case=case,
        key=key,
        recipient=recipient,
        due_field=due.deadline.field,
        due_on=due.due_on,
        kind=due.kind,
        render=lambda language: reminder_render(
            case=case, due=due, recipient=recipient, language=language
        ),
    )


def reminder_store(
    *,
    case: Complaint,
    key: str,
    recipient: User,
    due_field: str,
    due_on: date,
    kind: str,
    render: Callable[[str], tuple[str, str]],
) -> None:
    """One reminder: its mail in the outbox, rendered in the recipient's language by
    ``render(language)`` -> (subject, body), and its ``Reminder`` row under ``key``. Shared
    with the ombudsman sweep (``complaints.services.ombudsman_reminders``)."""
    language = getattr(recipient, "language", "") or settings.LANGUAGE_CODE
    subject, body = render(language)
    message = outbox_enqueue(
        key=f"reminder:{key}",
        kind=OutboxKind.REMINDER,
        to=recipient.email,
        subject=subject,
        body=body,
        complaint=case,
        language=language,
    )
    Reminder.objects.create(
        key=key,
        complaint=case,
        due_field=due_field,
        due_on=due_on,
        kind=kind,
        recipient=recipient,
        message=message,
    )


def reminder_render(
    *, case: Complaint, due: Due, recipient: User, language: str
) -> tuple[str, str]:
    """The subject and body in ``language``: reference, deadline and link; nothing about the
    complainant."""
    with translation.override(language):
        context = {
            "reference": case.reference,
            "kind": due.kind,
            "days": due.days,
            "deadline": str(due.deadline.label),
            "deadline_phrase": str(due.deadline.phrase),
            "due_text": date_format(due.due_on, "l j F Y"),
            "url": settings.SITE_URL.rstrip("/")
            + reverse("complaints:case", args=[case.reference]),
            "recipient_name": recipient.get_short_name(),
            "handler_name": case.handler.full_name if case.handler_id else "",
            "organisation": settings.ORGANISATION_NAME,
        }
        subject = render_to_string("complaints/mail/reminder_subject.txt", context)
        body = render_to_string("complaints/mail/reminder_body.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"
