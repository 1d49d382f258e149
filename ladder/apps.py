from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LadderConfig(AppConfig):
    """The rules of the ladder: rungs, the Atw calendar, Awb deadlines, service norms.

    Pure policy: imports nothing from ``complaints`` or ``reporting``.
    """

    name = "ladder"
    verbose_name = _("Ladder and deadlines")
