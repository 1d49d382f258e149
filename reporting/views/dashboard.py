"""The dashboard: the manager's department, or the organisation for the board and the
coordinators (with a department filter). Parse the filter, read the figures, render."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reporting.dashboard import (
    PeriodForm,
    active_departments,
    dashboard_for,
    dashboard_scope,
    period_html,
    quick_choices,
)


def dashboard(request: HttpRequest) -> HttpResponse:
    scope = dashboard_scope(request.user)  # PermissionDenied for anyone else
    if not scope.organisation and scope.department is None:
        return render(request, "reporting/dashboard_no_department.html")
    today = timezone.localdate()
    departments = active_departments() if scope.organisation else None
    form = PeriodForm(request.GET, today=today, departments=departments)
    start, end, department_id = form.choice()
    chosen = next((d for d in departments or () if d.pk == department_id), scope.department)
    board = dashboard_for(department=chosen, start=start, end=end, today=today)
    context = {
        "form": form,
        "dashboard": board,
        "scope": scope,
        "quick": quick_choices(today, (start, end), department_id),
        "period": period_html(board),
    }
    return render(
        request, "reporting/dashboard.html", context, status=200 if form.is_valid() else 400
    )
