"""The coordinator's page of cases due this week and overdue (DOMAIN.md section 5)."""

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from complaints.selectors import due_soon_for, reopen_requests_open_for, week_end

PAGE_SIZE = 50
REOPEN_LIMIT = 100  # oldest first; more than this is a backlog to address, not to list


def due(request: HttpRequest) -> HttpResponse:
    # Watching the deadlines of the organisation; the list holds the cases the user may see.
    if not request.user.has_perm("accounts.watch_deadlines"):
        raise PermissionDenied
    today = timezone.localdate()
    page = Paginator(due_soon_for(request.user, today=today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "complaints/staff/due.html",
        {
            "page": page,
            "today": today,
            "week_end": week_end(today),
            "reopen_requests": list(reopen_requests_open_for(request.user)[:REOPEN_LIMIT]),
        },
    )
