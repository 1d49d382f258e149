"""Reads about staff members."""

from dataclasses import dataclass

from .models import Department, User
from .roles import Role, roles_of


@dataclass(frozen=True)
class StaffProfile:
    user: User
    department: Department | None
    roles: list[Role]


def staff_profile(user: User) -> StaffProfile:
    return StaffProfile(user=user, department=user.department, roles=roles_of(user))
