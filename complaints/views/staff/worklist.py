from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from complaints.models import Rung, Stage, Theme
from complaints.selectors import SCOPES, WorklistFilter, worklist_for

PAGE_SIZE = 50


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def parse_filters(request: HttpRequest) -> WorklistFilter:
    get = request.GET
    scope = get.get("scope", "mine")
    if scope not in SCOPES or (
        scope == "all" and not request.user.has_perm("accounts.view_all_complaints")
    ):
        scope = "mine"
    return WorklistFilter(
        scope=scope,
        stage=get.get("stage", "") if get.get("stage", "") in Stage.values else "",
        rung=_int(get.get("rung", "")),
        theme=_int(get.get("theme", "")),
        overdue=get.get("overdue") == "1",
        query=get.get("q", "")[:100],
    )


def worklist(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (
        user.has_perm("accounts.handle_complaint")
        or user.has_perm("accounts.view_department_dashboard")
    ):
        raise PermissionDenied
    filters = parse_filters(request)
    today = timezone.localdate()
    page = Paginator(worklist_for(user, filters, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "complaints/staff/worklist.html",
        {
            "page": page,
            "filters": filters,
            "today": today,
            "stages": Stage.choices,
            "rungs": Rung.choices,
            "themes": Theme.objects.filter(is_active=True),
            "can_see_all": user.has_perm("accounts.view_all_complaints"),
            "querystring": query.urlencode(),
        },
    )
