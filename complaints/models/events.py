"""The case timeline: one append-only row per thing that happened."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Stage


class EventKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    TRANSITION = "transition", _("Stage changed")
    ASSIGNED = "assigned", _("Handler assigned")
    EDITED = "edited", _("Details changed")
    CONTACT = "contact", _("Contact recorded")
    NOTE = "note", _("Note added")
    PART = "part", _("Complaint part changed")
    PARTY = "party", _("Party changed")
    ATTACHMENT = "attachment", _("Attachment added")
    ACKNOWLEDGED = "acknowledged", _("Receipt acknowledged")
    DEADLINE = "deadline", _("Due date changed")
    MESSAGE = "message", _("Message written")
    CITIZEN = "citizen", _("From the complainant")
    RUNG = "rung", _("Rung changed")
    OMBUDSMAN = "ombudsman", _("Ombudsman phase")
    LETTER = "letter", _("Letter")
    ANONYMISED = "anonymised", _("Personal data removed")


class AppendOnly(Exception):
    pass


class CaseEvent(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("what"), max_length=20, choices=EventKind.choices)
    # The action (a transition's name, a letter's status), or for a party or an attachment
    # the person's or the file's name (Party.name: 200 characters; a file's display name: 100).
    name = models.CharField(_("action"), max_length=255, blank=True)
    from_stage = models.CharField(_("from"), max_length=10, blank=True, choices=Stage.choices)
    to_stage = models.CharField(_("to"), max_length=10, blank=True, choices=Stage.choices)
    # A rung change (1 -> 2 escalation, 2 -> 3 ombudsman): the rungs it went between.
    from_rung = models.PositiveSmallIntegerField(_("from rung"), null=True, blank=True)
    to_rung = models.PositiveSmallIntegerField(_("to rung"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    # A LETTER event links its letter: the case page reads the letters with the timeline,
    # in the same query (complaints.selectors.complaint_for). Letters are never deleted.
    letter = models.ForeignKey(
        "complaints.Letter",
        verbose_name=_("letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["complaint", "at"], name="caseevent_timeline")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind} {self.name}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("Case events are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Case events are never deleted.")

    @classmethod
    def record(cls, complaint, *, actor, kind: str, name: str = "", note: str = "", **extra):
        return cls.objects.create(
            complaint=complaint,
            actor=actor,
            kind=kind,
            name=name,
            note=note,
            from_stage=extra.pop("from_stage", ""),
            to_stage=extra.pop("to_stage", ""),
            from_rung=extra.pop("from_rung", None),
            to_rung=extra.pop("to_rung", None),
            letter=extra.pop("letter", None),
            data=extra,
        )


class ReferenceCounter(models.Model):
    """The last reference number handed out per year (KL-2026-00042)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference counter")

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"
