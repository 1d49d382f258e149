"""The bench's URLs: the baseline page, then every route of config.urls (bench/wsgi.py)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path

from accounts.models import Department
from config.urls import urlpatterns as app_urlpatterns


@login_not_required
def bare(request):
    """One primary-key query and a tiny response: what Django itself costs per request."""
    department = Department.objects.filter(pk=int(request.GET.get("pk", "1"))).first()
    return HttpResponse(f"ok {department.pk if department else 0}", content_type="text/plain")


urlpatterns = [path("__bench__/bare/", bare, name="bench-bare"), *app_urlpatterns]
