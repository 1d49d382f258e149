"""The case page and the actions on it. Each action parses its form, calls one service,
and redirects to the page (or shows the page again with the user's input and the error)."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.context_processors import PermWrapper
from django.core.exceptions import PermissionDenied
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from audit.models import AccessAction, AccessResult
from audit.services import audit_record
from complaints import services
from complaints.forms import (
    SECTIONS,
    AssignForm,
    AttachmentForm,
    CommitteeForm,
    ContactForm,
    ExtendForm,
    MoveForm,
    NoteForm,
    PartAddForm,
    PartJudgeForm,
    PartyForm,
    PostponeForm,
    section_form_class,
)
from complaints.ladder_forms import EscalateForm
from complaints.models import Complaint, EventKind, ReopenRequest, Rung, Stage
from complaints.moves import moves_for
from complaints.page_cache import (
    PageKey,
    case_page_kept,
    page_keep,
    shared_kept,
    shows_once,
)
from complaints.selectors import (
    SPECIAL_CATEGORY_FIELDS,
    case_row_for,
    complaint_for,
    handlers_for,
    may_see_special,
)
from complaints.services.citizen import (
    REOPEN_REQUEST,
    REOPEN_REQUEST_HANDLED,
    reopen_request_handle,
)
from complaints.services.ladder import complaint_escalate
from complaints.services.postponement import extension_refusal, postponement_refusal
from complaints.uploads import attachment_response

from .letters import letters_context
from .ombudsman_panel import ombudsman_context
from .unsaved import typed_texts


def _case_or_404(request: HttpRequest, reference: str, *, audit: str = "") -> Complaint:
    """The case, or 404. With ``audit`` (an ``AccessAction``), a miss is recorded in the read
    audit as "not found" under the reference asked for."""
    try:
        return complaint_for(request.user, reference)
    except Complaint.DoesNotExist as missing:
        if audit:
            audit_record(
                request=request, action=audit, reference=reference, result=AccessResult.NOT_FOUND
            )
        # Another department's case answers exactly like one that does not exist.
        raise Http404 from missing


def _case_url(complaint: Complaint, anchor: str = "") -> str:
    url = reverse("complaints:case", kwargs={"reference": complaint.reference})
    return f"{url}#{anchor}" if anchor else url


def _hidden_fields(user, complaint: Complaint) -> frozenset[str]:
    """The fields of the case this user may not see (DOMAIN.md section 7)."""
    return frozenset() if may_see_special(user, complaint) else SPECIAL_CATEGORY_FIELDS


def _section_form(complaint: Complaint, section: str, data=None, *, hidden=frozenset()):
    form_class = section_form_class(section, without=hidden)
    initial = {"version": complaint.version}
    if section == "conduct":
        initial["themes"] = list(complaint.themes.all())
    return form_class(data, instance=complaint if data is None else None, initial=initial)


def render_case(
    request: HttpRequest,
    complaint: Complaint,
    status: int = 200,
    keep: PageKey | None = None,
    **forms,
):
    """The case page, with ``forms`` (the user's input, refused) where they go. ``keep``: the
    key to keep the page under (``complaints.page_cache``), for a plain visit."""
    # Who read which case (DOMAIN.md section 7): every page of the case is a read, the page
    # shown again after a refused action too (it could be had by posting without ever opening
    # the page). Once per request (``audit_record``).
    audit_record(request=request, action=AccessAction.CASE_VIEW, reference=complaint.reference)
    user = request.user
    can_act = user.has_perm("accounts.handle_complaint")
    editing = forms.pop("editing", None) or request.GET.get("edit", "")
    hidden = _hidden_fields(user, complaint)
    section_forms = {}
    if can_act and complaint.is_open and editing in SECTIONS:
        section_forms[editing] = forms.pop("section_form", None) or _section_form(
            complaint, editing, hidden=hidden
        )
    # The forms in closed <details> (a contact, a party, a part's judgment, the committee, the
    # postponement, the extension) are drawn only when asked for (?form=<name>: htmx asks as
    # the details opens, components/lazy_form.html) or given back with the user's input.
    asked = request.GET.get("form", "")
    judged = forms.pop("part_forms", {})
    parts = [
        (part, judged.get(part.pk) or _asked_for(asked, f"part-{part.pk}", PartJudgeForm,
                                                 instance=part, prefix=f"part{part.pk}"))
        for part in complaint.parts.all()
    ]  # fmt: skip
    judging = [form for _part, form in parts if form is not None]
    if judging and can_act and complaint.is_open:  # the forms are shown only then (parts.html)
        # Every part's form offers the same norms: read them once, not once per part, and
        # keep them for every case page (their names are in the language of the page).
        field = judging[0].fields["norms"]
        norm_choices = shared_kept(
            f"norms:{translation.get_language()}",
            lambda: [(norm.pk, str(norm)) for norm in field.queryset.all()],
        )
        for form in judging:
            form.fields["norms"].choices = norm_choices
    context = {
        "complaint": complaint,
        "today": timezone.localdate(),
        "can_act": can_act,
        "can_assign": user.has_perm("accounts.assign_complaint"),
        "moves": moves_for(complaint, user),
        "sections": SECTIONS,
        "section_forms": section_forms,
        "hidden_fields": hidden,  # shown by label only (section.html)
        "parts": parts,
        "timeline": list(complaint.events.all()),
        "form_asked": asked,
        "contact_form": (
            forms.pop("contact_form", None) or _asked_for(asked, "contact", ContactForm)
        ),
        "note_form": forms.pop("note_form", None) or NoteForm(),
        "part_add_form": forms.pop("part_add_form", None) or PartAddForm(),
        "party_form": forms.pop("party_form", None) or _asked_for(asked, "party", PartyForm),
        "attachment_form": forms.pop("attachment_form", None) or AttachmentForm(),
        "move_form": forms.pop("move_form", None),
        # What the complainant said on the status page, without a query of its own.
        "survey": getattr(complaint, "survey", None),  # selected with the case
        "can_reopen": user.has_perm("accounts.reopen_complaint"),
    }
    context["reopen_requests"] = open_reopen_requests(context["timeline"])
    context.update(_deadline_context(complaint, can_act, context["today"], forms, asked))
    context.update(_ladder_context(complaint, user, forms))
    context.update(ombudsman_context(request, complaint, context, forms))
    context.update(letters_context(complaint, can_act, forms))
    kept_selects = can_act and complaint.is_open  # the handler and party forms shown then
    if context["can_assign"] or can_act:
        context["assign_form"] = forms.pop("assign_form", None) or AssignForm(
            initial={"handler": complaint.handler_id, "version": complaint.version},
            # Kept below: who may be assigned is asked only when the list is not kept (the
            # query alone took 0.7 ms to build, a fortieth of a page drawn).
            handlers=None if kept_selects else handlers_for(complaint),
        )
    if kept_selects:
        # The same for every case of the department: kept for every case page.
        handler = context["assign_form"].fields["handler"]

        def handler_options() -> list:
            handler.queryset = handlers_for(complaint)
            return user_options(handler)

        handler.choices = shared_kept(f"handlers:{complaint.department_id}", handler_options)
        if context["party_form"] is not None:
            employee = context["party_form"].fields["employee"]
            employee.choices = shared_kept("employees", partial(user_options, employee))
    context["unsaved"] = _unsaved_texts(
        forms, judged, context, editable=can_act and complaint.is_open, complaint=complaint
    )
    # One CSRF token for the body and the shell: a kept page has it replaced (page_cache).
    context["csrf_token"] = csrf_token = get_token(request)
    # Without the request: the context processors (what one visit shows once, as what was
    # typed before a sign-out) are the shell's; the body depends on the user's permissions.
    context["perms"] = PermWrapper(user)
    body = render_to_string("complaints/staff/case/page.html", context)
    case_body = mark_safe(body)  # noqa: S308 -- drawn by our templates
    shell = {"reference": complaint.reference, "case_body": case_body, "csrf_token": csrf_token}
    response = render(request, "complaints/staff/case.html", shell, status=status)
    page_keep(keep, request, response, csrf_token=csrf_token)
    return response


def _asked_for(asked: str, name: str, form_class, **kwargs):
    """A new form of a closed <details>, if the page was asked for it (``?form=<name>``)."""
    return form_class(**kwargs) if asked == name else None


def _unsaved_texts(
    left: dict, judged: dict, context: dict, *, editable: bool, complaint: Complaint
) -> list[tuple]:
    """What the user typed into a form the page no longer shows, as (label, text): the case
    was closed, the step or the postponement became impossible, while they wrote. The form
    goes with its panel; the text is shown above the case, so it is not lost.

    ``left``: the forms passed back that no panel took; ``judged``: the judgments of parts
    (shown only while the case is open); the note of a step, shown only with a step that is
    still possible. A field of the case that holds what was posted already (a section's
    other fields) is not repeated."""
    hidden = [form for form in left.values() if isinstance(form, BaseForm)]
    if not editable:
        hidden += list(judged.values())
    move_form = context.get("move_form")
    if move_form is not None and not any(
        move.available and (move.needs_note or move.closes)
        and move.name == move_form.data.get("name")
        for move in context["moves"]
    ):  # fmt: skip
        hidden.append(move_form)
    return [text for form in hidden for text in typed_texts(form, stored=complaint)]


def _moved_on(form, **now):
    """What the user posted to ``form``, with its stale-page fields (``version``, ``seen``)
    set to what is stored now: shown again after a refusal, the input is kept, and saving it
    again is deliberate."""
    data = form.data.copy()
    for name, value in now.items():
        data[form.add_prefix(name)] = value
    return data


def _version_now(complaint: Complaint) -> int:
    return Complaint.objects.values_list("version", flat=True).get(pk=complaint.pk)


def user_options(field) -> list:
    """The options of a select of users, as Django's model choice field gives them (the same
    HTML: the label is ``str(user)``), read as values in one ordinary query: no ``User`` made
    per option, no server-side cursor (Django's ``ModelChoiceIterator`` reads through one:
    DECLARE, FETCH, CLOSE). The party form's "employee" offers every active user: at 82 users
    that select was about a tenth of the case page's time, and it grows with the staff
    (bench/query-plans.md). The case page keeps the lists (``page_cache.shared_kept``)."""
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    rows = field.queryset.values_list("pk", "full_name", "email")
    return empty + [(pk, User.shown_as(full_name, email)) for pk, full_name, email in rows]


def open_reopen_requests(timeline: list) -> list[dict]:
    """The requests to reopen no coordinator has dealt with yet, read from the timeline the
    page loads anyway (the case page stays within its query ceiling): every request and
    every "dealt with" is an event (``complaints.services.citizen``), with the request's id."""
    citizen = [event for event in timeline if event.kind == EventKind.CITIZEN]
    handled = {e.data.get("reopen_request") for e in citizen if e.name == REOPEN_REQUEST_HANDLED}
    return [
        {"pk": e.data.get("reopen_request"), "created_at": e.at, "reason": e.note}
        for e in citizen
        if e.name == REOPEN_REQUEST and e.data.get("reopen_request") not in handled
    ]


def _deadline_context(
    complaint: Complaint, can_act: bool, today, forms: dict, asked: str = ""
) -> dict:
    """The deadlines panel: each form only while its action is possible (Awb 9:11), drawn
    when asked for (``?form=``) or given back with the user's input."""
    version = {"version": complaint.version}
    can_act = can_act and complaint.is_open
    context = {
        "can_set_committee": can_act,
        "can_postpone": can_act and postponement_refusal(complaint, today=today) is None,
        "can_extend": can_act and extension_refusal(complaint) is None,
    }
    if can_act:
        context["committee_form"] = forms.pop("committee_form", None) or _asked_for(
            asked, "committee", CommitteeForm,
            initial={"advisory_committee": complaint.advisory_committee, **version},
        )  # fmt: skip
    if context["can_postpone"]:
        context["postpone_form"] = forms.pop("postpone_form", None) or _asked_for(
            asked, "postpone", PostponeForm, initial=version
        )
    if context["can_extend"]:
        context["extend_form"] = forms.pop("extend_form", None) or _asked_for(
            asked, "extend", ExtendForm, initial=version
        )
    return context


def _ladder_context(complaint: Complaint, user, forms: dict) -> dict:
    """The hand-over form of a rung-1 case (rung 1 -> 2), for whoever may escalate it."""
    may = user.has_perm("accounts.log_rung1") or user.has_perm("accounts.handle_complaint")
    if complaint.rung != Rung.EMPLOYEE or not may:
        return {}
    return {
        "escalate_form": forms.pop("escalate_form", None)
        or EscalateForm(initial={"version": complaint.version})
    }


def case(request: HttpRequest, reference: str) -> HttpResponse:
    """The case page; kept per user until the case changes (``complaints.page_cache``). A
    visit with a form open (``?edit=``), or with a message to show, is drawn."""
    plain = request.method == "GET" and not request.GET and not shows_once(request)
    row = case_row_for(request.user, reference) if plain else None
    key = None
    if row is not None:
        key, kept = case_page_kept(request, row, today=timezone.localdate())
        if kept is not None:
            audit_record(request=request, action=AccessAction.CASE_VIEW, reference=row["reference"])
            return kept
    complaint = _case_or_404(request, reference, audit=AccessAction.CASE_VIEW)
    return render_case(request, complaint, keep=key)  # records the read


def _fail(request, complaint_ref: str, error: services.CaseError, **forms) -> HttpResponse:
    """Show the latest case again, with the user's input kept and the error said."""
    messages.error(request, str(error.message))
    for reason in error.reasons:
        messages.error(request, reason)
    complaint = _case_or_404(request, complaint_ref)
    return render_case(
        request, complaint, status=409 if isinstance(error, services.StaleAction) else 400, **forms
    )


@require_POST
def move(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This step is unknown. Reload the page and try again."))
        return redirect(_case_url(complaint))
    try:
        services.complaint_transition(
            complaint_id=complaint.pk,
            name=form.cleaned_data["name"],
            actor=request.user,
            expected_stage=form.cleaned_data["expected_stage"],
            note=form.cleaned_data["note"],
        )
    except services.CaseError as error:
        return _fail(request, reference, error, move_form=form)
    complaint.refresh_from_db(fields=["stage"])
    messages.success(
        request,
        _("The case is now in stage: %(stage)s.") % {"stage": Stage(complaint.stage).label},
    )
    return redirect(_case_url(complaint))


@require_POST
def edit_section(request: HttpRequest, reference: str, section: str) -> HttpResponse:
    if section not in SECTIONS:
        raise Http404
    complaint = _case_or_404(request, reference)
    # Fields the user may not see are not in the form: what they post for them is ignored
    # and the stored values stay.
    hidden = _hidden_fields(request.user, complaint)
    form = _section_form(complaint, section, data=request.POST, hidden=hidden)
    if not form.is_valid():
        return render_case(request, complaint, status=400, editing=section, section_form=form)
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("version", "themes")}
    try:
        services.complaint_update(
            complaint_id=complaint.pk,
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            fields=fields,
            themes=list(form.cleaned_data["themes"]) if "themes" in form.cleaned_data else None,
        )
    except services.CaseError as error:
        data = _moved_on(form, version=_version_now(complaint))
        form = _section_form(complaint, section, data=data, hidden=hidden)
        form.is_valid()
        return _fail(request, reference, error, editing=section, section_form=form)
    messages.success(request, _("Saved."))
    return redirect(_case_url(complaint, f"section-{section}"))


@require_POST
def assign(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    form = AssignForm(request.POST, handlers=handlers_for(complaint))
    if not form.is_valid():
        return render_case(request, complaint, status=400, assign_form=form)
    try:
        services.complaint_assign(
            complaint_id=complaint.pk,
            actor=request.user,
            handler=form.cleaned_data["handler"],
            expected_version=form.cleaned_data["version"],
        )
    except services.CaseError as error:
        data = _moved_on(form, version=_version_now(complaint))  # the handler stays chosen
        form = AssignForm(data, handlers=handlers_for(complaint))
        form.is_valid()
        return _fail(request, reference, error, assign_form=form)
    messages.success(request, _("The handler is assigned."))
    return redirect(_case_url(complaint))


@require_POST
def escalate(request: HttpRequest, reference: str) -> HttpResponse:
    """Rung 1 -> 2: the case goes back to intake as a formal complaint of the given date."""
    complaint = _case_or_404(request, reference)
    form = EscalateForm(request.POST)
    if not form.is_valid():
        return render_case(request, complaint, status=400, escalate_form=form)
    data = form.cleaned_data
    try:
        complaint_escalate(
            complaint_id=complaint.pk,
            actor=request.user,
            reason=data["reason"],
            is_written=data["is_written"],
            on=data["on"],
            expected_version=data["version"],
        )
    except services.CaseError as error:
        form = EscalateForm(_moved_on(form, version=_version_now(complaint)))
        form.is_valid()
        return _fail(request, reference, error, escalate_form=form)
    messages.success(
        request,
        _("The case is handed over to a complaint handler: now at rung 2, back in intake."),
    )
    return redirect(_case_url(complaint))


@require_POST
def acknowledge(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    services.complaint_acknowledge(
        complaint_id=complaint.pk, actor=request.user, on=timezone.localdate()
    )
    messages.success(request, _("Receipt is recorded as acknowledged."))
    return redirect(_case_url(complaint, "section-registration"))


def _add(request, reference, form_class, context_name, call, anchor, done):
    complaint = _case_or_404(request, reference)
    form = form_class(request.POST, request.FILES)
    if not form.is_valid():
        return render_case(request, complaint, status=400, **{context_name: form})
    try:
        call(complaint, form)
    except services.CaseError as error:
        return _fail(request, reference, error, **{context_name: form})
    messages.success(request, done)
    return redirect(_case_url(complaint, anchor))


@require_POST
def add_contact(request: HttpRequest, reference: str) -> HttpResponse:
    return _add(
        request,
        reference,
        ContactForm,
        "contact_form",
        lambda c, f: services.contact_add(
            complaint_id=c.pk, actor=request.user, fields=f.cleaned_data
        ),
        "contacts",
        _("The contact is recorded."),
    )


@require_POST
def add_note(request: HttpRequest, reference: str) -> HttpResponse:
    return _add(
        request,
        reference,
        NoteForm,
        "note_form",
        lambda c, f: services.note_add(
            complaint_id=c.pk, actor=request.user, text=f.cleaned_data["text"]
        ),
        "notes",
        _("The note is added."),
    )


@require_POST
def add_part(request: HttpRequest, reference: str) -> HttpResponse:
    return _add(
        request,
        reference,
        PartAddForm,
        "part_add_form",
        lambda c, f: services.part_add(
            complaint_id=c.pk, actor=request.user, description=f.cleaned_data["description"]
        ),
        "parts",
        _("The complaint part is added."),
    )


@require_POST
def add_party(request: HttpRequest, reference: str) -> HttpResponse:
    return _add(
        request,
        reference,
        PartyForm,
        "party_form",
        lambda c, f: services.party_add(
            complaint_id=c.pk, actor=request.user, fields=f.cleaned_data
        ),
        "parties",
        _("The party is added."),
    )


@require_POST
def add_attachment(request: HttpRequest, reference: str) -> HttpResponse:
    return _add(
        request,
        reference,
        AttachmentForm,
        "attachment_form",
        lambda c, f: services.attachment_add(
            complaint_id=c.pk, actor=request.user, file=f.cleaned_data["file"]
        ),
        "attachments",
        _("The attachment is added."),
    )


@require_POST
def judge_part(request: HttpRequest, reference: str, part_id: int) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    part = next((p for p in complaint.parts.all() if p.pk == part_id), None)
    if part is None:
        raise Http404
    form = PartJudgeForm(request.POST, instance=part, prefix=f"part{part.pk}")
    if not form.is_valid():
        return render_case(request, complaint, status=400, part_forms={part.pk: form})
    data = form.cleaned_data
    try:
        services.part_update(
            part_id=part.pk,
            actor=request.user,
            fields={k: data[k] for k in ("description", "judgment", "reasoning")},
            norms=list(data["norms"]),
            seen=data["seen"],
        )
    except services.CaseError as error:
        if isinstance(error, services.StaleAction):
            part.refresh_from_db()
            data = _moved_on(form, seen=part.fingerprint())
            form = PartJudgeForm(data, instance=part, prefix=f"part{part.pk}")
            form.is_valid()
        return _fail(request, reference, error, part_forms={part.pk: form})
    messages.success(request, _("Complaint part %(number)s is saved.") % {"number": part.number})
    return redirect(_case_url(complaint, f"part-{part.number}"))


@require_POST
def remove_party(request: HttpRequest, reference: str, party_id: int) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    if not any(p.pk == party_id for p in complaint.parties.all()):
        raise Http404
    try:
        services.party_remove(party_id=party_id, actor=request.user)
    except services.CaseError as error:  # removed meanwhile: nothing typed to keep
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The party is removed."))
    return redirect(_case_url(complaint, "parties"))


@require_POST
def reopen_request_handled(request: HttpRequest, reference: str, request_id: int) -> HttpResponse:
    complaint = _case_or_404(request, reference)
    if not ReopenRequest.objects.filter(pk=request_id, complaint=complaint).exists():
        raise Http404
    reopen_request_handle(request_id=request_id, actor=request.user)
    messages.success(request, _("The request to reopen is marked as dealt with."))
    return redirect(_case_url(complaint, "citizen"))


def download_attachment(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    download = AccessAction.ATTACHMENT_DOWNLOAD
    complaint = _case_or_404(request, reference, audit=download)
    attachment = next((a for a in complaint.attachments.all() if a.pk == attachment_id), None)

    def record(result: str = AccessResult.ALLOWED) -> None:
        audit_record(
            request=request,
            action=download,
            reference=complaint.reference,
            result=result,
            detail={"attachment": attachment_id},
        )

    if attachment is None or not attachment.file:  # no file: removed after its retention period
        record(AccessResult.NOT_FOUND)
        raise Http404
    if not request.user.has_perm("accounts.handle_complaint"):
        record(AccessResult.DENIED)
        raise PermissionDenied
    record()
    return attachment_response(attachment)


def _deadline_action(request, reference, form_class, context_name, call, done):
    """Parse, call, redirect; on a refusal show the panel again with the input kept (the
    hidden version moves on, so saving again after a stale page is deliberate)."""
    complaint = _case_or_404(request, reference)
    form = form_class(request.POST)
    if not form.is_valid():
        return render_case(request, complaint, status=400, **{context_name: form})
    try:
        call(complaint, form.cleaned_data)
    except services.CaseError as error:
        form = form_class(_moved_on(form, version=_version_now(complaint)))
        form.is_valid()
        return _fail(request, reference, error, **{context_name: form})
    messages.success(request, done)
    return redirect(_case_url(complaint, "deadlines"))


@require_POST
def set_committee(request: HttpRequest, reference: str) -> HttpResponse:
    return _deadline_action(
        request,
        reference,
        CommitteeForm,
        "committee_form",
        lambda c, data: services.complaint_update(
            complaint_id=c.pk,
            actor=request.user,
            expected_version=data["version"],
            fields={"advisory_committee": data["advisory_committee"]},
        ),
        _("Saved. The due dates follow."),
    )


@require_POST
def postpone(request: HttpRequest, reference: str) -> HttpResponse:
    return _deadline_action(
        request,
        reference,
        PostponeForm,
        "postpone_form",
        lambda c, data: services.complaint_postpone(
            complaint_id=c.pk,
            actor=request.user,
            expected_version=data["version"],
            reason=data["reason"],
            weeks=data["weeks"],
        ),
        _("The decision is postponed. The notices are on their way."),
    )


@require_POST
def extend(request: HttpRequest, reference: str) -> HttpResponse:
    return _deadline_action(
        request,
        reference,
        ExtendForm,
        "extend_form",
        lambda c, data: services.complaint_extend(
            complaint_id=c.pk,
            actor=request.user,
            expected_version=data["version"],
            until=data["until"],
            consent_on=data["consent_on"],
            consent_note=data["consent_note"],
        ),
        _("The decision date is extended with the complainant's consent."),
    )
