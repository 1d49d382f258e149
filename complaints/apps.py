from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """The complaint case, its five steps, the public form and the staff workspace."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import page_cache

        page_cache.connect()
