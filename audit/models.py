"""The read audit: one append-only row per view of a case page, download or export.

The row names the case by its reference (or the export by its filter), never a citizen's
name or address: the audit must not become a second copy of the personal data it guards.
The staff member is kept as an id and the e-mail address they had at the time, without a
database constraint, so that removing an account later never has to touch (update or delete)
a row of the audit.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly(Exception):
    """An attempt to change or delete an access record."""


class AccessAction(models.TextChoices):
    CASE_VIEW = "case_view", _("Case page viewed")
    ATTACHMENT_DOWNLOAD = "attachment_download", _("Attachment downloaded")
    LETTER_VIEW = "letter_view", _("Letter viewed")
    LETTER_DOWNLOAD = "letter_download", _("Letter PDF downloaded")
    EXPORT = "export", _("Export downloaded")
    DATA_SUBJECT_EXPORT = "data_subject_export", _("Data-subject export")


class AccessResult(models.TextChoices):
    ALLOWED = "allowed", _("Allowed")
    NOT_FOUND = "not_found", _("Not found")
    DENIED = "denied", _("Denied")


class AccessRecord(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    # No constraint and DO_NOTHING: deleting an account must not cascade into (or be blocked
    # by, or null out) the audit; ``user_email`` says who it was whatever happens later.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    user_email = models.CharField(_("who (e-mail at the time)"), max_length=254, blank=True)
    action = models.CharField(_("what"), max_length=30, choices=AccessAction.choices)
    reference = models.CharField(
        _("case or export"),
        max_length=500,
        blank=True,
        help_text=_("The case reference, or what the export held; never a citizen's details."),
    )
    address = models.GenericIPAddressField(_("from where"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=AccessResult.choices, default=AccessResult.ALLOWED
    )
    path = models.CharField(_("address of the page"), max_length=500, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["user", "at"], name="accessrecord_user"),
            models.Index(fields=["user_email", "at"], name="accessrecord_email"),
            models.Index(fields=["reference", "at"], name="accessrecord_reference"),
            models.Index(fields=["action", "at"], name="accessrecord_action"),
        ]
        # "view" only: nobody adds, changes or deletes a record through the admin.
        default_permissions = ("view",)
        permissions = [
            (
                "export_subject_data",
                _("Export everything held about one person (data-subject export)"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.reference}"

    def save(self, *args, **kwargs):
        # The database refuses too (migration 0002, on PostgreSQL): this is the friendly
        # error for our own code, the trigger the guarantee.
        if self.pk is not None:
            raise AppendOnly("Access records are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Access records are never deleted.")
