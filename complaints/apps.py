from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplaintsConfig(AppConfig):
    """The complaint case, its five steps, the public form and the staff workspace."""

    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import page_cache
        from complaints.services import public
        from config.release import release_token

        page_cache.connect()
        public.connect()
        # The release's token of the code this process loaded, not of files changed later.
        release_token()
