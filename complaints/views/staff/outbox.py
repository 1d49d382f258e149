"""Outgoing messages: what the outbox sent, what waits, and what failed (coordinators)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from complaints.models import OutboxMessage, OutboxStatus
from complaints.services.outbox import VIEW_ALL, NotRetryable, outbox_overview, outbox_retry

PAGE_SIZE = 50


def outbox(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm(VIEW_ALL):
        raise PermissionDenied
    page = Paginator(outbox_overview(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "complaints/staff/outbox.html",
        {"page": page, "failed": OutboxStatus.FAILED, "sent": OutboxStatus.SENT},
    )


@require_POST
def retry(request: HttpRequest, message_id: int) -> HttpResponse:
    try:
        message = outbox_retry(message_id=message_id, actor=request.user)
    except OutboxMessage.DoesNotExist as error:
        raise Http404 from error
    except NotRetryable as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request, _("The message to %(to)s will be sent again now.") % {"to": message.to}
        )
    return redirect("complaints:outbox")
