from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who read what (DOMAIN.md section 7): an append-only record of every view of a case,
    download and export. ``complaints`` and ``reporting`` record into it; it borrows only
    ``complaints.ratelimit.client_address`` (request parsing, no models) for "from where"."""

    name = "audit"
    verbose_name = _("Read audit")
