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

        from django.contrib.auth.signals import user_logged_in

        from .middleware import session_start

        # The idle and absolute session timeouts count from the sign-in.
        user_logged_in.connect(session_start, dispatch_uid="accounts.session_start")
