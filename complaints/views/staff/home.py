from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import staff_profile


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/staff/home.html", {"profile": staff_profile(request.user)})
