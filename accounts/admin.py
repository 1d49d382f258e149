from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from . import mfa
from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "parent", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("full_name",)
    list_display = ("full_name", "email", "department", "is_active")
    list_filter = ("is_active", "groups", "department")
    list_select_related = ("department",)
    search_fields = ("full_name", "email")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("full_name", "department")}),
        (_("Roles"), {"fields": ("groups", "is_active", "is_staff")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "department", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "two_factor")
    filter_horizontal = ("groups",)
    actions = ["reset_two_factor"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Two-step verification"), {"fields": ("two_factor",)}))

    @admin.display(description=_("Authenticator app"))
    def two_factor(self, obj) -> str:
        if mfa.has_confirmed_device(user=obj):
            left = mfa.recovery_codes_left(user=obj)
            return _("Set up; %(left)d recovery codes left") % {"left": left}
        return _("Not set up")

    @admin.action(description=_("Reset two-step verification (lost phone)"), permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """The users enrol an authenticator app again at their next sign-in."""
        for user in queryset:
            mfa.mfa_reset(user=user)
        self.message_user(
            request,
            _("Two-step verification reset for %(count)d users.") % {"count": len(queryset)},
            messages.SUCCESS,
        )
