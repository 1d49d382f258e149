"""The outbox: every outgoing e-mail is first a row (STYLE.md, Celery).

``outbox_enqueue`` is what every other service calls, inside its own transaction. Sending is
``outbox_send`` (one row) and ``outbox_sweep`` (every pending row that is due), run by the tasks
in ``complaints.tasks``. ``outbox_retry`` is the coordinator's button for a failed row.

The delivery guarantee (see ``outbox_send``): at least once, and from our side never twice. A
row marked sent is never sent again; a row is only marked sent in the transaction that holds
its lock while the SMTP server accepts it. The one duplicate that can happen is a worker that
dies in the instant between the SMTP server's "250 OK" and our commit; the stable Message-ID
header (derived from the row's key) lets the recipient's mail system and any reader recognise
that copy as the same message.
"""

import hashlib
import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    Letter,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from config.cache import add_after_commit

from .bulk_copy import copy_insert
from .errors import CaseError

log = logging.getLogger(__name__)

# Waits after the 1st, 2nd, ... failed attempt; after MAX_ATTEMPTS the row is failed and waits
# for a coordinator (the "Outgoing messages" page). 1 min + 5 + 30 + 2 h + 12 h: a mail server
# that is down for most of a day still gets every message.
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
MAX_ATTEMPTS = 6
SWEEP_LIMIT = 500  # per run; the beat runs the sweep every minute, so a backlog drains quickly
ERROR_LENGTH = 300
RECENT_SENT = timedelta(days=30)  # how far back the coordinator's page lists sent messages
VIEW_ALL = "accounts.view_all_complaints"


class NotRetryable(CaseError):
    default = _("This message was sent already; there is nothing to retry.")


def outbox_enqueue(
    *,
    key: str,
    kind: OutboxKind | str,
    to: str,
    subject: str,
    body: str,
    complaint: Complaint | None = None,
    language: str = "nl",
    letter: Letter | None = None,
    new_cause: bool = False,
) -> OutboxMessage:
    """Write one outgoing message in the caller's transaction, under a unique ``key``.

    A key already written writes nothing and returns the existing row, so a retry or a second
    sweep never sends twice. After commit a sweep is queued to send it (one for a burst:
    ``outbox_nudge_sweep``); if the broker is down the beat's sweep sends it later. A
    rolled-back transaction leaves no row and no nudge.
    A ``letter`` (complaints.services.letters) goes with its PDF attached. ``new_cause``: what
    the message is about was created in this same transaction (a registration), so no row can
    have its key yet: one insert instead of a lookup, a savepoint and an insert (the unique
    key still stops a second one: the transaction would fail).
    """
    fields = {
        "kind": kind,
        "to": to,
        "subject": subject,
        "body": body,
        "complaint": complaint,
        "language": language,
        "letter": letter,
    }
    if new_cause:
        message, created = OutboxMessage.objects.create(key=key, **fields), True
    else:
        message, created = OutboxMessage.objects.get_or_create(key=key, defaults=fields)
    if created:
        outbox_nudge_after_commit()
    return message


def outbox_enqueue_new(messages: list[dict], *, nudge: bool = True) -> list[int]:
    """Many rows whose keys the caller knows are not written yet (it has looked), in the
    caller's transaction; returns their ids in order. One ``COPY`` on PostgreSQL
    (``bulk_copy``): a key that is there after all fails the transaction. After commit one
    outbox sweep is nudged; ``nudge=False``: the caller nudges once after many transactions
    (``outbox_nudge_sweep``), as the deadline sweep does after its mails."""
    ids = copy_insert(OutboxMessage, messages)
    if ids and nudge:
        outbox_nudge_after_commit()
    return ids


def message_id_for(key: str) -> str:
    """The Message-ID header of the row with this key: the same on every attempt, so a copy
    sent twice (see ``outbox_send``) is recognisable as one message. A hash, because the key
    may hold characters a Message-ID may not."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "klachtenladder.invalid"
    return f"<outbox.{digest}@{domain}>"


def outbox_send(*, message_id: int, now: datetime | None = None) -> bool:
    """Send one pending row that is due; True if this call sent it.

    The row is locked with ``FOR UPDATE SKIP LOCKED``: a row another worker is sending is
    skipped (that worker will finish or die, and then the sweep picks it up again). Only a row
    that is still pending and due when locked is sent, so a row marked sent is never sent again.

    Guarantee when the worker is killed (SIGKILL, power loss) mid-send: the lock and everything
    this transaction wrote vanish with its connection, and the row is pending again for the
    next sweep (after a power loss, once PostgreSQL notices the connection is gone). If the
    kill falls after the SMTP server accepted the message but before our commit, the message
    goes out a second time: at-least-once, with a window of one SMTP round-trip plus one
    commit. Both copies carry the same Message-ID (``message_id_for``), so the duplicate is
    recognisable. From our side, a row marked sent is never sent again.

    On a failure the attempt is counted, the error kept (short; the type and the server's
    reply, nothing from the body) and the next attempt put off by ``BACKOFF``; after
    ``MAX_ATTEMPTS`` the row is failed and shown to coordinators.

    Sending an acknowledgement (Awb 9:6) records it on the case in the same transaction.
    """
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("complaint", "letter")
            .filter(pk=message_id, status=OutboxStatus.PENDING, next_attempt_at__lte=now)
            .first()
        )
        if message is None:
            return False  # sent, failed, not due, or another worker holds it
        try:
            _deliver(message)
        except Exception as error:  # noqa: BLE001 - every failure counts as an attempt
            _count_failure(message, error, now)
            return False
        message.status = OutboxStatus.SENT
        message.sent_at = now
        message.last_error = ""
        # A status link is stored only as a hash; the mail that carries it keeps it only
        # until it is sent.
        message.body = redact_status_links(message.body)
        message.save(update_fields=["status", "sent_at", "last_error", "body"])
        # A deadline reminder is a mail to staff that changes nothing on the case; one a day
        # would drown the timeline, and a mail with several cases names none itself (the
        # ``Reminder`` rows and the day's mails of overdue deadlines are the record:
        # complaints.services.reminders).
        if message.complaint_id and message.kind != OutboxKind.REMINDER:
            _record_on_case(message)
    return True


STATUS_LINK = re.compile(r"/status/[A-Za-z0-9_-]{32}/")


def redact_status_links(body: str) -> str:
    return STATUS_LINK.sub("/status/[...]/", body)


def outbox_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Send every pending row that is due, oldest first, each in its own transaction.

    Safe to run twice or at once: each row is locked with SKIP LOCKED and re-checked as
    pending, so concurrent sweeps share the rows instead of sending them twice. Returns how
    many this run sent.
    """
    now = now or timezone.now()
    due = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outbox_send(message_id=pk, now=now) for pk in list(due))


@transaction.atomic
def outbox_retry(*, message_id: int, actor: User) -> OutboxMessage:
    """A coordinator sends a failed (or waiting) row again now, with a fresh set of attempts."""
    if not actor.has_perm(VIEW_ALL):
        raise PermissionDenied
    message = OutboxMessage.objects.select_for_update().get(pk=message_id)
    if message.status == OutboxStatus.SENT:
        raise NotRetryable
    message.status = OutboxStatus.PENDING
    message.attempts = 0
    message.next_attempt_at = timezone.now()
    message.save(update_fields=["status", "attempts", "next_attempt_at"])
    if message.complaint_id:
        CaseEvent.record(
            message.complaint,
            actor=actor,
            kind=EventKind.MESSAGE,
            name="retry",
            note=gettext("Sending retried: %(subject)s") % {"subject": message.subject},
            message=message.pk,
        )
    outbox_nudge_after_commit()
    return message


def outbox_overview(*, now: datetime | None = None) -> QuerySet[OutboxMessage]:
    """The coordinator's list: failed rows first, then waiting ones, then recently sent, each
    newest first."""
    now = now or timezone.now()
    rank = Case(
        When(status=OutboxStatus.FAILED, then=Value(0)),
        When(status=OutboxStatus.PENDING, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        OutboxMessage.objects.filter(
            ~Q(status=OutboxStatus.SENT) | Q(sent_at__gte=now - RECENT_SENT)
        )
        .select_related("complaint")
        .annotate(rank=rank)
        .order_by("rank", "-created_at", "-id")
    )


def _deliver(message: OutboxMessage) -> None:
    email = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
        headers={"Message-ID": message_id_for(message.key), "Content-Language": message.language},
    )
    if message.letter_id:
        # The PDF as it was fixed when the letter was sent (its content hash covers it).
        with message.letter.pdf.open("rb") as pdf:
            name = letter_filename(message.complaint.reference, message.letter.kind)
            email.attach(name, pdf.read(), "application/pdf")
    email.send(fail_silently=False)


def letter_filename(reference: str, kind: str) -> str:
    return f"{reference}-{kind}.pdf"


def _count_failure(message: OutboxMessage, error: Exception, now: datetime) -> None:
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
    if message.attempts >= MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = now + BACKOFF[min(message.attempts, len(BACKOFF)) - 1]
    message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
    log.warning(
        "outbox: message %s attempt %s failed (%s)", message.pk, message.attempts, type(error)
    )


def _record_on_case(message: OutboxMessage) -> None:
    """One event on the case for the message that went out; an acknowledgement also sets the
    acknowledgement date (Awb 9:6), unless a handler recorded one already."""
    complaint = Complaint.objects.select_for_update().get(pk=message.complaint_id)
    if message.kind != OutboxKind.ACKNOWLEDGEMENT:
        CaseEvent.record(
            complaint, actor=None, kind=EventKind.MESSAGE, name=message.kind,
            note=message.subject, message=message.pk,
        )  # fmt: skip
        return
    on = timezone.localdate(message.sent_at)
    if complaint.acknowledged_on is None:
        complaint.acknowledged_on = on
        complaint.version += 1
        complaint.save(update_fields=["acknowledged_on", "version", "updated_at"])
    CaseEvent.record(
        complaint, actor=None, kind=EventKind.ACKNOWLEDGED, note=message.subject,
        on=on.isoformat(), message=message.pk,
    )  # fmt: skip


# A burst of mail (a busy morning's registrations, each with its acknowledgement) asks for one
# sweep, not a task per message: the first message since the last sweep started queues one
# (a key in the cache); the others find it queued. The sweep deletes the key as it starts,
# before it reads the pending rows, so a message written after that queues the next sweep and
# none waits for the beat's. Publishing a task costs about four times a cache.add (bench/
# query-plans.md, the public submission).
SWEEP_QUEUED_KEY = "outbox-sweep-queued"
SWEEP_QUEUED_SECONDS = 30  # a queued sweep no worker started by then is queued again


def outbox_nudge_sweep() -> None:
    """Ask a worker to send every pending row now (one sweep for the rows of a burst). Never
    fails the caller: the beat's sweep is the safety net. Without a cache it queues anyway.
    After a transaction that wrote rows: ``outbox_nudge_after_commit``."""
    from complaints.tasks import outbox_sweep_task

    if outbox_sweep_task.app.conf.task_always_eager:
        _sweep_queued(True)  # (in-process, ``make run`` and the tests: every time)
        return
    try:
        added = cache.add(SWEEP_QUEUED_KEY, 1, timeout=SWEEP_QUEUED_SECONDS)
    except Exception:  # noqa: BLE001 -- the cache is down: queue one for this row
        added = None
    _sweep_queued(added)


def outbox_nudge_after_commit() -> None:
    """``outbox_nudge_sweep`` when the current transaction commits (now, outside one), its key
    added with the transaction's other writes to the cache (``add_after_commit``)."""
    from complaints.tasks import outbox_sweep_task

    if outbox_sweep_task.app.conf.task_always_eager:
        transaction.on_commit(outbox_nudge_sweep)
        return
    add_after_commit(SWEEP_QUEUED_KEY, 1, SWEEP_QUEUED_SECONDS, then=_sweep_queued)


def _sweep_queued(added: bool | None) -> None:
    """Queue the sweep, unless one is queued (``added`` False; None: the cache is down)."""
    from complaints.tasks import outbox_sweep_task

    if added is False:
        return
    if added is None:
        log.warning("outbox: cache unreachable; a sweep is queued for this message")
    try:
        outbox_sweep_task.delay()
    except Exception:  # noqa: BLE001 - broker down: the rows wait for the beat's sweep
        log.warning("outbox: could not nudge a worker for the outbox sweep")
        outbox_sweep_started()  # none is queued: the next row tries again


def outbox_sweep_started() -> None:
    """The next row written queues a sweep again (``outbox_nudge_sweep``)."""
    try:
        cache.delete(SWEEP_QUEUED_KEY)
    except Exception:  # noqa: BLE001 -- the key expires by itself
        log.warning("outbox: cache unreachable; the next sweep is queued when the key expires")
