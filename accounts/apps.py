from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and departments")

    def ready(self) -> None:
        from .roles import sync_roles_after_migrate

        # Later apps add permissions to the roles; this keeps the groups complete
        # after every migrate (and after the test database is flushed).
        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
