"""Configuration screens for the functional admin: the reference data of complaint cases.
Cases themselves are changed only in the workspace, through the services."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from .letters.kinds import SECTION_NAMES, spec_of
from .letters.placeholders import PLACEHOLDERS
from .models import LetterTemplate, LetterTemplateSection, Norm, Ombudsman, Theme


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


@admin.register(Ombudsman)
class OmbudsmanAdmin(admin.ModelAdmin):
    """The external complaint handlers (rung 3) a coordinator chooses from; the one named in
    letters by default is the one the status page names."""

    list_display = ("name", "kind", "website", "is_default", "is_active")
    list_filter = ("kind", "is_default", "is_active")
    search_fields = ("name", "postal_address", "website")
    # A site typed without a scheme is https (Django 6's default; no warning until then).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class LetterTemplateSectionInline(admin.StackedInline):
    """The sections of a template are fixed by its kind (complaints.letters.kinds): the
    functional admin edits their headings and texts, and cannot add or remove one."""

    model = LetterTemplateSection
    fields = ("section_name", "mandatory", "heading", "text")
    readonly_fields = ("section_name", "mandatory")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("section"))
    def section_name(self, section):
        return SECTION_NAMES.get(section.key, section.key)

    @admin.display(description=_("mandatory"), boolean=True)
    def mandatory(self, section):
        spec = spec_of(section.template.kind).section(section.key)
        return bool(spec and spec.mandatory)


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    """The letter texts per kind and language. Placeholders are a fixed, safe set (listed on
    the page); anything else between braces is refused on save, with its name."""

    list_display = ("kind", "language", "subject", "updated_at")
    list_filter = ("kind", "language")
    search_fields = ("subject", "sections__text")
    fields = ("kind", "language", "subject", "placeholders")
    readonly_fields = ("kind", "language", "placeholders")
    inlines = [LetterTemplateSectionInline]

    def has_add_permission(self, request):
        return False  # one per kind and language, seeded by the migration

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("placeholders you can use"))
    def placeholders(self, template):
        return format_html_join(
            "", "<div><code>{{{}}}</code>: {}</div>", sorted(PLACEHOLDERS.items())
        )
