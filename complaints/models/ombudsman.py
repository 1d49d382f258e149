"""Rung 3: an external complaint handler (an ombudsman) takes up a closed case.

A coordinator records it on the case (``OmbudsmanCase``); the ombudsman's information
requests carry deadlines that the reminder sweep watches; their findings are judgments per
norm, shown next to the internal judgment of the complaint parts; each recommendation has an
owner, a due date and a follow-up status.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Judgment


class OmbudsmanKind(models.TextChoices):
    NATIONAL = "national", _("National Ombudsman")
    MUNICIPAL = "municipal", _("Municipal or regional ombudsman")
    OTHER = "other", _("Other external complaint handler")


class Ombudsman(models.Model):
    """The configurable list of external complaint handlers, with what letters need."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=OmbudsmanKind.choices)
    postal_address = models.TextField(_("postal address"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_default = models.BooleanField(
        _("named in letters by default"),
        default=False,
        help_text=_("The ombudsman that outcome letters and the status page name (Awb 9:12)."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ombudsman")
        verbose_name_plural = _("ombudsmen")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OmbudsmanOutcome(models.TextChoices):
    INTERVENTION = "intervention", _("Intervention: solved after the ombudsman's call")
    MEDIATION = "mediation", _("Mediation")
    REPORT = "report", _("Report with a judgment")
    NOT_INVESTIGATED = "not_investigated", _("Not investigated")


class OmbudsmanCase(models.Model):
    complaint = models.OneToOneField(
        "complaints.Complaint", on_delete=models.CASCADE, related_name="ombudsman_case"
    )
    ombudsman = models.ForeignKey(
        Ombudsman, verbose_name=_("ombudsman"), on_delete=models.PROTECT, related_name="cases"
    )
    reference = models.CharField(_("their reference"), max_length=100, blank=True)
    taken_up_on = models.DateField(_("taken up on"))
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=OmbudsmanOutcome.choices, blank=True
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    outcome_summary = models.TextField(_("what the ombudsman concluded"), blank=True)
    response = models.TextField(_("the organisation's response"), blank=True)
    response_on = models.DateField(_("response sent on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ombudsman phase")
        verbose_name_plural = _("ombudsman phases")

    def __str__(self) -> str:
        return f"{self.ombudsman} {self.reference}".strip()


class OmbudsmanFinding(models.Model):
    """The ombudsman's judgment on one norm of proper conduct (in a report)."""

    ombudsman_case = models.ForeignKey(
        OmbudsmanCase, on_delete=models.CASCADE, related_name="findings"
    )
    norm = models.ForeignKey(
        "complaints.Norm", verbose_name=_("norm"), on_delete=models.PROTECT, related_name="+"
    )
    judgment = models.CharField(_("judgment"), max_length=20, choices=Judgment.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("ombudsman finding")
        verbose_name_plural = _("ombudsman findings")
        constraints = [
            models.UniqueConstraint(
                fields=["ombudsman_case", "norm"], name="ombudsman_finding_once_per_norm"
            )
        ]

    def __str__(self) -> str:
        return f"{self.norm}: {self.judgment}"


class InformationRequest(models.Model):
    """A question of the ombudsman to the organisation, with a deadline the sweep watches."""

    ombudsman_case = models.ForeignKey(
        OmbudsmanCase, on_delete=models.CASCADE, related_name="information_requests"
    )
    received_on = models.DateField(_("received on"))
    question = models.TextField(_("what the ombudsman asks"))
    due_on = models.DateField(_("answer due on"))
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    documents_sent = models.TextField(_("documents sent"), blank=True)

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["due_on"],
                name="inforequest_open_due",
                condition=models.Q(answered_on__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.ombudsman_case_id}: {self.due_on}"


class RecommendationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DECLINED = "declined", _("Not followed (with reasons)")


class Recommendation(models.Model):
    ombudsman_case = models.ForeignKey(
        OmbudsmanCase, on_delete=models.CASCADE, related_name="recommendations"
    )
    text = models.TextField(_("recommendation"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.OPEN,
    )
    follow_up = models.TextField(_("follow-up"), blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("recommendation")
        verbose_name_plural = _("recommendations")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                name="recommendation_open_owner",
                condition=models.Q(status__in=["open", "in_progress"]),
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]
