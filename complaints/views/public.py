"""Pages for citizens: no account, no JavaScript needed.

The complaint form comes in four short steps (about you, what happened, what you would like,
check and send). Every step posts to itself; valid answers go to the session draft and the next
step is a redirect (so reloading never posts twice); "back" keeps what was typed without
checking it. The last step sends the complaint once per one-time key.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.models import Department
from complaints.drafts import Draft
from complaints.models import Complaint, ContactPreference
from complaints.public_forms import AboutYouForm, SendForm, WhatHappenedForm, WishForm
from complaints.ratelimit import limited, over_limit
from complaints.services import CaseError
from complaints.services.public import complaint_submit
from complaints.services.status_links import status_link_url

STEPS = [
    ("about", gettext_lazy("About you"), AboutYouForm),
    ("what", gettext_lazy("What happened"), WhatHappenedForm),
    ("wish", gettext_lazy("What you would like"), WishForm),
    ("send", gettext_lazy("Check and send"), SendForm),
]
SENT_KEY = "complaint_sent"


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "complaints/public/home.html")


def _form(step: int, draft: Draft, data=None, files=None):
    slug, _label, form_class = STEPS[step - 1]
    kwargs = {"kept": draft.files} if form_class is WishForm else {}
    if data is None:
        answers = draft.answers(slug)
        if form_class is SendForm:
            answers = {"key": draft.key}
        # A step seen before shows its answers as they were typed, errors included.
        return form_class(answers, **kwargs) if answers else form_class(**kwargs)
    return form_class(data, files, **kwargs)


def _stored(form_class, answers: dict):
    """A step's form bound to its stored answers (the kept files do not count here)."""
    return form_class(answers, **({"kept": []} if form_class is WishForm else {}))


def _answers(form) -> dict:
    """What was typed, as strings (the session stores JSON)."""
    return {
        name: form.data.getlist(name) if name == "remove" else form.data.get(name, "")
        for name in form.fields
        if name not in ("files", "remove")
    }


def _answered(draft: Draft) -> list:
    """Steps 1 to 3 as forms bound to their stored answers; None for a step not answered."""
    return [
        _stored(form_class, answers) if (answers := draft.answers(slug)) else None
        for slug, _label, form_class in STEPS[:-1]
    ]


def _first_incomplete(draft: Draft, answered: list | None = None) -> int | None:
    """The first step not yet answered validly; None when the complaint can be sent.
    ``answered``: the draft's ``_answered`` forms, when the caller has them already."""
    answered = _answered(draft) if answered is None else answered
    for number, form in enumerate(answered, start=1):
        if form is None or not form.is_valid():
            return number
    return None


def _progress(step: int) -> list[dict]:
    return [
        {"number": n, "label": label, "state": _state(n, step)}
        for n, (_slug, label, _form_class) in enumerate(STEPS, start=1)
    ]


def _state(number: int, step: int) -> str:
    if number < step:
        return "done"
    return "current" if number == step else "todo"


def _summary(draft: Draft) -> list[dict]:
    """The answers of steps 1 to 3 for the check page, with their labels."""
    sections = []
    for number, (slug, label, form_class) in enumerate(STEPS[:-1], start=1):
        form = _stored(form_class, draft.answers(slug))
        form.is_valid()
        rows = []
        for name, field in form.fields.items():
            if name in ("files", "remove"):
                continue
            value = form.cleaned_data.get(name)
            if name == "preferred_contact" and value:
                value = ContactPreference(value).label
            elif isinstance(value, Department):
                value = value.name
            elif name == "conduct_department":
                value = _("I don't know")
            rows.append({"label": field.label, "value": value})
        if form_class is WishForm:
            names = ", ".join(f["name"] for f in draft.files) or _("none")
            rows.append({"label": _("Files"), "value": names})
        sections.append({"number": number, "label": label, "rows": rows})
    return sections


@login_not_required
@never_cache
def complaint_form(request: HttpRequest, step: int = 1) -> HttpResponse:
    if not 1 <= step <= len(STEPS):
        raise Http404
    draft = Draft(request.session)
    if request.method == "POST" and step == len(STEPS):
        return _send(request, draft)  # before the check below: a repeat finds no draft
    incomplete = _first_incomplete(draft)
    if incomplete is not None and step > incomplete:
        if request.method == "POST":
            _keep_after_loss(request, draft, step)
        return redirect("complaint_form", step=incomplete)
    if request.method == "POST":
        form = _form(step, draft, request.POST, request.FILES)
        slug = STEPS[step - 1][0]
        if "back" in request.POST:
            if isinstance(form, WishForm):
                _files_kept_going_back(request, form, draft)
            draft.keep(slug, _answers(form))
            return redirect("complaint_form", step=max(step - 1, 1))
        if form.is_valid():
            if isinstance(form, WishForm):
                _keep_files(form, draft)
                form.data = form.data.copy()
                form.data.setlist("remove", [])
            draft.keep(slug, _answers(form))
            return redirect("complaint_form", step=step + 1)
        draft.keep(slug, _answers(form))
        return _render(request, step, form, draft, status=400)
    form = _form(step, draft)
    if step == len(STEPS):
        draft.save()  # the one-time key must outlive this page
    return _render(request, step, form, draft)


def _files_kept_going_back(request: HttpRequest, form: WishForm, draft: Draft) -> None:
    """ "Back" from the step with files: the files chosen on it are checked and kept, and the
    ones ticked to remove are removed, as on "Next" (a browser cannot keep a chosen file for a
    page it leaves, so they would be lost silently); files that fail the check are not kept,
    and the citizen is told why."""
    form.is_valid()  # the other answers are not checked going back: only the files count
    if form.has_error("files"):
        problems = " ".join(str(error) for error in form.errors["files"])
        messages.warning(
            request,
            _("The files you chose were not kept: %(problems)s Choose them again on that step.")
            % {"problems": problems},
        )
        return
    _keep_files(form, draft)


def _keep_files(form: WishForm, draft: Draft) -> None:
    """The files step's checked answer into the draft: the ticked files out, the chosen in."""
    draft.remove_files(form.cleaned_data.get("remove") or ())
    for clean in form.cleaned_data.get("files") or ():
        draft.add_file(clean)


def _keep_after_loss(request: HttpRequest, draft: Draft, step: int) -> None:
    """A step sent without the steps before it: the session lost them (it expired, or the
    browser dropped its cookie). What was typed on this step is kept for when the citizen
    gets here again, and they are told why they are sent back."""
    form = _form(step, draft, request.POST)
    draft.keep(STEPS[step - 1][0], _answers(form))
    message = _(
        "Your answers to the earlier steps were no longer there (the form was open for a long "
        "time). What you typed on the page you sent is kept: fill in the earlier steps again "
        "and you will find it there."
    )
    if request.FILES:
        files = _("Files you chose on that page must be chosen again.")
        message = f"{message} {files}"
    messages.warning(request, message)


def _render(request, step, form, draft, status=200):
    return render(
        request,
        "complaints/public/form.html",
        {
            "form": form,
            "step": step,
            "steps": _progress(step),
            "total": len(STEPS),
            "step_label": STEPS[step - 1][1],
            "summary": _summary(draft) if step == len(STEPS) else None,
            "kept_files": draft.files,
        },
        status=status,
    )


def _send(request: HttpRequest, draft: Draft) -> HttpResponse:
    form = SendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Something went wrong with the form. Please send it again."))
        return redirect("complaint_form", step=len(STEPS))
    key = form.cleaned_data["key"]
    if form.cleaned_data["website"]:
        # A robot filled the hidden field: answer as if all went well, register nothing.
        draft.discard()
        return render(request, "complaints/public/sent.html", {"complaint": None})
    if str(key) != draft.key:
        # No draft with this key: it was sent before (a double submit, a retry, a second tab:
        # sending discards the draft), or the session lost it. The usual submission, with its
        # draft, asks nothing beforehand (the key is unique: complaint_submit).
        done = Complaint.objects.filter(submission_key=key).only("reference").first()
        if done is not None:  # the complaint is already there
            request.session.setdefault(SENT_KEY, {"reference": done.reference, "token": ""})
            return redirect("complaint_sent")
    answered = _answered(draft)  # validated once: checked here, read below
    incomplete = _first_incomplete(draft, answered)
    if str(key) != draft.key or incomplete is not None:
        messages.error(
            request,
            _(
                "Your answers were no longer there (the page was open for a long time). "
                "Please fill in the form again."
            ),
        )
        return redirect("complaint_form", step=incomplete or 1)
    if over_limit(request, "public-submit", settings.PUBLIC_SUBMIT_RATE):
        return limited(request)  # the answers stay in the session's draft
    fields, persons = {}, ""
    for step_form in answered:
        for name, value in step_form.cleaned_data.items():
            if name == "persons":
                persons = value
            elif name not in ("files", "remove"):
                fields[name] = value
    fields["language"] = "en" if get_language().startswith("en") else "nl"
    try:
        submitted = complaint_submit(
            key=uuid.UUID(draft.key), fields=fields, persons=persons, files=draft.clean_files()
        )
    except CaseError as error:
        messages.error(request, str(error))
        return redirect("complaint_form", step=len(STEPS))
    draft.discard()
    request.session[SENT_KEY] = {
        "reference": submitted.complaint.reference,
        "token": submitted.token,
    }
    return redirect("complaint_sent")


@login_not_required
@never_cache
def complaint_sent(request: HttpRequest) -> HttpResponse:
    sent = request.session.get(SENT_KEY)
    if not sent:
        return redirect("complaint_form", step=1)
    complaint = (
        Complaint.objects.filter(reference=sent["reference"])
        .only("reference", "decision_due", "complainant_email", "received_on")
        .first()
    )
    if complaint is None:
        raise Http404
    status_url = status_link_url(sent["token"]) if sent.get("token") else ""
    response = render(
        request,
        "complaints/public/sent.html",
        {"complaint": complaint, "status_url": status_url},
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_not_required
def complaint_start(request: HttpRequest) -> HttpResponse:
    return redirect(reverse("complaint_form", args=[1]))
