"""The rung-1 quick log: one screen, for any member of staff who deals with dissatisfaction
on the spot, or hand it to a complaint handler at once ("Save and hand over"). After saving it
shows a fresh form (with the channel and department of the last
log), because an employee at a counter logs many in a row; the saved case is linked for
those who may open it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.ladder_forms import QuickLogForm
from complaints.selectors import complaints_visible_to
from complaints.services.ladder import complaint_escalate, rung1_log

LOG_RUNG1 = "accounts.log_rung1"
LAST = "rung1_last"  # session: the channel and department of the last log, and its reference


def quick_log(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_perm(LOG_RUNG1):
        raise PermissionDenied
    last = request.session.get(LAST, {})
    form = QuickLogForm(
        request.POST or None,
        initial={
            "channel": last.get("channel", ""),
            "department": last.get("department", user.department_id),
        },
    )
    hand_over = "hand_over" in request.POST
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            complaint = rung1_log(
                actor=user,
                fields=form.complaint_fields(),
                themes=[form.cleaned_data["theme"]],
                resolved=form.cleaned_data["satisfied"] and not hand_over,
            )
            if hand_over:  # one click: log it and hand it to a complaint handler
                complaint = complaint_escalate(
                    complaint_id=complaint.pk,
                    actor=user,
                    reason=_("Not resolved on the spot: handed over from the quick log."),
                    is_written=False,
                )
        request.session[LAST] = {
            "channel": complaint.channel,
            "department": complaint.department_id,
            "reference": complaint.reference,
        }
        if hand_over:
            text = _(
                "Logged as %(reference)s and handed to a complaint handler: it waits at "
                "intake for the coordinator to assign it."
            )
        elif complaint.is_open:
            text = _(
                "Logged as %(reference)s. It stays open: close it, or hand it to a complaint "
                "handler, when you can."
            )
        else:
            text = _("Logged as %(reference)s and closed as resolved.")
        messages.success(request, text % {"reference": complaint.reference})
        return redirect("complaints:quick_log")
    reference = last.get("reference") if request.method == "GET" else None
    logged = (
        complaints_visible_to(user).filter(reference=reference).values_list("reference", flat=True)
        if reference
        else []
    )
    return render(
        request,
        "complaints/staff/quick_log.html",
        {"form": form, "logged": next(iter(logged), None)},
        status=400 if form.is_bound else 200,
    )
