"""The functional admin searches the read audit here; nobody changes it."""

from django.contrib import admin

from .models import AccessRecord


@admin.register(AccessRecord)
class AccessRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "user_email", "action", "reference", "result", "address")
    list_filter = ("action", "result", "at")
    search_fields = ("reference", "user_email")
    date_hierarchy = "at"
    list_select_related = False
    show_full_result_count = False  # no COUNT(*) over a table that only grows
    readonly_fields = [field.name for field in AccessRecord._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
