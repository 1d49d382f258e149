"""Sign-in and permission checks against the database, as Django's ``ModelBackend`` does."""

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackend(DjangoModelBackend):
    """Django's ``ModelBackend``, reading a user's own and their groups' permissions in one
    query instead of two. Every staff page checks permissions; the case page's query budget
    (QUALITY.md: at most 15) has room for the read audit's insert (DOMAIN.md section 7) only
    so. Same answers, same per-request cache (``_perm_cache``) as Django's."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(Q(user=user_obj) | Q(group__user=user_obj))
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list(
                    "content_type__app_label", "codename"
                ).distinct()
            }
        return user_obj._perm_cache
