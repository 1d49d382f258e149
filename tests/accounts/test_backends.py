"""The permission backend reads a user's own and group permissions in one query and gives
Django's answers (accounts/backends.py)."""

import pytest
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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


def test_the_signed_in_user_comes_with_their_permissions_in_one_query(
    user_factory, django_assert_num_queries
):
    """A request's user (``get_user``, from the session) and their permissions: one query;
    the same user, the same answers as Django's backend."""
    user = user_factory(roles=[Role.COORDINATOR])
    user.user_permissions.add(Permission.objects.get(codename="view_accessrecord"))
    expected = DjangoModelBackend().get_all_permissions(fresh(user))
    with django_assert_num_queries(1):
        loaded = ModelBackend().get_user(str(user.pk))  # the session holds it as text
        assert loaded.has_perm("audit.view_accessrecord")
        assert ModelBackend().get_all_permissions(loaded) == expected
    assert loaded == user
    assert loaded.get_session_auth_hash() == user.get_session_auth_hash()
    assert loaded.department_id == user.department_id and loaded.email == user.email

    bare = user_factory()  # no role, no permission: one row with nulls
    with django_assert_num_queries(1):
        assert ModelBackend().get_all_permissions(ModelBackend().get_user(bare.pk)) == set()


def test_unknown_inactive_and_superusers_are_loaded_as_django_does(user_factory):
    assert ModelBackend().get_user(987654) is None
    assert ModelBackend().get_user("not a number") is None
    assert ModelBackend().get_user(user_factory(coordinator=True, is_active=False).pk) is None
    superuser = ModelBackend().get_user(user_factory(is_superuser=True).pk)
    assert len(ModelBackend().get_all_permissions(superuser)) == Permission.objects.count()


def test_a_signed_in_page_reads_the_user_and_permissions_in_one_query(client, user_factory):
    client.force_login(user_factory(roles=[Role.COORDINATOR]))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("complaints:worklist")).status_code == 200
    permissions = [q["sql"] for q in captured if "auth_permission" in q["sql"]]
    assert len(permissions) == 1
    assert permissions[0].startswith('SELECT u."id"')  # with the user's own row
