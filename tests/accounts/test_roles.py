"""Each role of DOMAIN.md section 1 is a group holding its named permissions."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role, roles_of, sync_roles

pytestmark = pytest.mark.django_db


def perms_of(group: Group) -> set[str]:
    return {
        f"{app}.{code}"
        for app, code in group.permissions.values_list("content_type__app_label", "codename")
    }


@pytest.mark.parametrize("role", list(Role))
def test_each_role_group_exists_with_exactly_its_permissions(role):
    group = Group.objects.get(name=role.value)
    assert perms_of(group) == set(ROLE_PERMISSIONS[role])


def test_every_named_permission_exists_with_a_readable_name():
    for perms in ROLE_PERMISSIONS.values():
        for perm in perms:
            app_label, codename = perm.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            assert permission.name


def test_roles_separate_duties():
    assert "accounts.reopen_complaint" in ROLE_PERMISSIONS[Role.COORDINATOR]
    assert "accounts.reopen_complaint" not in ROLE_PERMISSIONS[Role.HANDLER]
    # Special-category data: a handler only on their own cases (DOMAIN.md section 7).
    assert "accounts.view_special_category" in ROLE_PERMISSIONS[Role.COORDINATOR]
    assert "accounts.view_special_category" not in ROLE_PERMISSIONS[Role.HANDLER]
    assert "accounts.handle_complaint" not in ROLE_PERMISSIONS[Role.EMPLOYEE]
    assert ROLE_PERMISSIONS[Role.EMPLOYEE] == ["accounts.log_rung1"]
    assert "accounts.configure" in ROLE_PERMISSIONS[Role.FUNCTIONAL_ADMIN]
    assert "accounts.view_department_dashboard" in ROLE_PERMISSIONS[Role.MANAGER]
    assert "accounts.view_organisation_dashboard" in ROLE_PERMISSIONS[Role.BOARD]


def test_sync_is_idempotent_and_restores_a_removed_permission():
    handler = Group.objects.get(name=Role.HANDLER.value)
    handler.permissions.clear()
    sync_roles()
    sync_roles()
    assert perms_of(handler) == set(ROLE_PERMISSIONS[Role.HANDLER])
    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == len(Role)


def test_a_user_has_the_permissions_of_their_role(user_factory):
    handler = user_factory(handler=True)
    assert handler.has_perm("accounts.handle_complaint")
    assert not handler.has_perm("accounts.reopen_complaint")
    assert roles_of(handler) == [Role.HANDLER]

    coordinator = user_factory(coordinator=True)
    assert coordinator.has_perm("accounts.reopen_complaint")


def test_only_the_functional_admin_sees_the_configuration_screens(client, user_factory):
    admin = user_factory(functional_admin=True)
    client.force_login(admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/department/").status_code == 200

    client.force_login(user_factory(handler=True))
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_functional_admin_edits_norms_and_themes(client, user_factory):
    client.force_login(user_factory(functional_admin=True))
    assert client.get("/admin/complaints/norm/").status_code == 200
    assert client.get("/admin/complaints/theme/add/").status_code == 200
    client.force_login(user_factory(coordinator=True, is_staff=True))
    assert client.get("/admin/complaints/norm/").status_code == 403
