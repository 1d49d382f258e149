"""Privacy duties towards a data subject (DOMAIN.md section 7), under /staff/privacy/."""

from django.urls import path

from .views.staff import privacy

app_name = "privacy"

urlpatterns = [
    path("export/", privacy.subject_export_page, name="subject_export"),
]
