from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.forms import IntakeForm
from complaints.services import complaint_register


def register(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("accounts.register_complaint"):
        raise PermissionDenied
    form = IntakeForm(request.POST or None, initial={"department": request.user.department_id})
    if request.method == "POST" and form.is_valid():
        complaint = complaint_register(
            actor=request.user,
            fields=form.complaint_fields(),
            themes=list(form.cleaned_data["themes"]),
            parties=form.parties(),
        )
        for prompt in form.screening_prompts():
            messages.warning(request, prompt)
        messages.success(
            request,
            _("Complaint %(reference)s is registered.") % {"reference": complaint.reference},
        )
        return redirect("complaints:case", reference=complaint.reference)
    return render(request, "complaints/staff/intake.html", {"form": form})
