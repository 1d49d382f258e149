"""The actions of the ombudsman phase (rung 3) on the case page, and the page of one
recommendation for its owner. Each action parses its form, calls one service
(``complaints.services.ombudsman``) and redirects to the panel, or shows the case again with
the user's input and the reason. The panel itself is ``ombudsman_panel``.

Only coordinators (``accounts.liaise_ombudsman``) act on the phase: anyone else who can see
the case gets 403 before their input is even read. The owner of a recommendation records its
follow-up, on the case page or, when they cannot see the case, on the recommendation's page.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from complaints.models import Recommendation
from complaints.ombudsman_forms import (
    FindingForm,
    InformationRequestForm,
    OmbudsmanStartForm,
    OutcomeForm,
    RecommendationForm,
    ResponseForm,
)
from complaints.selectors import complaints_visible_to, recommendation_for
from complaints.services import CaseError, ReplacedMeanwhile
from complaints.services import ombudsman as services
from complaints.services.ombudsman import LIAISE, may_follow_up

from . import case as case_views
from .ombudsman_panel import answer_form, follow_up_form

ANCHOR = "ombudsman"


def _act(request, reference, form, call, done, *, context_name, keep=None, complaint=None):
    """Parse, call, redirect to the panel; on an error show the case with the input kept.
    ``keep`` wraps the form for the context (the per-row forms are keyed by row id);
    ``complaint``, when the view has read the case already."""
    if complaint is None:
        complaint = case_views._case_or_404(request, reference)
    kept = {context_name: keep(form) if keep else form}
    if not form.is_valid():
        return case_views.render_case(request, complaint, status=400, **kept)
    try:
        call(complaint, form.cleaned_data)
    except CaseError as error:
        if isinstance(error, ReplacedMeanwhile):
            _seen_now(form, error)
        return case_views._fail(request, reference, error, **kept)
    messages.success(request, done)
    return redirect(case_views._case_url(complaint, ANCHOR))


def _seen_now(form, error: ReplacedMeanwhile) -> None:
    """The form shown again after a refused save over a colleague's: what the user typed, and
    the colleague's record as seen now, so that saving again replaces it deliberately."""
    form.data = form.data.copy()
    form.data[form.add_prefix("seen")] = error.seen


def _coordinator(request: HttpRequest) -> None:
    if not request.user.has_perm(LIAISE):
        raise PermissionDenied


def _row_or_404(request: HttpRequest, reference: str, rows: str, row_id: int):
    """The case and one row of its ombudsman phase (``rows``: the related name), or 404."""
    complaint = case_views._case_or_404(request, reference)
    phase = getattr(complaint, "ombudsman_case", None)
    row = getattr(phase, rows).filter(pk=row_id).first() if phase else None
    if row is None:
        raise Http404
    return complaint, row


@require_POST
def start(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        OmbudsmanStartForm(request.POST),
        lambda c, data: services.ombudsman_phase_start(
            complaint_id=c.pk,
            actor=request.user,
            ombudsman=data["ombudsman"],
            reference=data["reference"],
            taken_up_on=data["taken_up_on"],
        ),
        _("Recorded: the ombudsman has taken up the complaint. The case is at rung 3."),
        context_name="ombudsman_start_form",
    )


@require_POST
def add_request(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        InformationRequestForm(request.POST),
        lambda c, data: services.information_request_add(
            complaint_id=c.pk,
            actor=request.user,
            question=data["question"],
            received_on=data["received_on"],
            due_on=data["due_on"],
        ),
        _("The information request is recorded. You get reminders before it is due."),
        context_name="information_request_form",
    )


@require_POST
def answer_request(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    _coordinator(request)
    complaint, _row = _row_or_404(request, reference, "information_requests", request_id)
    return _act(
        request,
        reference,
        answer_form(request_id, request.POST),
        lambda c, data: services.information_request_answer(
            request_id=request_id,
            actor=request.user,
            answered_on=data["answered_on"],
            documents_sent=data["documents_sent"],
        ),
        _("The answer is recorded. The reminders for this request stop."),
        context_name="answer_forms",
        keep=lambda form: {request_id: form},
        complaint=complaint,
    )


@require_POST
def outcome(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        OutcomeForm(request.POST),
        lambda c, data: services.ombudsman_outcome_record(
            complaint_id=c.pk,
            actor=request.user,
            outcome=data["outcome"],
            outcome_on=data["outcome_on"],
            summary=data["summary"],
            seen=data["seen"],
        ),
        _("The ombudsman's outcome is recorded."),
        context_name="outcome_form",
    )


@require_POST
def finding(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        FindingForm(request.POST),
        lambda c, data: services.ombudsman_finding_set(
            complaint_id=c.pk,
            actor=request.user,
            norm=data["norm"],
            judgment=data["judgment"],
            note=data["note"],
        ),
        _("The ombudsman's judgment on the norm is recorded."),
        context_name="finding_form",
    )


@require_POST
def add_recommendation(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        RecommendationForm(request.POST),
        lambda c, data: services.recommendation_add(
            complaint_id=c.pk,
            actor=request.user,
            text=data["text"],
            owner=data["owner"],
            due_on=data["due_on"],
        ),
        _("The recommendation is recorded. Its owner sees it on their overview page."),
        context_name="recommendation_form",
    )


@require_POST
def response(request: HttpRequest, reference: str) -> HttpResponse:
    _coordinator(request)
    return _act(
        request,
        reference,
        ResponseForm(request.POST),
        lambda c, data: services.ombudsman_response_record(
            complaint_id=c.pk,
            actor=request.user,
            response=data["response"],
            response_on=data["response_on"],
            seen=data["seen"],
        ),
        _("The organisation's response is recorded."),
        context_name="response_form",
    )


def _follow_up(request, recommendation: Recommendation, data: dict) -> None:
    services.recommendation_update(
        recommendation_id=recommendation.pk,
        actor=request.user,
        status=data["status"],
        follow_up=data["follow_up"],
        seen=data["seen"],
    )


@require_POST
def follow_up(request: HttpRequest, reference: str, recommendation_id: int) -> HttpResponse:
    """The follow-up of a recommendation from the case page (owner or coordinator)."""
    complaint, recommendation = _row_or_404(
        request, reference, "recommendations", recommendation_id
    )
    if not may_follow_up(request.user, recommendation):
        raise PermissionDenied
    return _act(
        request,
        reference,
        follow_up_form(recommendation, request.POST),
        lambda c, data: _follow_up(request, recommendation, data),
        _("The follow-up of the recommendation is saved."),
        context_name="follow_up_forms",
        keep=lambda form: {recommendation_id: form},
        complaint=complaint,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def recommendation(request: HttpRequest, recommendation_id: int) -> HttpResponse:
    """One recommendation, for its owner (who may not see the case) or a coordinator."""
    try:
        found = recommendation_for(request.user, recommendation_id)
    except Recommendation.DoesNotExist as missing:
        raise Http404 from missing
    status = 200
    form = follow_up_form(found, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                _follow_up(request, found, form.cleaned_data)
            except CaseError as error:
                messages.error(request, str(error.message))
                status = 400
                if isinstance(error, ReplacedMeanwhile):
                    _seen_now(form, error)
                    status = 409
                    found.refresh_from_db()  # the page shows the colleague's follow-up
            else:
                messages.success(request, _("The follow-up of the recommendation is saved."))
                return redirect(reverse("complaints:recommendation", args=[found.pk]))
        else:
            status = 400
    complaint = found.ombudsman_case.complaint
    context = {
        "recommendation": found,
        "phase": found.ombudsman_case,
        "complaint": complaint,
        "form": form,
        "today": timezone.localdate(),
        "can_see_case": complaints_visible_to(request.user).filter(pk=complaint.pk).exists(),
    }
    return render(request, "complaints/staff/recommendation.html", context, status=status)
