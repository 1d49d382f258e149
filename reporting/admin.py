from django.contrib import admin

from .models import Cause


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    """The causes a lesson names (DOMAIN.md section 6): functional administrators keep the
    list; a cause no longer used is made inactive, not deleted (lessons keep naming it)."""

    list_display = ("name_nl", "name_en", "code", "order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_nl", "name_en", "code")
    ordering = ("order", "name_nl")
