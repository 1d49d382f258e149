"""What is recorded on a case: parties, complaint parts, contact moments, notes, attachments."""

import hashlib
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Channel, ContactPreference, Judgment, PartyRole
from .validators import from_1900


class Party(models.Model):
    """A representative, the person affected, or a person complained about (Awb 9:1, 9:9)."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="parties"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartyRole.choices)
    name = models.CharField(_("name"), max_length=200)
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For a person complained about who works here (Awb 9:7)."),
    )
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    preferred_contact = models.CharField(
        _("preferred contact"), max_length=10, choices=ContactPreference.choices, blank=True
    )

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["role", "id"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.name}"


class ComplaintPart(models.Model):
    """One complaint part (klachtonderdeel), judged on its own against the norms."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="parts"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    description = models.TextField(_("complaint part"))
    judgment = models.CharField(_("judgment"), max_length=20, choices=Judgment.choices, blank=True)
    reasoning = models.TextField(_("reasoning"), blank=True)
    norms = models.ManyToManyField(
        "complaints.Norm", verbose_name=_("norms of proper conduct"), blank=True
    )

    class Meta:
        verbose_name = _("complaint part")
        verbose_name_plural = _("complaint parts")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "number"], name="part_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.description[:60]}"

    def fingerprint(self) -> str:
        """What the part says now, in 16 characters: the judge form carries the one it was
        shown with, so a save over a colleague's change is refused instead of silently
        replacing it (``complaints.services.records.part_update``). Reads the norms (one
        query, none when they are prefetched)."""
        norms = sorted(norm.pk for norm in self.norms.all())
        said = "\x1f".join([self.description, self.judgment, self.reasoning, repr(norms)])
        return hashlib.sha256(said.encode()).hexdigest()[:16]


class ContactMoment(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="contacts"
    )
    at = models.DateTimeField(_("when"), validators=[from_1900])
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    with_whom = models.CharField(_("with whom"), max_length=200)
    summary = models.TextField(_("summary"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("contact moment")
        verbose_name_plural = _("contact moments")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.with_whom}"


class Note(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="notes"
    )
    text = models.TextField(_("note"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


def private_storage() -> FileSystemStorage:
    """Files outside the web root (PRIVATE_MEDIA_ROOT); there is no public URL for them.
    A callable, so migrations do not record the folder of one machine."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def attachment_path(instance: "Attachment", filename: str) -> str:
    # A random name: the citizen's file name is kept in original_name only.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"attachments/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), storage=private_storage, upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    added_by_citizen = models.BooleanField(_("added by the complainant"), default=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name
