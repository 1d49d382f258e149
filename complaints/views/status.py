"""The citizen's private status page and what a citizen can do from it (no account).

The token in the URL is the only authority, so every view here is open (``login_not_required``),
counted per client address (``STATUS_LINK_RATE``, GET and POST alike: guessing tokens costs the
same as using one), and answers with ``no-store`` (no copy in a shared or back-button cache)
and ``Referrer-Policy: same-origin``: the link never reaches another site in a Referer header.
Not ``no-referrer``: under that policy a browser sends ``Origin: null`` with every form post,
and Django's CSRF check then refuses all of them (the status forms and the language switch).
An unknown, revoked or expired token answers 404 with a way to ask for a new link.

The page shows no personal data: no name, contact details, description or handler, and not
what the citizen wrote (only when and how many files).
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from audit.models import AccessAction
from audit.services import audit_record
from complaints.citizen_forms import (
    InformationForm,
    ReopenForm,
    StatusRequestForm,
    SurveyForm,
    WithdrawForm,
)
from complaints.ladder_forms import FormalHandlingForm
from complaints.models import (
    Attachment,
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    ReopenRequest,
    Rung,
    Stage,
    SurveyResponse,
)
from complaints.ratelimit import limit
from complaints.selectors import ombudsman_named
from complaints.services import CaseError
from complaints.services.citizen import (
    INFORMATION,
    citizen_add_information,
    citizen_reopen_request,
    citizen_survey_answer,
    citizen_withdraw,
    ombudsman_deadline,
    status_link_request,
)
from complaints.services.ladder import complaint_escalate
from complaints.services.status_links import status_link_find
from complaints.uploads import attachment_response

RATE_GROUP = "status-link"

# The five steps in the words of the public home page; the stage a step belongs to.
STEPS = (
    (Stage.INTAKE, gettext_lazy("We receive your complaint.")),
    (Stage.EXPLORE, gettext_lazy("We listen to you.")),
    (Stage.RESOLVE, gettext_lazy("We look for a solution.")),
    (Stage.JUDGE, gettext_lazy("No solution? We give our judgment.")),
    (Stage.CLOSED, gettext_lazy("You hear from us.")),
)
STATE_WORDS = {
    "done": gettext_lazy("Done"),
    "now": gettext_lazy("We are here now"),
    "later": gettext_lazy("Still to come"),
    "skipped": gettext_lazy("Not needed"),
    "finished": gettext_lazy("Finished"),
}
STAGE_WORDS = {
    Stage.INTAKE: gettext_lazy(
        "We have received your complaint. We check who can help you best. A complaint "
        "handler will contact you."
    ),
    Stage.EXPLORE: gettext_lazy(
        "A complaint handler is looking into your complaint. They contact you to understand "
        "what went wrong and what you would like."
    ),
    Stage.RESOLVE: gettext_lazy("We are working on a solution for your problem."),
    Stage.JUDGE: gettext_lazy(
        "We did not find a solution together. We now hear both sides. Then we give our "
        "judgment on your complaint."
    ),
    Stage.CLOSED: gettext_lazy("We have finished handling your complaint."),
}
RUNG1_WORDS = gettext_lazy(
    "An employee is dealing with your dissatisfaction. They contact you if they need to."
)
OUTCOME_WORDS = {
    ClosureReason.RESOLVED: gettext_lazy("We solved the problem to your satisfaction."),
    ClosureReason.JUDGED: gettext_lazy("We sent you our judgment in writing, with our reasons."),
    ClosureReason.NOT_HANDLED: gettext_lazy(
        "We did not handle your complaint. We told you why in writing."
    ),
    ClosureReason.FORWARDED: gettext_lazy(
        "Another organisation is responsible for this. We sent your complaint on to them and "
        "told you in writing."
    ),
    ClosureReason.WITHDRAWN: gettext_lazy("You withdrew your complaint."),
}
# The steps a closed case went through, by closure reason; the others were not needed
# (a case not handled, forwarded or withdrawn stopped early, or the complainant stopped it).
WENT_THROUGH = {
    ClosureReason.RESOLVED: {Stage.INTAKE, Stage.EXPLORE, Stage.RESOLVE},
    ClosureReason.JUDGED: {Stage.INTAKE, Stage.EXPLORE, Stage.RESOLVE, Stage.JUDGE},
}
FILE_KINDS = {
    "application/pdf": "PDF",
    "image/jpeg": "JPG",
    "image/png": "PNG",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
}


def citizen_page(view):
    """Open to everyone, rate-limited per address, and private in transit and in caches."""
    limited = limit(
        RATE_GROUP,
        "STATUS_LINK_RATE",
        methods=("GET", "HEAD", "POST"),
        typed=("text", "reason", "comment"),  # the free text of the forms in citizen_forms
    )(view)

    @login_not_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = limited(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"  # see the module docstring
        add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, ...
        return response

    return wrapper


def _invalid(request: HttpRequest) -> HttpResponse:
    """Unknown, revoked and expired tokens look the same: a 404 that offers a new link."""
    return render(request, "complaints/public/status_invalid.html", status=404)


def _status_url(token: str, anchor: str = "") -> str:
    url = reverse("status", args=[token])
    return f"{url}#{anchor}" if anchor else url


# ---------------------------------------------------------------------------
# The page
# ---------------------------------------------------------------------------
def status_steps(complaint: Complaint) -> list[dict]:
    """The five steps with their state in words (never colour alone); the current one is
    marked for ``aria-current="step"``. A closed case shows which steps it went through."""
    stages = [stage for stage, _label in STEPS]
    here = stages.index(complaint.stage)
    went_through = WENT_THROUGH.get(complaint.closure_reason, {Stage.INTAKE})
    steps = []
    for index, (stage, label) in enumerate(STEPS):
        if complaint.stage != Stage.CLOSED:
            state = "done" if index < here else "now" if index == here else "later"
        elif stage == Stage.CLOSED:
            state = "finished"
        else:
            state = "done" if stage in went_through else "skipped"
        steps.append(
            {
                "number": index + 1,
                "label": label,
                "state": state,
                "words": STATE_WORDS[state],
                "current": index == here,
            }
        )
    return steps


def _sent_by_citizen(complaint: Complaint) -> list[dict]:
    """When the citizen added information, with the files of each time (two queries). Not
    what they wrote: the page shows no personal data, and the file names could hold some."""
    files = {
        attachment.pk: attachment
        for attachment in Attachment.objects.filter(complaint=complaint, added_by_citizen=True)
    }
    events = CaseEvent.objects.filter(
        complaint=complaint, kind=EventKind.CITIZEN, name=INFORMATION
    ).only("at", "data")
    sent = []
    for event in events:
        ids = event.data.get("attachments", []) if isinstance(event.data, dict) else []
        sent.append(
            {
                "at": event.at,
                "files": [
                    {
                        "pk": pk,
                        "kind": FILE_KINDS.get(files[pk].content_type, ""),
                        "size": files[pk].size,
                    }
                    for pk in ids
                    if pk in files
                ],
            }
        )
    return sent


def render_status(
    request: HttpRequest, token: str, complaint: Complaint, status: int = 200, **forms
) -> HttpResponse:
    closed = complaint.stage == Stage.CLOSED
    context = {
        "complaint": complaint,
        "token": token,
        "steps": status_steps(complaint),
        "stage_words": RUNG1_WORDS
        if complaint.rung == Rung.EMPLOYEE and not closed
        else STAGE_WORDS[complaint.stage],
        "outcome_words": OUTCOME_WORDS.get(complaint.closure_reason, ""),
        "sent": _sent_by_citizen(complaint),
        "closed": closed,
    }
    if complaint.rung == Rung.EMPLOYEE:  # dealt with on the spot: formal handling on request
        context["formal_form"] = forms.get("formal_form") or FormalHandlingForm()
    # A message typed into the form of the other state (the case closed, or was reopened,
    # while the citizen wrote) comes back in the form this state shows, with the refusal.
    reopen_typed = _typed(forms.get("reopen_form"), "reason")
    information_typed = _typed(forms.get("information_form"), "text")
    if not closed:
        context["information_form"] = forms.get("information_form") or InformationForm(
            initial={"text": reopen_typed} if reopen_typed else None
        )
    else:
        context["waiting"] = (
            ReopenRequest.objects.filter(complaint=complaint, handled_at__isnull=True)
            .only("created_at")
            .first()
        )
        if context["waiting"] is None:
            context["reopen_form"] = forms.get("reopen_form") or ReopenForm(
                initial={"reason": information_typed} if information_typed else None
            )
        survey = SurveyResponse.objects.filter(complaint=complaint).first()
        context["survey"] = survey
        context["survey_form"] = forms.get("survey_form") or SurveyForm(
            initial=SurveyForm.initial_of(survey)
        )
        context["ombudsman_until"] = ombudsman_deadline(complaint)  # None: not the next rung
        if context["ombudsman_until"] is not None:
            context["ombudsman_name"], context["ombudsman_url"] = ombudsman_named()
    return render(request, "complaints/public/status.html", context, status=status)


def _typed(form, field: str) -> str:
    """What the citizen typed into ``field`` of a posted form (none: "")."""
    return form.data.get(field, "") if form is not None and form.is_bound else ""


@citizen_page
@require_safe
def status(request: HttpRequest, token: str) -> HttpResponse:
    complaint = status_link_find(token)
    if complaint is None:
        return _invalid(request)
    return render_status(request, token, complaint)


# ---------------------------------------------------------------------------
# What the citizen does from it
# ---------------------------------------------------------------------------
def _act(request, token, form, context_name, call, anchor, done):
    """Parse, call, redirect to the page; on an error show the page again with what was typed
    kept (files cannot be kept by a browser: the form says to choose them again)."""
    complaint = status_link_find(token)
    if complaint is None:
        return _invalid(request)
    if not form.is_valid():
        return render_status(request, token, complaint, status=400, **{context_name: form})
    try:
        call(complaint, form.cleaned_data)
    except CaseError as error:
        messages.error(request, str(error.message))
        complaint = status_link_find(token) or complaint
        return render_status(request, token, complaint, status=400, **{context_name: form})
    messages.success(request, done)
    return redirect(_status_url(token, anchor))


@citizen_page
@require_POST
def add_information(request: HttpRequest, token: str) -> HttpResponse:
    return _act(
        request,
        token,
        InformationForm(request.POST, request.FILES),
        "information_form",
        lambda complaint, data: citizen_add_information(
            complaint_id=complaint.pk, text=data["text"], files=data["files"] or []
        ),
        "sent",
        _("Thank you. We added your information to your complaint."),
    )


@citizen_page
@require_POST
def reopen_request(request: HttpRequest, token: str) -> HttpResponse:
    return _act(
        request,
        token,
        ReopenForm(request.POST),
        "reopen_form",
        lambda complaint, data: citizen_reopen_request(
            complaint_id=complaint.pk, reason=data["reason"]
        ),
        "not-solved",
        _("Thank you. A complaint coordinator reads your message and contacts you."),
    )


@citizen_page
@require_POST
def formal_handling(request: HttpRequest, token: str) -> HttpResponse:
    """The citizen asks for formal handling of what was logged at rung 1 (rung 1 -> 2)."""
    return _act(
        request,
        token,
        FormalHandlingForm(request.POST),
        "formal_form",
        lambda complaint, data: complaint_escalate(
            complaint_id=complaint.pk,
            actor=None,
            reason=data["reason"],
            is_written=True,  # asked in writing, on this page
            by_citizen=True,
        ),
        "",
        _("Thank you. Your complaint is now handled formally. A complaint handler contacts you."),
    )


@citizen_page
@require_POST
def survey(request: HttpRequest, token: str) -> HttpResponse:
    return _act(
        request,
        token,
        SurveyForm(request.POST),
        "survey_form",
        lambda complaint, data: citizen_survey_answer(
            complaint_id=complaint.pk,
            rating=data["rating"],
            felt_heard=data["felt_heard"],
            comment=data["comment"],
        ),
        "survey",
        _("Thank you for your answers. They help us to improve."),
    )


def _withdraw_page(request, token, complaint, form, status=200) -> HttpResponse:
    context = {"token": token, "form": form, "complaint": complaint}
    return render(request, "complaints/public/status_withdraw.html", context, status=status)


@citizen_page
def withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST withdraws."""
    complaint = status_link_find(token)
    if complaint is None:
        return _invalid(request)
    if complaint.stage == Stage.CLOSED:
        messages.info(request, _("Your complaint is already closed."))
        return redirect(_status_url(token))
    if request.method != "POST":
        return _withdraw_page(request, token, complaint, WithdrawForm())
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _withdraw_page(request, token, complaint, form, status=400)
    try:
        citizen_withdraw(complaint_id=complaint.pk, reason=form.cleaned_data["reason"])
    except CaseError as error:
        messages.error(request, str(error.message))
        return redirect(_status_url(token))
    messages.success(request, _("Your complaint is withdrawn. We will not handle it any further."))
    return redirect(_status_url(token))


@citizen_page
@require_safe
def attachment(request: HttpRequest, token: str, attachment_id: int) -> HttpResponse:
    """A file the citizen added, back to them as a download (only their own uploads)."""
    complaint = status_link_find(token)
    if complaint is None:
        return _invalid(request)
    found = Attachment.objects.filter(
        complaint=complaint, pk=attachment_id, added_by_citizen=True
    ).first()
    if found is None:
        return render(request, "404.html", status=404)
    # The read audit: the complainant, through their status link (no account, so no user).
    audit_record(
        request=request,
        action=AccessAction.ATTACHMENT_DOWNLOAD,
        reference=complaint.reference,
        detail={"attachment": found.pk, "by": "status_link"},
    )
    return attachment_response(found)


# ---------------------------------------------------------------------------
# A new link
# ---------------------------------------------------------------------------
@citizen_page
def request_link(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the details match a case (see status_link_request)."""
    if request.method == "POST":
        form = StatusRequestForm(request.POST)
        if form.is_valid():
            status_link_request(
                reference=form.cleaned_data["reference"], email=form.cleaned_data["email"]
            )
            return redirect(reverse("status_request") + "?sent=1")
        return render(request, "complaints/public/status_request.html", {"form": form}, status=400)
    if request.GET.get("sent"):
        return render(request, "complaints/public/status_request_sent.html")
    return render(request, "complaints/public/status_request.html", {"form": StatusRequestForm()})
