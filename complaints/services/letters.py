"""Letters on a case: draft from a template, edit, send (by e-mail or for post), mark posted.

A draft is the concrete letter: the template's sections with the case's data filled in
(``letter_draft``). The handler edits that text (``letter_update``); it is not filled in
again, so what the preview shows is what goes out. ``letter_send`` is the builder's last
step: it refuses a letter whose mandatory sections (``complaints.letters.kinds``) are empty,
naming each one; otherwise, in one transaction, it fixes the text, makes the PDF, stores the
content hash, writes the mail with the PDF attached to the outbox (or leaves the letter ready
to post) and records a LETTER event on the timeline. A letter for post counts as sent when
someone marks it posted (``letter_mark_posted``).

Sent means handed to the outbox (which sends it at least once, see ``outbox_send``) or posted:
the guards of the closing moves (``complaints.models.guards``) read that.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from complaints.letters import placeholders
from complaints.letters.kinds import BODY, CLOSING, OPENING, SECTION_NAMES, spec_of
from complaints.letters.pdf import letter_pdf
from complaints.letters.readability import Readability, readability
from complaints.letters.vocabulary import words
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    Judgment,
    Letter,
    LetterKind,
    LetterStatus,
    LetterTemplate,
    Ombudsman,
    Party,
    RecipientRole,
    SendBy,
)
from ladder import deadlines, selectors

from .errors import CaseError, StaleAction
from .outbox import letter_filename, outbox_enqueue
from .records import _lock
from .status_links import status_link_issue, status_link_url

COMPLAINANT = "complainant"
PARTY = "party:"


def _party_email(party: Party) -> str:
    if party.employee_id and party.employee.email:
        return party.employee.email
    return party.email


# ---------------------------------------------------------------------------
# Recipients
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Recipient:
    key: str  # "complainant", "party:<pk>" or "body"
    role: str
    name: str
    email: str = ""
    address: str = ""
    party_pk: int | None = None
    label: str = ""


def recipients_of(complaint: Complaint) -> list[Recipient]:
    """Who a letter on this case can go to: the complainant, each party, the competent body.
    Reads the parties through ``.all()`` (prefetched on the case page)."""
    return [
        recipient_complainant(complaint),
        *(recipient_of_party(party) for party in complaint.parties.all()),
        Recipient(
            key=BODY,
            role=RecipientRole.BODY,
            name=complaint.forwarded_to,
            label=_("The competent body: %(name)s")
            % {"name": complaint.forwarded_to or _("fill in after drafting")},
        ),
    ]


def recipient_complainant(complaint: Complaint) -> Recipient:
    return Recipient(
        key=COMPLAINANT,
        role=RecipientRole.COMPLAINANT,
        name=complaint.complainant_name,
        email=complaint.complainant_email,
        address=complaint.complainant_address,
        label=_("The complainant: %(name)s") % {"name": complaint.complainant_name},
    )


def recipient_of_party(party: Party) -> Recipient:
    return Recipient(
        key=f"{PARTY}{party.pk}",
        role=RecipientRole.PARTY,
        name=party.name,
        email=_party_email(party),
        address=party.address,
        party_pk=party.pk,
        label=f"{party.get_role_display()}: {party.name}",
    )


# ---------------------------------------------------------------------------
# The values of the placeholders
# ---------------------------------------------------------------------------
def default_ombudsman() -> tuple[str, str, str]:
    """Name, postal address and website of the ombudsman letters name (Awb 9:12): the one
    the functional admin marks as default, else the settings."""
    named = Ombudsman.objects.filter(is_default=True, is_active=True).order_by("name").first()
    if named is None:
        return settings.OMBUDSMAN_NAME, "", settings.OMBUDSMAN_URL
    return named.name, named.postal_address, named.website or settings.OMBUDSMAN_URL


def _parts_judgment(parts, vocabulary: dict) -> tuple[str, str]:
    """Every judged part with its judgment, reasoning and norms; and the overall judgment
    (all well-founded, partly, or unfounded; parts without a judgment do not count)."""
    blocks, judged = [], []
    for part in parts:
        if part.judgment not in Judgment.values:
            continue
        judged.append(part.judgment)
        lines = [
            f"{vocabulary['part']} {part.number}: {part.description.strip()}",
            f"{vocabulary['judgment']}: {vocabulary['judgments'][part.judgment]}.",
        ]
        if part.reasoning.strip():
            lines.append(f"{vocabulary['reasoning']}: {part.reasoning.strip()}")
        norms = "; ".join(str(norm) for norm in part.norms.all())
        if norms:
            lines.append(f"{vocabulary['norms']}: {norms}.")
        blocks.append("\n".join(lines))
    counted = [j for j in judged if j != Judgment.NO_JUDGMENT]
    if not counted:
        overall = vocabulary["overall"]["none"] if judged else ""
    elif all(j == Judgment.WELL_FOUNDED for j in counted):
        overall = vocabulary["overall"]["well_founded"]
    elif Judgment.WELL_FOUNDED in counted:
        overall = vocabulary["overall"]["partly"]
    else:
        overall = vocabulary["overall"]["unfounded"]
    return "\n\n".join(blocks), overall


def letter_values(complaint: Complaint, *, recipient_name: str, today: date) -> dict[str, str]:
    """Every placeholder's value for a letter on ``complaint``, as plain text in the
    complainant's language. A value the case does not have is empty."""
    language = complaint.language
    vocabulary = words(language)
    with translation.override(language):

        def day(value) -> str:
            return date_format(value, "j F Y") if value else ""

        parts = list(complaint.parts.prefetch_related("norms"))
        judgment, overall = _parts_judgment(parts, vocabulary)
        ombudsman, ombudsman_address, ombudsman_website = default_ombudsman()
        planned = ""
        if complaint.hearing_planned_at:
            moment = timezone.localtime(complaint.hearing_planned_at)
            planned = f"{day(moment.date())}, {moment:%H:%M} {vocabulary['hour']}".strip()
        previous = ""
        if complaint.postponed_on and complaint.received_on:
            previous = day(
                deadlines.decision_due(
                    complaint.received_on,
                    committee=complaint.advisory_committee,
                    equal_days=selectors.equal_days(),
                )
            )
        missing = [
            f"- {text}"
            for field, text in vocabulary["missing"].items()
            if not getattr(complaint, field)
        ]
        return {
            "reference": complaint.reference,
            "recipient_name": recipient_name,
            "complainant_name": complaint.complainant_name,
            "received_on": day(complaint.received_on),
            "decision_due": day(complaint.decision_due),
            "previous_decision_due": previous,
            "today": day(today),
            "organisation": settings.ORGANISATION_NAME,
            "organisation_address": settings.ORGANISATION_ADDRESS,
            "organisation_phone": settings.ORGANISATION_PHONE,
            "organisation_email": settings.ORGANISATION_EMAIL,
            "handler_name": complaint.handler.full_name if complaint.handler_id else "",
            "signatory_name": settings.ORGANISATION_SIGNATORY_NAME,
            "signatory_title": settings.ORGANISATION_SIGNATORY_TITLE,
            "conduct_description": complaint.conduct_description.strip(),
            "conduct_date": day(complaint.conduct_date),
            "desired_outcome": complaint.desired_outcome.strip(),
            "underlying_problem": complaint.underlying_problem.strip(),
            "solution": complaint.solution.strip(),
            "missing_items": "\n".join(missing),
            "forwarded_to": complaint.forwarded_to.strip(),
            "not_handled_ground": vocabulary["grounds"].get(complaint.not_handled_ground, ""),
            "hearing_planned_at": planned,
            "hearing_held_on": day(complaint.hearing_held_on),
            "hearing_parties": complaint.hearing_parties.strip(),
            "hearing_report": complaint.hearing_report.strip(),
            "postponement_reason": complaint.postponement_reason.strip(),
            "postponement_weeks": str(complaint.postponement_weeks or ""),
            "complaint_parts": "\n".join(f"{p.number}. {p.description.strip()}" for p in parts),
            "parts_judgment": judgment,
            "overall_judgment": overall,
            "attachments": "\n".join(f"- {a.original_name}" for a in complaint.attachments.all()),
            "ombudsman": ombudsman,
            "ombudsman_address": ombudsman_address,
            "ombudsman_website": ombudsman_website,
            "ombudsman_term_until": day(deadlines.ombudsman_term_end(today)),
            "status_request_url": settings.SITE_URL.rstrip("/") + reverse("status_request"),
        }


def _redate(letter: Letter, sent_on: date) -> None:
    """The letter is dated the day it is sent, and so is the last day to go to the ombudsman
    that the draft wrote from its own day (Awb 9:24: one year after the letter; a draft of
    2 March sent on 12 March must say 12 March next year, not 2 March). Where the handler
    changed that date by hand, it is theirs and stays."""
    drafted_on = letter.letter_date
    letter.letter_date = sent_on
    if not drafted_on or drafted_on == sent_on:
        return
    with translation.override(letter.language):
        old = date_format(deadlines.ombudsman_term_end(drafted_on), "j F Y")
        new = date_format(deadlines.ombudsman_term_end(sent_on), "j F Y")
    whole = re.compile(rf"(?<!\d){re.escape(old)}")  # not "2 maart" inside "12 maart"
    letter.sections = [
        {**section, "text": whole.sub(new, section["text"])} for section in letter.sections
    ]


# ---------------------------------------------------------------------------
# The document (preview, PDF, text)
# ---------------------------------------------------------------------------
def section_name(section: dict) -> str:
    return section.get("heading") or str(SECTION_NAMES.get(section["key"], section["key"]))


def letter_document(letter: Letter, *, draft: bool | None = None) -> dict:
    """What the preview and the PDF show: letterhead, addressee, date, subject, the sections
    with text (and, on a draft, the mandatory ones that are still empty)."""
    language = letter.language
    draft = letter.is_draft if draft is None else draft
    mandatory = {s.key for s in spec_of(letter.kind).mandatory}
    day = letter.letter_date or timezone.localdate()
    sections = []
    for section in letter.sections:
        empty = not section.get("text", "").strip()
        if empty and not (draft and section["key"] in mandatory):
            continue
        sections.append({**section, "empty": empty})
    with translation.override(language):
        dated = date_format(day, "j F Y")
    return {
        "language": language,
        "words": words(language),
        "draft": draft,
        "organisation": {
            "name": settings.ORGANISATION_NAME,
            "address_lines": _lines(settings.ORGANISATION_ADDRESS, split_commas=True),
            "phone": settings.ORGANISATION_PHONE,
            "email": settings.ORGANISATION_EMAIL,
        },
        "recipient": {
            "name": letter.recipient_name,
            "address_lines": _lines(letter.recipient_address),
        },
        "reference": letter.complaint.reference,
        "date": dated,
        "subject": letter.subject,
        "sections": sections,
    }


def _lines(text: str, *, split_commas: bool = False) -> list[str]:
    text = text or ""
    if split_commas and "\n" not in text:
        text = text.replace(", ", "\n")
    return [line.strip() for line in text.splitlines() if line.strip()]


def letter_readability(letter: Letter) -> Readability | None:
    """The plain-language aid for a kind that has one: over every section but the opening
    and closing (the template's fixed words); None for other kinds."""
    if not spec_of(letter.kind).readability:
        return None
    fixed = (OPENING.key, CLOSING.key)
    return readability("\n".join(s["text"] for s in letter.sections if s["key"] not in fixed))


def letter_text(document: dict) -> str:
    """The letter as plain text: the e-mail body, and with the PDF what the hash covers."""
    vocabulary = document["words"]
    lines = [
        document["organisation"]["name"],
        "",
        f"{vocabulary['date']}: {document['date']}",
        f"{vocabulary['our_reference']}: {document['reference']}",
        "",
        document["subject"],
    ]
    for section in document["sections"]:
        lines.append("")
        if section.get("heading"):
            lines.append(section["heading"])
        lines.append(section["text"].strip())
    return "\n".join(lines).strip() + "\n"


# ---------------------------------------------------------------------------
# Drafting and editing
# ---------------------------------------------------------------------------
def _lock_letter(letter_id: int, actor: User) -> tuple[Complaint, Letter]:
    complaint_id = Letter.objects.values_list("complaint_id", flat=True).get(pk=letter_id)
    complaint = _lock(complaint_id, actor)
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    letter.complaint = complaint
    return complaint, letter


def _recipient(complaint: Complaint, key: str) -> Recipient:
    for recipient in recipients_of(complaint):
        if recipient.key == key:
            return recipient
    raise CaseError(_("Choose who the letter is for."))


def draft_sections(
    complaint: Complaint, kind: str, values: dict[str, str]
) -> tuple[str, list[dict]]:
    """The template of ``kind`` in the complainant's language, filled in: subject and
    sections in the order the kind defines. A section that needs a value the case lacks
    starts empty (kinds.Section.needs)."""
    template = (
        LetterTemplate.objects.filter(kind=kind, language=complaint.language)
        .prefetch_related("sections")
        .first()
    )
    if template is None:
        raise CaseError(
            _(
                "There is no letter template for this kind in the complainant's language. Ask "
                "the functional administrator to add it."
            )
        )
    texts = {section.key: section for section in template.sections.all()}
    sections = []
    for spec in spec_of(kind).sections:
        stored = texts.get(spec.key)
        heading = placeholders.render(stored.heading, values) if stored else ""
        text = placeholders.render(stored.text, values) if stored else ""
        if any(not values.get(name) for name in spec.needs):
            text = ""
        sections.append({"key": spec.key, "heading": heading, "text": text.strip()})
    return placeholders.render(template.subject, values), sections


def _new_letter(complaint: Complaint, *, kind: str, recipient: Recipient, actor) -> Letter:
    today = timezone.localdate()
    values = letter_values(complaint, recipient_name=recipient.name, today=today)
    subject, sections = draft_sections(complaint, kind, values)
    letter = Letter(
        complaint=complaint,
        kind=kind,
        language=complaint.language,
        recipient_role=recipient.role,
        party_pk=recipient.party_pk,
        recipient_name=recipient.name,
        recipient_email=recipient.email,
        recipient_address=recipient.address,
        subject=subject[:250],
        sections=sections,
        letter_date=today,
        created_by=actor,
    )
    letter.save()
    return letter


@transaction.atomic
def letter_draft(*, complaint_id: int, actor: User, kind: str, recipient: str) -> Letter:
    """A new draft of ``kind`` to ``recipient`` ("complainant", "party:<pk>", "body"),
    filled in from the template and the case."""
    if kind not in LetterKind.values:
        raise CaseError(_("Choose a kind of letter."))
    complaint = _lock(complaint_id, actor)
    letter = _new_letter(
        complaint, kind=kind, recipient=_recipient(complaint, recipient), actor=actor
    )
    _record(letter, actor=actor, name=DRAFTED)
    return letter


MAX_SECTION = 20_000


@transaction.atomic
def letter_update(
    *,
    letter_id: int,
    actor: User,
    subject: str,
    sections: dict[str, str],
    recipient_name: str,
    recipient_email: str,
    recipient_address: str,
    seen: str = "",
) -> Letter:
    """The handler's edits of a draft: subject, addressee and the text of each section
    (keys of the kind; others are ignored). What they write is the letter's text as it is.
    ``seen``: the draft's last change as the user saw it (``letter_forms.seen_of``); changed
    since (a colleague saved it): ``StaleAction``, and nothing is saved."""
    _complaint, letter = _lock_letter(letter_id, actor)
    if letter.status == LetterStatus.DISCARDED:
        raise CaseError(_("This draft was deleted; it cannot be changed."))
    if not letter.is_draft:
        raise CaseError(_("This letter was sent; it cannot be changed."))
    if seen and letter.updated_at and seen != letter.updated_at.isoformat():
        raise StaleAction(
            _(
                "Someone else saved this letter while you were writing. Your text is in the "
                "form; the preview shows theirs. Check both and save again."
            )
        )
    subject = " ".join(subject.split())
    if not subject:
        raise CaseError(_("Give the letter a subject."))
    recipient_name = recipient_name.strip()
    if not recipient_name:
        raise CaseError(_("Fill in the name of the addressee."))
    edited = []
    for section in letter.sections:
        text = sections.get(section["key"], section["text"])
        if len(text) > MAX_SECTION:
            raise CaseError(_("A section can hold at most 20,000 characters."))
        edited.append({**section, "text": text.replace("\r\n", "\n").strip()})
    letter.subject = subject[:250]
    letter.sections = edited
    letter.recipient_name = recipient_name[:200]
    letter.recipient_email = recipient_email.strip()
    letter.recipient_address = recipient_address.strip()
    letter.save()
    return letter


@transaction.atomic
def letter_discard(*, letter_id: int, actor: User) -> None:
    _complaint, letter = _lock_letter(letter_id, actor)
    if not letter.is_draft:
        raise CaseError(_("This letter was sent; it is kept with the case."))
    letter.status = LetterStatus.DISCARDED
    letter.save(update_fields=["status", "updated_at"])
    _record(letter, actor=actor, name=DISCARDED)


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------
def letter_refusals(letter: Letter, *, require_address: bool = True) -> list[str]:
    """Why ``letter`` cannot be sent yet: each empty mandatory section by name, and a
    missing address. Empty when it can."""
    mandatory = {section.key for section in spec_of(letter.kind).mandatory}
    reasons = [
        _("The section “%(name)s” is empty. Write it before you send the letter.")
        % {"name": section_name(section)}
        for section in letter.sections
        if section["key"] in mandatory and not section.get("text", "").strip()
    ]
    present = {section["key"] for section in letter.sections}
    reasons += [
        _("The section “%(name)s” is missing. Draft the letter again.")
        % {"name": SECTION_NAMES.get(key, key)}
        for key in sorted(mandatory - present)
    ]
    if require_address and not letter.recipient_email and not letter.recipient_address.strip():
        reasons.append(_("Fill in an e-mail address or a postal address for the addressee."))
    return reasons


def _finalise(
    letter: Letter,
    *,
    actor: User | None,
    key: str = "",
    send_by: str = "",
    require_address: bool = True,
) -> Letter:
    """Fix the letter: text, PDF, hash; then out by e-mail (outbox) or ready to post."""
    reasons = letter_refusals(letter, require_address=require_address)
    if reasons:
        raise CaseError(_("The letter cannot be sent yet."), reasons=reasons)
    complaint = letter.complaint
    now = timezone.now()
    _redate(letter, timezone.localdate(now))
    document = letter_document(letter, draft=False)
    body = letter_text(document)
    pdf = letter_pdf(document)
    letter.body_text = body
    letter.content_hash = Letter.hash_of(body, pdf)
    letter.pdf.save(letter_filename(complaint.reference, letter.kind), ContentFile(pdf), save=False)
    letter.send_by = send_by or (SendBy.EMAIL if letter.recipient_email else SendBy.POST)
    if letter.send_by == SendBy.EMAIL and not letter.recipient_email:
        raise CaseError(_("There is no e-mail address; send this letter by post."))
    letter.finalised_at = now
    letter.finalised_by = actor
    if letter.send_by == SendBy.EMAIL:
        letter.status = LetterStatus.SENT
        letter.sent_at = now
        letter.sent_by = actor
    else:
        letter.status = LetterStatus.TO_POST
    letter.save()
    if letter.send_by == SendBy.EMAIL:
        _enqueue(letter, key=key or f"letter:{letter.pk}")
    _record(letter, actor=actor, name=letter.status)
    return letter


# The names of the LETTER events (the other two are the statuses "sent" and "to_post").
DRAFTED = "drafted"
POSTED = "posted"
DISCARDED = "discarded"

NOTES = {
    DRAFTED: _lazy("%(kind)s to %(name)s: draft started."),
    LetterStatus.TO_POST: _lazy("%(kind)s to %(name)s: ready to post."),
    LetterStatus.SENT: _lazy("%(kind)s to %(name)s: sent by e-mail."),
    POSTED: _lazy("%(kind)s to %(name)s: posted."),
    DISCARDED: _lazy("%(kind)s to %(name)s: draft deleted."),
}


def _record(letter: Letter, *, actor: User | None, name: str) -> CaseEvent:
    """The LETTER event of one step, linking the letter (the case page reads the letters
    through these events). Sending also records the content hash."""
    values = {"kind": letter.get_kind_display(), "name": letter.recipient_name}
    extra = {"letter_kind": letter.kind}
    if letter.content_hash:
        extra["content_hash"] = letter.content_hash
    return CaseEvent.record(
        letter.complaint,
        actor=actor,
        kind=EventKind.LETTER,
        name=name,
        note=str(NOTES[name]) % values,
        letter=letter,
        **extra,
    )


def _enqueue(letter: Letter, *, key: str):
    """The mail of a letter: its text, the PDF attached by ``outbox_send``. A survey
    invitation carries a new private status link, in the mail only: the letter and its PDF
    never hold a token (only its hash is stored anywhere)."""
    complaint = letter.complaint
    vocabulary = words(letter.language)
    body = f"{vocabulary['attached']}\n\n{letter.body_text}"
    if letter.kind == LetterKind.SURVEY and letter.recipient_role == RecipientRole.COMPLAINANT:
        url = status_link_url(status_link_issue(complaint))
        body += f"\n{vocabulary['status_link']}\n{url}\n"
    return outbox_enqueue(
        key=key,
        kind=spec_of(letter.kind).outbox_kind,
        to=letter.recipient_email,
        subject=letter.subject,
        body=body,
        complaint=complaint,
        language=letter.language,
        letter=letter,
    )


@transaction.atomic
def letter_send(*, letter_id: int, actor: User, by_post: bool = False) -> Letter:
    """Send a draft: by e-mail when it has an address (unless ``by_post``), else for post.
    Refused with the name of every empty mandatory section."""
    _complaint, letter = _lock_letter(letter_id, actor)
    if not letter.is_draft:
        raise CaseError(_("This letter was sent already."))
    return _finalise(letter, actor=actor, send_by=SendBy.POST if by_post else "")


@transaction.atomic
def letter_mark_posted(*, letter_id: int, actor: User) -> Letter:
    """A letter printed for post went out today. An acknowledgement of receipt (Awb 9:6) is
    then recorded on the case, as the mailed one is when it goes out."""
    complaint, letter = _lock_letter(letter_id, actor)
    if letter.status != LetterStatus.TO_POST:
        raise CaseError(_("Only a letter that is ready to post can be marked as posted."))
    letter.status = LetterStatus.SENT
    letter.sent_at = timezone.now()
    letter.sent_by = actor
    letter.save(update_fields=["status", "sent_at", "sent_by"])
    _record(letter, actor=actor, name=POSTED)
    if letter.kind == LetterKind.ACKNOWLEDGEMENT and complaint.acknowledged_on is None:
        complaint.acknowledged_on = timezone.localdate(letter.sent_at)
        complaint.version += 1
        complaint.save(update_fields=["acknowledged_on", "version", "updated_at"])
    return letter


def letter_issue(
    complaint: Complaint,
    *,
    kind: str,
    recipient: Recipient,
    actor: User | None,
    key: str,
) -> Letter:
    """Draft and send in one go, inside the caller's transaction: the postponement notices
    (Awb 9:11 lid 2). One LETTER event (sent, or ready to post). The law wants the notice
    sent: one for post without a known address is still made (the handler addresses the
    envelope), never a reason to refuse the postponement."""
    letter = _new_letter(complaint, kind=kind, recipient=recipient, actor=actor)
    return _finalise(letter, actor=actor, key=key, require_address=False)


__all__ = [
    "COMPLAINANT",
    "Recipient",
    "letter_discard",
    "letter_document",
    "letter_draft",
    "letter_issue",
    "letter_mark_posted",
    "letter_readability",
    "letter_refusals",
    "letter_send",
    "letter_update",
    "letter_values",
    "recipients_of",
]
