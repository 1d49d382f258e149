"""The staff navigation: one entry per page, shown to the roles whose permission it names.

Later features add their entry here, next to the permission that opens the page.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | tuple[str, ...] | None = None  # None: every signed-in member of staff;
    # a tuple: any one of them
    staff_only: bool = False  # Django's admin site also needs is_staff
    exact: bool = False  # current only on this very page, not on the pages below it


NAV_ITEMS: list[NavItem] = [
    NavItem(_("Overview"), "staff-home", exact=True),
    NavItem(_("Register a complaint"), "complaints:register", "accounts.register_complaint"),
    NavItem(_("Quick log"), "complaints:quick_log", "accounts.log_rung1"),
    NavItem(_("Worklist"), "complaints:worklist", "accounts.handle_complaint"),
    NavItem(_("Due this week"), "complaints:due", "accounts.watch_deadlines"),
    NavItem(_("Outgoing messages"), "complaints:outbox", "accounts.view_all_complaints"),
    NavItem(
        _("Improvement actions"),
        "reporting:actions",
        ("accounts.own_improvement_actions", "accounts.handle_complaint"),
    ),
    NavItem(
        _("Dashboard"),
        "reporting:dashboard",
        ("accounts.view_department_dashboard", "accounts.view_organisation_dashboard"),
    ),
    NavItem(
        _("Learning reports"),
        "reporting:reports",
        ("accounts.view_department_dashboard", "accounts.view_organisation_dashboard"),
    ),
    NavItem(_("Annual report"), "reporting:annual", "accounts.produce_annual_report"),
    NavItem(_("Data-subject export"), "privacy:subject_export", "audit.export_subject_data"),
    NavItem(_("Configuration"), "admin:index", "accounts.configure", staff_only=True),
]


def _may(user, permission: str | tuple[str, ...]) -> bool:
    permissions = (permission,) if isinstance(permission, str) else permission
    return any(user.has_perm(name) for name in permissions)


@dataclass(frozen=True)
class ShownItem:
    label: str | Promise
    url: str
    current: bool


def items_for(user, *, current_path: str = "") -> list[ShownItem]:
    """The items the user may open; the current one is the item whose page the path is, or
    else the one whose address is the longest start of the path (a case page belongs to the
    worklist, the outbox page to itself)."""
    visible = [
        (item, reverse(item.url_name))
        for item in NAV_ITEMS
        if (not item.permission or _may(user, item.permission))
        and (not item.staff_only or user.is_staff)
    ]
    matches = [
        url
        for item, url in visible
        if current_path == url or (not item.exact and current_path.startswith(url))
    ]
    current = max(matches, key=len, default=None)
    return [ShownItem(item.label, url, url == current) for item, url in visible]
