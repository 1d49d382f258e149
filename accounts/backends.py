"""Sign-in and permission checks against the database, as Django's ``ModelBackend`` does."""

from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection

User = get_user_model()


class ModelBackend(DjangoModelBackend):
    """Django's ``ModelBackend``, reading a user's own and their groups' permissions in one
    query instead of two. Every staff page checks permissions; the case page's query budget
    (QUALITY.md: at most 15) has room for the read audit's insert (DOMAIN.md section 7) only
    so. Same answers, same per-request cache (``_perm_cache``) as Django's.

    The query is written out in SQL (``permissions_sql``): as an ORM query (an ``OR`` over
    two many-to-many joins, ``DISTINCT``) Django spent about a millisecond compiling it on
    every staff request, several times what the database spends answering it.

    The signed-in user of a request (``get_user``) comes with their permissions in the same
    query (``user_sql``): one round trip to the database instead of two on every staff page
    (each about half a millisecond at 1,000,000 complaints, as much as the bench's baseline
    request spends in the database in all)."""

    def get_user(self, user_id):
        try:
            user_id = User._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        with connection.cursor() as cursor:
            cursor.execute(user_sql(), [user_id, user_id, user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        names = [f.attname for f in User._meta.concrete_fields]
        user = User.from_db(connection.alias, names, rows[0][: len(names)])
        if not self.user_can_authenticate(user):
            return None
        if not user.is_superuser:  # a superuser has every permission: read when asked
            user._perm_cache = {
                f"{app_label}.{codename}" for *_user, app_label, codename in rows if codename
            }
        return user

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = Permission.objects.values_list("content_type__app_label", "codename")
            else:
                with connection.cursor() as cursor:
                    cursor.execute(permissions_sql(), [user_obj.pk, user_obj.pk])
                    rows = cursor.fetchall()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


@cache
def user_sql() -> str:
    """The user's columns (``concrete_fields``, in order), then the (app label, codename) of
    each of their permissions: a row per permission, or one row with two nulls for a user
    without any. The parameters: the user's id, three times."""
    q = connection.ops.quote_name
    columns = ", ".join(f"u.{q(f.column)}" for f in User._meta.concrete_fields)
    return (
        f"SELECT {columns}, perm.{q('app_label')}, perm.{q('codename')} "  # noqa: S608
        f"FROM {q(User._meta.db_table)} u "
        f"LEFT JOIN ({permissions_sql()}) perm ON 1 = 1 "
        f"WHERE u.{q(User._meta.pk.column)} = %s"
    )


@cache
def permissions_sql() -> str:
    """The (app label, codename) of a user's own permissions and their groups', each once;
    the parameters: the user's id, twice. Table and column names from the models."""
    q = connection.ops.quote_name
    own = User.user_permissions.through._meta
    member = User.groups.through._meta
    granted = Group.permissions.through._meta
    return (
        f"SELECT ct.{q('app_label')}, p.{q('codename')} "  # noqa: S608 - names from the models
        f"FROM {q(Permission._meta.db_table)} p "
        f"JOIN {q(ContentType._meta.db_table)} ct ON ct.{q('id')} = p.{q('content_type_id')} "
        f"WHERE p.{q('id')} IN ("
        f"SELECT {q('permission_id')} FROM {q(own.db_table)} WHERE {q('user_id')} = %s "
        f"UNION SELECT g.{q('permission_id')} FROM {q(granted.db_table)} g "
        f"JOIN {q(member.db_table)} m ON m.{q('group_id')} = g.{q('group_id')} "
        f"WHERE m.{q('user_id')} = %s)"
    )
