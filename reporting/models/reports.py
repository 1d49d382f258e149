"""Stored reports: the monthly and quarterly learning reports, and the runs of the annual
report (Awb 9:12a)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.records import private_storage


class ReportKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class LearningReport(models.Model):
    """A snapshot of one period's figures and lessons, for one department or (department
    empty) the organisation. Re-running a period replaces its snapshot."""

    kind = models.CharField(_("kind"), max_length=10, choices=ReportKind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(_("made at"), auto_now=True)

    class Meta:
        verbose_name = _("learning report")
        verbose_name_plural = _("learning reports")
        ordering = ["-period_start", "kind", "department__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period_start", "department"],
                name="learning_report_per_department",
            ),
            models.UniqueConstraint(
                fields=["kind", "period_start"],
                condition=models.Q(department__isnull=True),
                name="learning_report_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start:%Y-%m}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnnualReportRun(models.Model):
    """One production of the annual report in the background, with its progress and file."""

    year = models.PositiveSmallIntegerField(_("year"))
    format = models.CharField(_("format"), max_length=4)  # csv | xlsx | pdf
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0)
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="annual-reports/", blank=True
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("annual report run")
        verbose_name_plural = _("annual report runs")
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} {self.format}"
