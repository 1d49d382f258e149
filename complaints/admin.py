"""Configuration screens for the functional admin: the reference data of complaint cases.
Cases themselves are changed only in the workspace, through the services."""

from django.contrib import admin

from .models import Norm, Theme


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    list_display = ("number", "group", "name_nl", "name_en", "is_active")
    list_filter = ("group", "is_active")
    search_fields = ("name_nl", "name_en")
    ordering = ("number",)


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ("name_nl", "name_en", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_nl", "name_en")
