"""The staff roles of DOMAIN.md section 1, as Django groups with named permissions.

The groups are created by a migration and kept complete after every ``migrate``:
permissions that later apps add to a role appear in its group automatically. The
mapping below is the single place that says which role may do what. To give one
person more rights, add them to a second group rather than editing a role group:
missing role permissions are added back on the next migrate.
"""

from django.apps import apps as global_apps
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The value is the name of the role's group."""

    EMPLOYEE = "employee", _("Employee")
    HANDLER = "handler", _("Complaint handler")
    COORDINATOR = "coordinator", _("Complaint coordinator")
    MANAGER = "manager", _("Manager")
    BOARD = "board", _("Board")
    FUNCTIONAL_ADMIN = "functional_admin", _("Functional administrator")


_CONFIGURATION = [
    "accounts.view_user",
    "accounts.add_user",
    "accounts.change_user",
    "accounts.view_department",
    "accounts.add_department",
    "accounts.change_department",
    "auth.view_group",
    # Reference data of complaint cases (DOMAIN.md section 1: norms, themes).
    "complaints.view_norm",
    "complaints.add_norm",
    "complaints.change_norm",
    "complaints.view_theme",
    "complaints.add_theme",
    "complaints.change_theme",
    # Letter texts (DOMAIN.md section 1): one template per kind and language, its sections.
    "complaints.view_lettertemplate",
    "complaints.change_lettertemplate",
    "complaints.view_lettertemplatesection",
    "complaints.change_lettertemplatesection",
    # The external complaint handlers of rung 3 (DOMAIN.md section 2).
    "complaints.view_ombudsman",
    "complaints.add_ombudsman",
    "complaints.change_ombudsman",
    # Deadline configuration (DOMAIN.md section 5): decree days (Atw art. 3 lid 3), service norms.
    "ladder.view_equalday",
    "ladder.add_equalday",
    "ladder.change_equalday",
    "ladder.delete_equalday",
    "ladder.view_servicenorms",
    "ladder.change_servicenorms",
    # The causes a lesson names (DOMAIN.md section 6: a configurable list).
    "reporting.view_cause",
    "reporting.add_cause",
    "reporting.change_cause",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.EMPLOYEE: ["accounts.log_rung1"],
    Role.HANDLER: [
        "accounts.log_rung1",
        "accounts.register_complaint",
        "accounts.handle_complaint",
    ],
    Role.COORDINATOR: [
        "accounts.log_rung1",
        "accounts.register_complaint",
        "accounts.handle_complaint",
        "accounts.assign_complaint",
        "accounts.reopen_complaint",
        "accounts.view_all_complaints",
        # The complainant's needs on every case, not only their own (DOMAIN.md section 7).
        "accounts.view_special_category",
        "accounts.watch_deadlines",
        "accounts.liaise_ombudsman",
        "accounts.produce_annual_report",
        "accounts.view_organisation_dashboard",
        # Everything held about one person, as a download (DOMAIN.md section 7).
        "audit.export_subject_data",
    ],
    Role.MANAGER: [
        "accounts.log_rung1",
        "accounts.view_department_dashboard",
        "accounts.own_improvement_actions",
    ],
    Role.BOARD: [
        "accounts.view_organisation_dashboard",
        "accounts.own_improvement_actions",
    ],
    Role.FUNCTIONAL_ADMIN: [
        "accounts.configure",
        "accounts.manage_users",
        *_CONFIGURATION,
        # Search the read audit (DOMAIN.md section 7: who read which case).
        "audit.view_accessrecord",
    ],
}


def sync_roles(apps=global_apps, using: str = "default") -> None:
    """Create the role groups and give each the permissions of ROLE_PERMISSIONS.

    Idempotent. Permissions that do not exist yet (their app is not migrated) are
    skipped; the post-migrate hook adds them once they exist.
    """
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    found = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = group_model.objects.using(using).get_or_create(name=str(role))
        group.permissions.add(*[found[perm] for perm in perms if perm in found])


def sync_roles_after_migrate(sender, using: str = "default", **kwargs) -> None:
    # post_migrate fires once per app; the last one sees every permission.
    sync_roles(apps=kwargs.get("apps") or global_apps, using=using)


def roles_of(user) -> list[Role]:
    """The roles a user holds, in the order of Role."""
    if not user.is_authenticated:
        return []
    names = {group.name for group in user.groups.all()}
    return [role for role in Role if role.value in names]
