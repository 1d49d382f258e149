"""Sign-in and permission checks against the database, as Django's ``ModelBackend`` does."""

from functools import cache

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection


class ModelBackend(DjangoModelBackend):
    """Django's ``ModelBackend``, reading a user's own and their groups' permissions in one
    query instead of two. Every staff page checks permissions; the case page's query budget
    (QUALITY.md: at most 15) has room for the read audit's insert (DOMAIN.md section 7) only
    so. Same answers, same per-request cache (``_perm_cache``) as Django's.

    The query is written out in SQL (``permissions_sql``): as an ORM query (an ``OR`` over
    two many-to-many joins, ``DISTINCT``) Django spent about a millisecond compiling it on
    every staff request, several times what the database spends answering it."""

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
def permissions_sql() -> str:
    """The (app label, codename) of a user's own permissions and their groups', each once;
    the parameters: the user's id, twice. Table and column names from the models."""
    from accounts.models import User

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
