"""Editable reference data: the norms of proper conduct and the themes."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """Reference data with a Dutch and an English name; shown in the reader's language."""

    name_nl = models.CharField(_("name (Dutch)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return getattr(self, self.name_field())

    @staticmethod
    def name_field() -> str:
        """The field with the name in the reader's language (to read names without instances,
        as ``values_list("pk", Theme.name_field())``)."""
        return "name_en" if (get_language() or "nl").startswith("en") else "name_nl"


class NormGroup(models.TextChoices):
    OPEN_AND_CLEAR = "A", _("A. Open and clear")
    RESPECTFUL = "B", _("B. Respectful")
    INVOLVED = "C", _("C. Involved and solution-oriented")
    HONEST = "D", _("D. Honest and reliable")


class Norm(Bilingual):
    """A norm of proper conduct (behoorlijkheidsnorm) of the ombudsman's Behoorlijkheidswijzer."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    group = models.CharField(_("group"), max_length=1, choices=NormGroup.choices)

    class Meta:
        verbose_name = _("norm of proper conduct")
        verbose_name_plural = _("norms of proper conduct")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Theme(Bilingual):
    """What complaints are about, for learning (e.g. waiting times, attitude)."""

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["name_nl"]
