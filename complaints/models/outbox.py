"""Everything the product sends, first as a row (STYLE.md, Celery).

An outgoing message is written in the same transaction as its cause, under a unique key that
says what it is for (``ack:KL-2026-00042``), so a retried request or a second sweep cannot write
it twice. A Celery task sends pending rows after commit; a periodic sweep catches any that were
missed (broker down, worker killed). The message is rendered when it is written: the row holds
what goes out, and Celery messages carry only ids.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class OutboxKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt (Awb 9:6)")
    POSTPONEMENT = "postponement", _("Notice of postponement (Awb 9:11 lid 2)")
    EXTENSION = "extension", _("Confirmation of an extension with consent (Awb 9:11 lid 3)")
    REMINDER = "reminder", _("Deadline reminder")
    STATUS_LINK = "status_link", _("New status link")
    CITIZEN = "citizen", _("Notice of a complainant's message")
    LETTER = "letter", _("Letter")
    OTHER = "other", _("Other")


class OutboxMessage(models.Model):
    key = models.CharField(_("key"), max_length=200, unique=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="outbox",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=OutboxKind.choices)
    # A letter goes out as a mail with its PDF attached (complaints.services.letters).
    letter = models.ForeignKey(
        "complaints.Letter",
        verbose_name=_("letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="messages",
    )
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=5, default="nl")
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), auto_now_add=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_pending_next",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["-created_at"],
                name="outbox_failed_recent",
                condition=models.Q(status="failed"),
            ),
        ]

    def __str__(self) -> str:
        return self.key


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Due soon")
    ON_THE_DAY = "on_the_day", _("Due today")
    OVERDUE = "overdue", _("Overdue")
    MANAGER = "manager", _("Overdue, manager told")


class Reminder(models.Model):
    """One reminder about one case that the sweep decided to send, under a unique key: the
    record that makes a second or concurrent sweep a no-op
    (``decision:KL-2026-00042:2026-11-04:before-5:7``). Before a due date, on the day and the
    manager's: once each per case and due date. The daily reminders of overdue deadlines are
    no rows: each recipient gets one mail a day listing theirs, under a unique outbox key
    (``reminder:overdue:2026-11-28:7``), with an ``OverdueMail`` naming its cases
    (services/reminders.py). Rows of kind ``overdue`` are from before 3 December 2026."""

    # Unique by a constraint (Meta), not ``unique=True``: that adds a second index on
    # PostgreSQL for LIKE queries, which nothing asks of a key, and which a first sweep fills
    # with thousands of keys for nothing.
    key = models.CharField(_("key"), max_length=200)
    # None of the three foreign keys is checked by the database nor indexed
    # (``db_constraint=False``, ``db_index=False``); Django still applies their on_delete
    # (CASCADE with the case; PROTECT for the recipient and the mail). A first sweep of the
    # day writes thousands of rows (tens of thousands the first time it runs: every due one of
    # every open case): the database's check of a key locked the row it points to (FOR KEY
    # SHARE, which writes to that row) once per reminder row, and each index was one more
    # to fill, while nothing reads reminders by case, recipient or mail (the sweep reads by
    # key and, for the managers told, by ``reminder_manager_due``). Together about a quarter
    # of a first sweep of the day at 1,000,000 complaints (bench/query-plans.md). The sweep
    # writes the ids from rows it read or inserted; cases are never deleted (retention
    # anonymises them), staff are deactivated, mails are kept.
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="reminders",
        db_constraint=False,
        db_index=False,
    )
    due_field = models.CharField(_("deadline"), max_length=40)
    due_on = models.DateField(_("due on"))
    kind = models.CharField(_("kind"), max_length=12, choices=ReminderKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    # The mail that carried it: the deadline sweep sends each recipient one mail per run
    # with all of their reminders (services/reminders.py), so a mail may carry several.
    message = models.ForeignKey(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reminders",
        db_constraint=False,
        db_index=False,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["key"], name="reminder_key_unique")]
        indexes = [
            # The sweep's "manager told once per case and due date": only the manager rows
            # (services/reminders.py).
            models.Index(
                fields=["complaint", "due_on"],
                name="reminder_manager_due",
                condition=models.Q(kind="manager"),
            ),
        ]

    def __str__(self) -> str:
        return self.key


class OverdueMail(models.Model):
    """One mail of a recipient's overdue deadlines (services/reminders.py) and which cases it
    named: a later sweep of the same day mails only what became overdue for them since (a
    case handed to them), not the rest again. The mail's outbox key is unique per recipient,
    day and number (``reminder:overdue:2026-11-28:7``, then ``…:7:2``)."""

    message = models.OneToOneField(
        OutboxMessage,
        verbose_name=_("message"),
        on_delete=models.PROTECT,
        related_name="overdue_mail",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # read by day and recipient (``overdue_mail_day``)
    )
    day = models.DateField(_("day"))
    complaint_ids = models.JSONField(_("cases"), default=list)

    class Meta:
        verbose_name = _("mail of overdue deadlines")
        verbose_name_plural = _("mails of overdue deadlines")
        indexes = [models.Index(fields=["day", "recipient"], name="overdue_mail_day")]

    def __str__(self) -> str:
        return f"{self.day.isoformat()}:{self.recipient_id}"
