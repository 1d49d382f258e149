from django.urls import path

import complaints.converters  # noqa: F401 -- registers <ref:...>

from .views import dashboard, learning, reports

app_name = "reporting"

urlpatterns = [
    # The learning loop (DOMAIN.md section 6): the lesson of a case, improvement actions.
    path("cases/<ref:reference>/lesson/", learning.lesson, name="lesson"),
    path("actions/", learning.actions, name="actions"),
    path("actions/new/", learning.action_new, name="action_new"),
    path("actions/<int:action_id>/", learning.action, name="action"),
    path("actions/<int:action_id>/edit/", learning.action_edit, name="action_edit"),
    path("actions/<int:action_id>/inform/", learning.action_inform, name="action_inform"),
    # The dashboards (issue 8, point 2): the manager's department, the board's organisation.
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    # Learning reports (issue 8, point 3) and the annual report (point 4, Awb 9:12a).
    path("reports/", reports.reports, name="reports"),
    path("reports/make/", reports.report_make, name="report_make"),
    path("reports/<int:report_id>/", reports.report, name="report"),
    path("reports/<int:report_id>/pdf/", reports.report_pdf, name="report_pdf"),
    path("annual/", reports.annual, name="annual"),
    path("annual/runs/<int:run_id>/", reports.annual_run, name="annual_run"),
    path("annual/runs/<int:run_id>/download/", reports.annual_download, name="annual_download"),
    path("annual/<int:year>/", reports.annual_page, name="annual_page"),
]
