"""The permission backend reads a user's own and group permissions in one query and gives
Django's answers (accounts/backends.py)."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission

from accounts.backends import ModelBackend
from accounts.models import User
from accounts.roles import Role

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache


def test_the_same_permissions_as_djangos_backend_in_one_query(
    user_factory, django_assert_num_queries
):
    user = user_factory(roles=[Role.COORDINATOR, Role.FUNCTIONAL_ADMIN])
    user.user_permissions.add(Permission.objects.get(codename="view_accessrecord"))
    expected = DjangoModelBackend().get_all_permissions(fresh(user))
    assert "audit.export_subject_data" in expected and "accounts.configure" in expected
    user = fresh(user)
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(user) == expected
        assert user.has_perm("audit.view_accessrecord")  # cached for the request


def test_inactive_and_superusers_are_answered_as_django_does(user_factory):
    inactive = user_factory(coordinator=True, is_active=False)
    assert ModelBackend().get_all_permissions(fresh(inactive)) == set()
    superuser = user_factory(is_superuser=True)
    assert len(ModelBackend().get_all_permissions(fresh(superuser))) == Permission.objects.count()
    assert ModelBackend().get_all_permissions(fresh(superuser), obj=object()) == set()
