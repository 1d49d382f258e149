"""Letters on the case: the panel on the case page, the letter page (write, preview, send),
marking a letter posted, and the PDF. Every view fetches the case through the scoped
selector (another department's case answers 404) and needs the handler permission; the
services do every write."""

from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AccessAction, AccessResult
from audit.services import audit_record
from complaints.letter_forms import LetterForm, NewLetterForm, SendForm, seen_of
from complaints.letters.kinds import SPECS, spec_of
from complaints.letters.pdf import letter_pdf, logo_data_uri
from complaints.letters.readability import AIMS
from complaints.models import Complaint, Letter, LetterStatus
from complaints.models.guards import letters_of
from complaints.selectors import complaints_visible_to
from complaints.services import CaseError, StaleAction
from complaints.services.letters import (
    letter_discard,
    letter_document,
    letter_draft,
    letter_mark_posted,
    letter_readability,
    letter_refusals,
    letter_send,
    letter_update,
    recipients_of,
)
from complaints.services.outbox import letter_filename
from complaints.uploads import as_download

from .unsaved import typed_texts

HANDLE = "accounts.handle_complaint"


def letters_context(complaint: Complaint, can_act: bool, forms: dict) -> dict:
    """The case page's letters panel: the letters (read with the timeline, see
    ``guards.letters_of``) and the form for a new one. No query of its own."""
    shown = [letter for letter in letters_of(complaint) if letter.status != LetterStatus.DISCARDED]
    context = {"letters": sorted(shown, key=lambda letter: letter.pk)}
    if can_act:
        context["letter_form"] = forms.pop("letter_form", None) or NewLetterForm(
            recipients=recipients_of(complaint)
        )
        context["letter_kinds_help"] = [(spec.kind.label, spec.help) for spec in SPECS.values()]
    return context


def _case(request: HttpRequest, reference: str) -> Complaint:
    if not request.user.has_perm(HANDLE):
        raise PermissionDenied
    try:
        return (
            complaints_visible_to(request.user)
            .select_related("handler", "department")
            .prefetch_related("parties__employee")
            .get(reference=reference)
        )
    except Complaint.DoesNotExist as missing:
        raise Http404 from missing


def _letter(complaint: Complaint, letter_id: int) -> Letter:
    try:
        letter = Letter.objects.get(pk=letter_id, complaint=complaint)
    except Letter.DoesNotExist as missing:
        raise Http404 from missing
    letter.complaint = complaint
    return letter


def _letter_url(letter: Letter) -> str:
    return reverse("complaints:letter", args=[letter.complaint.reference, letter.pk])


@require_POST
def new(request: HttpRequest, reference: str) -> HttpResponse:
    complaint = _case(request, reference)
    form = NewLetterForm(request.POST, recipients=recipients_of(complaint))
    case_url = reverse("complaints:case", args=[complaint.reference]) + "#letters"
    if not form.is_valid():
        messages.error(request, _("Choose a kind of letter and who it is for."))
        return redirect(case_url)
    try:
        letter = letter_draft(
            complaint_id=complaint.pk,
            actor=request.user,
            kind=form.cleaned_data["kind"],
            recipient=form.cleaned_data["recipient"],
        )
    except CaseError as error:
        messages.error(request, str(error.message))
        return redirect(case_url)
    messages.success(request, _("The draft is ready. Check it, complete it and send it."))
    return redirect(_letter_url(letter))


def _page(request, complaint, letter, *, form=None, send_form=None, status=200, unsaved=()):
    # The letter shows the addressee and the letter's text: a read of the case (DOMAIN.md
    # section 7), as its PDF is.
    audit_record(
        request=request,
        action=AccessAction.LETTER_VIEW,
        reference=complaint.reference,
        detail={"letter": letter.pk},
    )
    document = letter_document(letter)
    context = {
        "complaint": complaint,
        "letter": letter,
        "spec": spec_of(letter.kind),
        "document": document,
        "logo": logo_data_uri(),
        "form": form,
        "send_form": send_form,
        "unsaved": unsaved,
    }
    if letter.is_draft:
        context["form"] = form or LetterForm(letter=letter)
        context["send_form"] = send_form or SendForm()
        context["refusals"] = letter_refusals(letter)
    aid = letter_readability(letter)
    if aid is not None:
        context["readability"] = aid
        context["aims"] = AIMS
    return render(request, "complaints/staff/letter.html", context, status=status)


def letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    """GET: the letter (a draft with its edit form and preview). POST on a draft: save the
    edits, and with ``action=send`` send it; a refusal keeps every edit and names what is
    missing."""
    complaint = _case(request, reference)
    letter = _letter(complaint, letter_id)
    if request.method != "POST":
        return _page(request, complaint, letter)
    if not letter.is_draft:
        if letter.status == LetterStatus.DISCARDED:
            messages.error(request, _("This draft was deleted; it cannot be changed."))
        else:
            messages.error(request, _("This letter was sent; it cannot be changed."))
        # Sent or deleted by a colleague while this user wrote: their text is shown to copy.
        form = LetterForm(request.POST, letter=letter)
        unsaved = typed_texts(form, stored=SimpleNamespace(**form.initial))  # as it is stored
        if unsaved:
            return _page(request, complaint, letter, status=409, unsaved=unsaved)
        return redirect(_letter_url(letter))
    form = LetterForm(request.POST, letter=letter)
    send_form = SendForm(request.POST)
    if not form.is_valid() or not send_form.is_valid():
        return _page(request, complaint, letter, form=form, send_form=send_form, status=400)
    data = form.cleaned_data
    try:
        letter = letter_update(
            letter_id=letter.pk,
            actor=request.user,
            subject=data["subject"],
            sections=form.section_texts(),
            recipient_name=data["recipient_name"],
            recipient_email=data["recipient_email"],
            recipient_address=data["recipient_address"],
            seen=data["seen"],
        )
        letter.complaint = complaint
        if request.POST.get("action") != "send":
            messages.success(request, _("Saved. The preview shows the letter as it is now."))
            return redirect(_letter_url(letter) + "#preview")
        letter = letter_send(
            letter_id=letter.pk, actor=request.user, by_post=send_form.cleaned_data["by_post"]
        )
    except CaseError as error:
        messages.error(request, str(error.message))
        for reason in error.reasons:
            messages.error(request, reason)
        # The page again with what the user typed (saved already, unless the save failed).
        letter = _letter(complaint, letter_id)
        # The form's "seen" moves on to the draft as it is now: saved with this text (sending
        # refused), unchanged (the save refused), or a colleague's (stale: saving again is
        # deliberate).
        posted = request.POST.copy()
        posted["seen"] = seen_of(letter)
        form = LetterForm(posted, letter=letter)
        form.is_valid()
        status = 409 if isinstance(error, StaleAction) else 400
        return _page(request, complaint, letter, form=form, send_form=send_form, status=status)
    if letter.status == LetterStatus.TO_POST:
        messages.success(
            request,
            _("The letter is ready to post. Print the PDF, post it, and mark it as posted."),
        )
    else:
        messages.success(request, _("The letter is sent by e-mail, with the PDF attached."))
    return redirect(_letter_url(letter))


@require_POST
def posted(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = _case(request, reference)
    letter = _letter(complaint, letter_id)
    try:
        letter_mark_posted(letter_id=letter.pk, actor=request.user)
    except CaseError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The letter is marked as posted."))
    return redirect(_letter_url(letter))


@require_POST
def discard(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = _case(request, reference)
    letter = _letter(complaint, letter_id)
    try:
        letter_discard(letter_id=letter.pk, actor=request.user)
    except CaseError as error:
        messages.error(request, str(error.message))
        return redirect(_letter_url(letter))
    messages.success(request, _("The draft is deleted."))
    return redirect(reverse("complaints:case", args=[complaint.reference]) + "#letters")


def pdf(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    """The PDF as a download: the stored one of a sent letter (what its hash covers), or a
    preview of a draft, marked as a draft. Never inline, never sniffed, never cached."""
    complaint = _case(request, reference)
    letter = _letter(complaint, letter_id)
    if not letter.is_draft and not letter.pdf:  # removed after the case's retention period
        audit_record(
            request=request,
            action=AccessAction.LETTER_DOWNLOAD,
            reference=complaint.reference,
            result=AccessResult.NOT_FOUND,
            detail={"letter": letter.pk},
        )
        raise Http404
    if letter.is_draft:
        content = letter_pdf(letter_document(letter))
        name = f"{complaint.reference}-{letter.kind}-draft.pdf"
    else:
        with letter.pdf.open("rb") as stored:
            content = stored.read()
        name = letter_filename(complaint.reference, letter.kind)
    audit_record(
        request=request,
        action=AccessAction.LETTER_DOWNLOAD,
        reference=complaint.reference,
        detail={"letter": letter.pk, "draft": letter.is_draft},
    )
    return as_download(HttpResponse(content, content_type="application/pdf"), filename=name)


__all__ = ["discard", "letter", "letters_context", "new", "pdf", "posted"]
