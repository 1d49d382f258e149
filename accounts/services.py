"""Writes about staff members and departments."""

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, User
from .roles import Role


@transaction.atomic
def department_ensure(*, code: str, name: str, parent: Department | None = None) -> Department:
    department, _created = Department.objects.update_or_create(
        code=code, defaults={"name": name, "parent": parent, "is_active": True}
    )
    return department


@transaction.atomic
def staff_member_ensure(
    *,
    email: str,
    full_name: str,
    roles: list[Role],
    department: Department | None,
    password: str,
    admin_site: bool = False,
) -> User:
    """Create or update a member of staff with exactly these roles."""
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, full_name=full_name)
    else:
        user.set_password(password)
    user.full_name = full_name
    user.department = department
    user.is_staff = admin_site
    user.is_active = True
    user.save()
    role_names = {str(role) for role in Role}
    keep = user.groups.exclude(name__in=role_names)
    user.groups.set([*keep, *Group.objects.filter(name__in=[str(role) for role in roles])])
    return user
