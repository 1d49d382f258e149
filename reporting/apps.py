from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """The read side and the learning loop: lessons, dashboards, reports, exports."""

    name = "reporting"
    verbose_name = _("Learning and reporting")

    def ready(self) -> None:
        from . import signals

        signals.connect()
