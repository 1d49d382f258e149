"""The learning loop (DOMAIN.md section 6): a lesson per closed case, and improvement actions
(verbetermaatregelen) that answer one or more complaints."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from complaints.models.reference import Bilingual


class Cause(Bilingual):
    """Why the complaint arose: an editable list (communication, process, policy, attitude,
    IT, other), seeded by a migration."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("cause")
        verbose_name_plural = _("causes")
        ordering = ["order", "name_nl"]


class Lesson(models.Model):
    """What the organisation can learn from one case, recorded by the handler at closing."""

    complaint = models.OneToOneField(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="lesson",
    )
    theme = models.ForeignKey(
        "complaints.Theme",
        verbose_name=_("theme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cause = models.ForeignKey(
        Cause, verbose_name=_("cause"), on_delete=models.PROTECT, related_name="lessons"
    )
    norms = models.ManyToManyField(
        "complaints.Norm", verbose_name=_("norms touched"), blank=True, related_name="+"
    )
    text = models.TextField(_("lesson"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.cause}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_ACTION_STATUSES = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)


class ActionEffect(models.TextChoices):
    """The check of an action's effect, after it is done."""

    EFFECTIVE = "effective", _("Effective: the complaints stopped")
    PARTLY = "partly", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")


class ImprovementAction(models.Model):
    """A verbetermaatregel: one action can answer many complaints."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what will change"), blank=True)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="improvement_actions",
        help_text=_("Empty for an action of the whole organisation."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="improvement_actions",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    complaints = models.ManyToManyField(
        "complaints.Complaint",
        verbose_name=_("complaints it answers"),
        blank=True,
        related_name="improvement_actions",
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    effect = models.CharField(_("effect"), max_length=20, choices=ActionEffect.choices, blank=True)
    effect_note = models.TextField(_("how the effect was checked"), blank=True)
    effect_checked_on = models.DateField(_("effect checked on"), null=True, blank=True)
    feedback_sent_at = models.DateTimeField(_("complainants informed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("improvement action")
        verbose_name_plural = _("improvement actions")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                name="action_open_owner_due",
                condition=models.Q(status__in=["planned", "in_progress"]),
            ),
            models.Index(
                fields=["due_on"],
                name="action_open_due",
                condition=models.Q(status__in=["planned", "in_progress"]),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES
