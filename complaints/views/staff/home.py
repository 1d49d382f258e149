from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.selectors import staff_profile
from complaints.selectors import recommendations_open_for


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "profile": staff_profile(request.user),
        # The ombudsman's recommendations this person owns, overdue first (one query).
        "recommendations": list(recommendations_open_for(request.user)),
        "today": timezone.localdate(),
    }
    return render(request, "complaints/staff/home.html", context)
