from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from complaints.views.staff import home as staff_home

from .health import health

admin.site.site_header = _("Klachtenladder configuration")
admin.site.site_title = _("Klachtenladder")

urlpatterns = [
    path("", include("complaints.public_urls")),
    path("health/", health, name="health"),
    # Citizens switch language too: the view is open to everyone.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("staff/", staff_home.home, name="staff-home"),
    path("staff/complaints/", include("complaints.urls")),
    path("staff/privacy/", include("complaints.privacy_urls")),
    path("reporting/", include("reporting.urls")),
    path("admin/", admin.site.urls),
]
