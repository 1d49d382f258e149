"""What a citizen does without an account: the private status link, requests to reopen and
the satisfaction survey. Information and files a citizen adds are timeline events and
attachments of the case (``CaseEvent`` kind ``citizen``, ``Attachment.added_by_citizen``)."""

import hashlib

from django.db import models
from django.utils.translation import gettext_lazy as _


def token_hash(token: str) -> str:
    """The stored form of a status token: only its SHA-256 is kept, never the token."""
    return hashlib.sha256(token.encode()).hexdigest()


class StatusLink(models.Model):
    """A private link to the public status page of one case. The token (at least 128 random
    bits) is mailed to the complainant; only its hash is stored. A new link revokes the old."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="status_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("status link")
        verbose_name_plural = _("status links")

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"


class ReopenRequest(models.Model):
    """A citizen says "my problem is not solved" after closure; a coordinator decides."""

    complaint = models.ForeignKey(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="reopen_requests"
    )
    reason = models.TextField(_("what is not solved"))
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("request to reopen")
        verbose_name_plural = _("requests to reopen")
        ordering = ["-created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                name="reopenrequest_open",
                condition=models.Q(handled_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d}"


class Rating(models.IntegerChoices):
    VERY_DISSATISFIED = 1, _("Very dissatisfied")
    DISSATISFIED = 2, _("Dissatisfied")
    NEUTRAL = 3, _("Neither satisfied nor dissatisfied")
    SATISFIED = 4, _("Satisfied")
    VERY_SATISFIED = 5, _("Very satisfied")


class SurveyResponse(models.Model):
    """The short satisfaction survey after closure: one answer per case (a second replaces it)."""

    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="survey"
    )
    rating = models.PositiveSmallIntegerField(
        _("how satisfied are you with how we handled your complaint?"), choices=Rating.choices
    )
    felt_heard = models.BooleanField(_("did you feel heard?"), null=True, blank=True)
    comment = models.TextField(_("anything else you want to tell us?"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.rating}"
