"""Configuration of the deadline rules that the functional admin maintains.

``ladder.deadlines`` is pure arithmetic; these tables feed it: the days a royal decree declares
equal to a holiday (Atw art. 3 lid 3) and the organisation's service norms (not law).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class EqualDay(models.Model):
    """A day declared equal to a recognised holiday by royal decree (Atw art. 3 lid 3).

    Decrees appear every three years and cannot be computed; the migration seeds the known
    ones (``ladder.deadlines.KNOWN_EQUAL_DAYS``) and the admin adds the next.
    """

    day = models.DateField(_("day"), unique=True)
    decree = models.CharField(
        _("decree"), max_length=120, blank=True, help_text=_("For example: Stcrt. 2025, 24713.")
    )

    class Meta:
        verbose_name = _("day equal to a holiday")
        verbose_name_plural = _("days equal to a holiday")
        ordering = ["day"]

    def __str__(self) -> str:
        return self.day.isoformat()


def validate_offsets(value: str) -> None:
    try:
        days = [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        days = None
    if not days or any(day < 1 or day > 30 for day in days):
        raise ValidationError(
            _("Give whole numbers of working days between 1 and 30, separated by commas.")
        )


class ServiceNorms(models.Model):
    """The organisation's own promises (DOMAIN.md section 5), counted in working days.

    One row (pk 1), edited by the functional admin; ``ServiceNorms.current()`` reads it.
    """

    acknowledgement_days = models.PositiveSmallIntegerField(
        _("acknowledge a written complaint within (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    first_contact_days = models.PositiveSmallIntegerField(
        _("first personal contact within (working days)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    rung1_days = models.PositiveSmallIntegerField(
        _("close or escalate a rung-1 log within (working days)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    reminder_days_before = models.CharField(
        _("remind the handler this many working days before a due date"),
        max_length=40,
        default="5,1",
        validators=[validate_offsets],
        help_text=_("Separated by commas, for example 5,1. A reminder on the day itself and "
                    "daily reminders when overdue are always sent."),
    )  # fmt: skip
    manager_after_days_overdue = models.PositiveSmallIntegerField(
        _("tell the manager when a decision is this many days overdue"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )

    class Meta:
        verbose_name = _("service norms")
        verbose_name_plural = _("service norms")

    def __str__(self) -> str:
        return str(_("Service norms"))

    def save(self, *args, **kwargs):
        self.pk = 1  # one row
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> "ServiceNorms":
        norms, _created = cls.objects.get_or_create(pk=1)
        return norms

    @property
    def offsets(self) -> list[int]:
        """The reminder offsets, largest first: ``[5, 1]``."""
        days = {int(part) for part in self.reminder_days_before.split(",") if part.strip()}
        return sorted(days, reverse=True)
