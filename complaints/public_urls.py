"""Pages for citizens (no account): the complaint form and the private status link."""

from django.urls import path

from .views import public, status

urlpatterns = [
    path("", public.home, name="public-home"),
    path("complaint/", public.complaint_start, name="complaint_start"),
    path("complaint/<int:step>/", public.complaint_form, name="complaint_form"),
    path("complaint/sent/", public.complaint_sent, name="complaint_sent"),
    path("status/", status.request_link, name="status_request"),
    path("status/<str:token>/", status.status, name="status"),
    path("status/<str:token>/information/", status.add_information, name="status_information"),
    path("status/<str:token>/withdraw/", status.withdraw, name="status_withdraw"),
    path("status/<str:token>/not-solved/", status.reopen_request, name="status_reopen"),
    path("status/<str:token>/survey/", status.survey, name="status_survey"),
    path("status/<str:token>/formal/", status.formal_handling, name="status_formal"),
    path(
        "status/<str:token>/files/<int:attachment_id>/",
        status.attachment,
        name="status_attachment",
    ),
]
