"""Configuration screens of the deadline rules for the functional admin: the decree days
(Atw art. 3 lid 3) and the service norms (one row)."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import EqualDay, ServiceNorms
from .selectors import years_without_equal_days


def warn_missing_equal_days(request) -> None:
    """Decree days cannot be computed: say so when next year has none on record yet."""
    if not request.user.has_perm("ladder.view_equalday"):
        return
    for year in years_without_equal_days(timezone.localdate()):
        messages.warning(
            request,
            _(
                "No decree days recorded for %(year)s yet. Add the days that the royal decree "
                "declares equal to a holiday (Atw art. 3 lid 3), or deadlines in %(year)s "
                "may end a day too early."
            )
            % {"year": year},
        )


@admin.register(EqualDay)
class EqualDayAdmin(admin.ModelAdmin):
    list_display = ("day", "decree")
    search_fields = ("decree",)
    date_hierarchy = "day"
    ordering = ("-day",)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            warn_missing_equal_days(request)
        return super().changelist_view(request, extra_context)


@admin.register(ServiceNorms)
class ServiceNormsAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "acknowledgement_days",
        "first_contact_days",
        "rung1_days",
        "reminder_days_before",
        "manager_after_days_overdue",
    )

    def has_add_permission(self, request):
        # One row (pk 1): it is created on first use and only ever changed.
        return not ServiceNorms.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


_index = admin.site.index


def _index_with_warning(request, extra_context=None):
    if request.method == "GET":
        warn_missing_equal_days(request)
    return _index(request, extra_context)


# The admin index is Django's own view: wrap it so the warning shows there too.
admin.site.index = _index_with_warning
