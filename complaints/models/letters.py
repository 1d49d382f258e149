"""Letters: the written side of the procedure (Awb 9:4 to 9:12, 2:3), per kind and language.

A ``LetterTemplate`` (one per kind and language, edited by the functional admin) holds a
subject and named sections with a small, safe set of placeholders
(``complaints.letters.placeholders``). A ``Letter`` is one concrete letter on a case: drafted
from the template with the case's data, edited by the handler, then sent. From the moment it
is sent (by e-mail through the outbox, or printed for post) its text and PDF are fixed: a
content hash over both is stored and ``save()`` refuses any change but the one step a letter
for post still takes (posted). A letter is never deleted: a draft nobody wants is discarded
(kept, marked so). Every step is a LETTER event on the timeline that links the letter.
Services in ``complaints.services.letters`` do every write.
"""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Language
from .records import private_storage


class LetterKind(models.TextChoices):
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement of receipt (Awb 9:6)")
    COMPLETION_REQUEST = "completion_request", _("Request to complete the complaint (Awb 9:4)")
    FORWARDING_NOTICE = "forwarding_notice", _("Notice of forwarding, to the sender (Awb 2:3)")
    FORWARDING = "forwarding", _("Forwarding to the competent body (Awb 2:3)")
    NOT_HANDLED = "not_handled", _("Notice of not handling (Awb 9:8)")
    COMPLAINT_COPY = (
        "complaint_copy",
        _("Copy of the complaint to the person complained about (Awb 9:9)"),
    )
    HEARING_INVITATION = "hearing_invitation", _("Invitation to be heard (Awb 9:10)")
    HEARING_REPORT = "hearing_report", _("Report of the hearing (Awb 9:10)")
    POSTPONEMENT = "postponement", _("Notice of postponement (Awb 9:11 lid 2)")
    EXTENSION_REQUEST = (
        "extension_request",
        _("Request for consent to a further delay (Awb 9:11 lid 3)"),
    )
    RESOLUTION = "resolution", _("Confirmation of an informal solution (Awb 9:5)")
    OUTCOME = "outcome", _("Outcome letter (Awb 9:12)")
    SURVEY = "survey", _("Invitation to the satisfaction survey")


class LetterStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    TO_POST = "to_post", _("Ready to post")
    SENT = "sent", _("Sent")
    DISCARDED = "discarded", _("Draft deleted")


class SendBy(models.TextChoices):
    EMAIL = "email", _("E-mail, with the PDF attached")
    POST = "post", _("Post (printed PDF)")


class RecipientRole(models.TextChoices):
    COMPLAINANT = "complainant", _("Complainant")
    PARTY = "party", _("Party on the case")
    BODY = "body", _("Competent body")


class LetterTemplate(models.Model):
    """The text of one kind of letter in one language. Its sections are fixed by the kind
    (``complaints.letters.kinds``); the functional admin edits their headings and texts."""

    kind = models.CharField(_("kind"), max_length=30, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=250)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("letter template")
        verbose_name_plural = _("letter templates")
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "language"], name="lettertemplate_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_language_display()})"

    def clean(self) -> None:
        from complaints.letters.placeholders import refuse_unknown

        refuse_unknown({"subject": self.subject})


class LetterTemplateSection(models.Model):
    template = models.ForeignKey(LetterTemplate, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(_("section"), max_length=40, editable=False)
    position = models.PositiveSmallIntegerField(_("position"), editable=False)
    heading = models.CharField(_("heading"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        verbose_name = _("letter section")
        verbose_name_plural = _("letter sections")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="lettersection_unique")
        ]

    def __str__(self) -> str:
        return self.heading or self.key

    def clean(self) -> None:
        from complaints.letters.placeholders import refuse_unknown

        refuse_unknown({"heading": self.heading, "text": self.text})


class LetterSealed(Exception):
    """A sent letter (or one printed for post) is never changed or deleted."""


def letter_path(instance: "Letter", filename: str) -> str:
    return f"letters/{uuid.uuid4().hex}.pdf"


# What may still change on a letter printed for post: that it went out, when, by whom.
POSTING_FIELDS = frozenset({"status", "sent_at", "sent_by"})


class Letter(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="letters",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=LetterKind.choices)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=LetterStatus.choices, default=LetterStatus.DRAFT
    )
    # --- to whom (a copy of the address at the time: the letter keeps what it said) --------
    recipient_role = models.CharField(_("recipient"), max_length=20, choices=RecipientRole.choices)
    # The Party the letter is to, if any: an id, not a foreign key, so removing the party
    # later never touches a sent letter.
    party_pk = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    recipient_name = models.CharField(_("name"), max_length=200)
    recipient_email = models.EmailField(_("e-mail address"), blank=True)
    recipient_address = models.TextField(_("postal address"), blank=True)
    # --- what it says ---------------------------------------------------------------------
    subject = models.CharField(_("subject"), max_length=250)
    sections = models.JSONField(_("sections"), default=list)  # [{key, heading, text}]
    letter_date = models.DateField(_("date of the letter"), null=True, blank=True)
    body_text = models.TextField(_("text as sent"), blank=True)
    pdf = models.FileField(_("PDF"), storage=private_storage, upload_to=letter_path, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    send_by = models.CharField(_("sent by"), max_length=10, choices=SendBy.choices, blank=True)
    # --- who and when -----------------------------------------------------------------------
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)
    finalised_at = models.DateTimeField(_("fixed at"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "kind"], name="letter_case_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.recipient_name}"

    # --- immutability -------------------------------------------------------------------------
    def save(self, *args, **kwargs):
        stored = getattr(self, "_stored_status", None)
        if stored in (LetterStatus.TO_POST, LetterStatus.SENT, LetterStatus.DISCARDED):
            fields = kwargs.get("update_fields")
            posting = (
                stored == LetterStatus.TO_POST
                and fields is not None
                and set(fields) <= POSTING_FIELDS
            )
            if not posting:
                raise LetterSealed("A sent letter is never changed.")
        super().save(*args, **kwargs)
        self._stored_status = self.status

    def delete(self, *args, **kwargs):
        # Its events on the timeline point at it; a draft that is not wanted is discarded.
        raise LetterSealed("A letter is never deleted.")

    @classmethod
    def from_db(cls, db, field_names, values):
        # The status as stored: what ``save()`` decides on, whatever was assigned since.
        letter = super().from_db(db, field_names, values)
        letter._stored_status = letter.__dict__.get("status")
        return letter

    @property
    def is_draft(self) -> bool:
        return self.status == LetterStatus.DRAFT

    @property
    def is_sent(self) -> bool:
        return self.status == LetterStatus.SENT

    # --- the content hash ------------------------------------------------------------------
    @staticmethod
    def hash_of(body_text: str, pdf: bytes) -> str:
        """SHA-256 over the text and the PDF: what the recipient got, in both forms."""
        digest = hashlib.sha256()
        digest.update(body_text.encode("utf-8"))
        digest.update(b"\x00--pdf--\x00")
        digest.update(pdf)
        return digest.hexdigest()

    def is_intact(self) -> bool:
        """The stored text and PDF are still what was sent."""
        if not self.content_hash or not self.pdf:
            return False
        with self.pdf.open("rb") as stored:
            return self.hash_of(self.body_text, stored.read()) == self.content_hash
