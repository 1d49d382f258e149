"""The lesson of a case and the improvement actions: parse, call a service, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from complaints.models import Complaint
from complaints.views.staff.unsaved import typed_texts
from reporting.forms import ActionForm, LessonForm
from reporting.models import ImprovementAction
from reporting.selectors import (
    ACTION_SCOPES,
    ActionFilter,
    action_for,
    action_scopes_for,
    actions_for,
    case_for_lesson,
    lesson_of,
    may_handle,
    may_work_on_actions,
    visible_complaint_ids,
)
from reporting.services.learning import (
    LESSON_STAGES,
    ActionChanged,
    LearningError,
    action_complainants_inform,
    action_create,
    action_seen,
    action_update,
    lesson_record,
)

PAGE_SIZE = 50


# ---------------------------------------------------------------------------
# The lesson of a case
# ---------------------------------------------------------------------------
def _case_or_404(request: HttpRequest, reference: str) -> Complaint:
    try:
        return case_for_lesson(request.user, reference)
    except Complaint.DoesNotExist as missing:
        raise Http404 from missing  # another department's case: as if it did not exist


def _lesson_initial(complaint: Complaint) -> dict:
    lesson = lesson_of(complaint)
    if lesson is None:
        themes = list(complaint.themes.all())
        return {"theme": themes[0].pk if len(themes) == 1 else None}
    return {
        "theme": lesson.theme_id,
        "cause": lesson.cause_id,
        "norms": [norm.pk for norm in lesson.norms.all()],
        "text": lesson.text,
    }


def lesson(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    if not may_handle(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = LessonForm(request.POST, complaint=complaint)
        if form.is_valid():
            try:
                lesson_record(complaint_id=complaint.pk, actor=request.user, **form.cleaned_data)
            except LearningError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("The lesson is recorded."))
                return redirect(reverse("complaints:case", args=[reference]) + "#lesson")
        status = 400
    else:
        form = LessonForm(complaint=complaint, initial=_lesson_initial(complaint))
    saved = lesson_of(complaint)
    can_record = complaint.stage in LESSON_STAGES
    context = {
        "complaint": complaint,
        "lesson": saved,
        "form": form,
        "can_record": can_record,
        # The case was reopened while the lesson was written: the form is gone, the text not.
        "unsaved": [] if can_record else typed_texts(form, stored=saved),
    }
    return render(request, "reporting/lesson.html", context, status=status)


# ---------------------------------------------------------------------------
# Improvement actions
# ---------------------------------------------------------------------------
def _require_actions(request: HttpRequest) -> None:
    if not may_work_on_actions(request.user):
        raise PermissionDenied


def _action_or_404(request: HttpRequest, action_id: int) -> ImprovementAction:
    try:
        return action_for(request.user, action_id)
    except ImprovementAction.DoesNotExist as missing:
        raise Http404 from missing


def _parse_filter(request: HttpRequest, scopes: list[str]) -> ActionFilter:
    default = "mine" if request.user.has_perm("accounts.own_improvement_actions") else "all"
    scope = request.GET.get("scope", default)
    state = request.GET.get("state", "open")
    return ActionFilter(
        scope=scope if scope in scopes and scope in ACTION_SCOPES else default,
        open_only=state == "open",
        overdue=state == "overdue",
    )


def actions(request: HttpRequest) -> HttpResponse:
    _require_actions(request)
    today = timezone.localdate()
    scopes = action_scopes_for(request.user)
    filters = _parse_filter(request, scopes)
    found = actions_for(request.user, filters, today=today)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    state = "overdue" if filters.overdue else "open" if filters.open_only else "all"
    context = {"page": page, "filters": filters, "state": state, "scopes": scopes, "today": today}
    return render(request, "reporting/actions/list.html", context)


def action_new(request: HttpRequest) -> HttpResponse:
    _require_actions(request)
    user = request.user
    if request.method == "POST":
        form = ActionForm(request.POST, user=user)
        if form.is_valid():
            return _saved(request, form, None)
        return _form_page(request, form, None, status=400)
    initial = {"department": user.department_id, "references": request.GET.get("complaint", "")}
    if user.has_perm("accounts.own_improvement_actions"):
        initial["owner"] = user.pk
    return _form_page(request, ActionForm(user=user, initial=initial), None)


def action_edit(request: HttpRequest, action_id: int) -> HttpResponse:
    _require_actions(request)
    action = _action_or_404(request, action_id)
    if request.method == "POST":
        form = ActionForm(request.POST, user=request.user, instance=action)
        if form.is_valid():
            return _saved(request, form, action)
        return _form_page(request, form, action, status=400)
    return _form_page(request, ActionForm(user=request.user, instance=action), action)


def _saved(request: HttpRequest, form: ActionForm, action: ImprovementAction | None):
    call = {"actor": request.user, "fields": form.action_fields()}
    complaints = form.cleaned_data["references"]
    try:
        if action is None:
            action = action_create(**call, complaints=complaints)
        else:
            action = action_update(
                action_id=action.pk, **call, complaints=complaints, seen=form.cleaned_data["seen"]
            )
    except ActionChanged as error:
        # What was typed stays in the form, which moves on to the action as saved now (saving
        # again is deliberate); that version is shown above it.
        messages.error(request, str(error.message))
        current = _action_or_404(request, action.pk)
        posted = request.POST.copy()
        posted["seen"] = action_seen(current)
        form = ActionForm(posted, user=request.user, instance=_action_or_404(request, action.pk))
        form.is_valid()
        return _form_page(request, form, current, status=409, current=current)
    except LearningError as error:
        messages.error(request, str(error.message))
        return _form_page(request, form, action, status=400)
    messages.success(request, _("The improvement action is saved."))
    return redirect("reporting:action", action_id=action.pk)


def _form_page(request, form: ActionForm, action, status: int = 200, current=None) -> HttpResponse:
    context = {"form": form, "action": action, "current": current}
    if current is not None:
        context["current_linked"] = sorted(c.reference for c in current.complaints.all())
    return render(request, "reporting/actions/form.html", context, status=status)


def action(request: HttpRequest, action_id: int) -> HttpResponse:
    _require_actions(request)
    found = _action_or_404(request, action_id)
    linked = list(found.complaints.all())
    context = {
        "action": found,
        "linked": linked,
        "openable": visible_complaint_ids(request.user, linked),
        "today": timezone.localdate(),
    }
    return render(request, "reporting/actions/detail.html", context)


@require_POST
def action_inform(request: HttpRequest, action_id: int) -> HttpResponse:
    _require_actions(request)
    found = _action_or_404(request, action_id)
    if request.POST.get("confirm") != "1":
        messages.error(request, _("Tick the box to confirm that the complainants may be told."))
        return redirect("reporting:action", action_id=found.pk)
    informed = action_complainants_inform(action_id=found.pk, actor=request.user)
    if not (informed.written or informed.already or informed.without_email):
        messages.info(request, _("No complaints are linked to this action: nobody to inform."))
    if informed.written:
        messages.success(
            request,
            ngettext(
                "A letter to %(n)d complainant is in the outbox.",
                "Letters to %(n)d complainants are in the outbox.",
                informed.written,
            )
            % {"n": informed.written},
        )
    if informed.already:
        messages.info(
            request,
            ngettext(
                "%(n)d complainant was informed before; they get no second letter.",
                "%(n)d complainants were informed before; they get no second letter.",
                informed.already,
            )
            % {"n": informed.already},
        )
    if informed.without_email:
        messages.warning(
            request,
            ngettext(
                "%(n)d complainant has no e-mail address and got no letter from here.",
                "%(n)d complainants have no e-mail address and got no letter from here.",
                informed.without_email,
            )
            % {"n": informed.without_email},
        )
    return redirect("reporting:action", action_id=found.pk)
