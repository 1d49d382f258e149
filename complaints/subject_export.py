"""The data-subject export (DOMAIN.md section 7, AVG art. 15): everything held about one
person, as one ZIP file.

A person is found by e-mail address, case-insensitively, as the complainant of a case or as a
party on one. The ZIP holds ``data.json`` (per case: the case as it concerns them, and for a
complainant the complaint, timeline, contact moments, notes, what they said on the status
page) and the files: the PDFs of the letters addressed to them and, for a complainant, the
attachments of their case.

Exactly one person: the rows of other parties are left out, and their name, e-mail address,
phone number and address are replaced by ``[...]`` wherever free text on the case repeats them
(the timeline names a party when it is added, a contact moment says with whom). Someone who
is only a party sees the case's basic facts, their own party row, the letters to them and the
contact moments with them; never the complainant's details or the complaint's text. Letters
and attachments are files as sent or received and cannot be redacted; attachments go to the
complainant only (their own case file), and the coordinator reviews the files before handing
the export over (``README.txt`` in the ZIP says so).
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.db.models import Q
from django.utils import timezone

from .models import Complaint, Letter, LetterStatus, Party

REDACTED = "[...]"
MIN_REDACT = 3  # shorter values ("1", "AB") would blank out unrelated text


@dataclass
class SubjectExport:
    references: list[str]
    letters: int
    attachments: int
    file: tempfile.SpooledTemporaryFile  # the ZIP, positioned at its start


def subject_cases(email: str):
    """Every case where ``email`` is the complainant's or a party's address."""
    email = email.strip()
    party_cases = Party.objects.filter(email__iexact=email).values("complaint_id")
    return (
        Complaint.objects.filter(Q(complainant_email__iexact=email) | Q(pk__in=party_cases))
        .select_related("department", "survey")
        .prefetch_related("parties", "events", "contacts", "notes", "attachments", "letters")
        .prefetch_related("reopen_requests")
        .order_by("received_on", "pk")
    )


def subject_export(email: str) -> SubjectExport | None:
    """The ZIP for the person with ``email``, or None when nothing is held about them."""
    email = email.strip().lower()
    cases = list(subject_cases(email))
    if not cases:
        return None
    spooled = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115
    letters = attachments = 0
    data = {
        "generated_at": timezone.now().isoformat(),
        "email": email,
        "cases": [],
    }
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for complaint in cases:
            case, files = _case(complaint, email)
            data["cases"].append(case)
            for name, field in files:
                with field.open("rb") as stored:
                    archive.writestr(name, stored.read())
            letters += len(case.get("letters", []))
            attachments += len(case.get("attachments", []))
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("README.txt", README)
    spooled.seek(0)
    return SubjectExport(
        references=[c.reference for c in cases],
        letters=letters,
        attachments=attachments,
        file=spooled,
    )


README = """Everything held about one person (data-subject export, AVG art. 15).

data.json      the cases, per case what concerns this person
letters/       the letters addressed to this person, as sent
attachments/   the files of the cases this person made as complainant

Other people's details are left out of data.json or replaced by [...]. The letters and
attachments are the files as sent and received: read them before handing this export over.
"""


def _case(complaint: Complaint, email: str) -> tuple[dict, list]:
    is_complainant = complaint.complainant_email.strip().lower() == email
    own_parties = [p for p in complaint.parties.all() if p.email.strip().lower() == email]
    others = [p for p in complaint.parties.all() if p not in own_parties]
    own_values = {
        value.lower()
        for value in _values_of(
            *(_party_values(p) for p in own_parties),
            _complainant_values(complaint) if is_complainant else [],
        )
    }
    hidden = _values_of(
        *(_party_values(p) for p in others),
        [] if is_complainant else _complainant_values(complaint),
    )
    hidden = [value for value in hidden if value.lower() not in own_values]
    names = {p.name.strip().lower() for p in own_parties}
    if is_complainant:
        names.add(complaint.complainant_name.strip().lower())

    case = {
        "reference": complaint.reference,
        "as": (["complainant"] if is_complainant else []) + ["party"] * bool(own_parties),
        "department": complaint.department.name,
        "received_on": complaint.received_on,
        "channel": complaint.get_channel_display(),
        "stage": complaint.get_stage_display(),
        "rung": complaint.rung,
        "closure_reason": complaint.get_closure_reason_display(),
        "closed_at": complaint.closed_at,
        "parties": [_party(p) for p in own_parties],
    }
    if is_complainant:
        case.update(_complainant_part(complaint))
    else:
        case["contact_moments"] = [
            _contact(c) for c in complaint.contacts.all() if c.with_whom.strip().lower() in names
        ]
    files = []
    own_party_pks = {p.pk for p in own_parties}
    case["letters"] = []
    for letter in complaint.letters.all():
        if not _to_subject(letter, is_complainant, own_party_pks, email):
            continue
        entry = _letter(letter)
        if letter.pdf and letter.status != LetterStatus.DRAFT:
            entry["file"] = f"letters/{complaint.reference}-{letter.pk}-{letter.kind}.pdf"
            files.append((entry["file"], letter.pdf))
        case["letters"].append(entry)
    if is_complainant:
        case["attachments"] = []
        for attachment in complaint.attachments.all():
            suffix = PurePath(attachment.file.name).suffix
            entry = {
                "name": attachment.original_name,
                "type": attachment.content_type,
                "size": attachment.size,
                "uploaded_at": attachment.uploaded_at,
                "added_by_complainant": attachment.added_by_citizen,
                "file": f"attachments/{complaint.reference}/{attachment.pk}{suffix}",
            }
            files.append((entry["file"], attachment.file))
            case["attachments"].append(entry)
    return _redact(_plain(case), hidden), files


def _complainant_part(complaint: Complaint) -> dict:
    survey = getattr(complaint, "survey", None)
    return {
        "complainant": {
            "name": complaint.complainant_name,
            "email": complaint.complainant_email,
            "phone": complaint.complainant_phone,
            "address": complaint.complainant_address,
            "preferred_contact": complaint.get_preferred_contact_display(),
            "needs": complaint.complainant_needs,
            "language": complaint.language,
        },
        "complaint": {
            field: getattr(complaint, field)
            for field in (
                "conduct_description",
                "conduct_date",
                "conduct_place",
                "desired_outcome",
                "underlying_problem",
                "acknowledged_on",
                "decision_due",
                "postponed_on",
                "postponement_reason",
                "extended_until",
                "extension_consent_on",
                "extension_consent_note",
                "hearing_held_on",
                "hearing_report",
                "solution",
                "satisfaction_confirmed_on",
                "satisfaction_note",
                "closure_note",
                "forwarded_to",
            )
        },
        "timeline": [
            {
                "at": e.at,
                "what": e.get_kind_display(),
                "action": e.name,
                "from_stage": e.from_stage,
                "to_stage": e.to_stage,
                "note": e.note,
            }
            for e in complaint.events.all()
        ],
        "contact_moments": [_contact(c) for c in complaint.contacts.all()],
        "notes": [{"at": n.created_at, "text": n.text} for n in complaint.notes.all()],
        "reopen_requests": [
            {"at": r.created_at, "reason": r.reason} for r in complaint.reopen_requests.all()
        ],
        "survey": None
        if survey is None
        else {"rating": survey.rating, "felt_heard": survey.felt_heard, "comment": survey.comment},
    }


def _to_subject(letter: Letter, is_complainant: bool, party_pks: set, email: str) -> bool:
    if letter.recipient_email.strip().lower() == email:
        return True
    if letter.recipient_role == "complainant":
        return is_complainant
    return letter.party_pk in party_pks


def _letter(letter: Letter) -> dict:
    return {
        "kind": letter.get_kind_display(),
        "status": letter.get_status_display(),
        "subject": letter.subject,
        "date": letter.letter_date,
        "sent_at": letter.sent_at,
        "sent_by": letter.get_send_by_display(),
        "to": {
            "name": letter.recipient_name,
            "email": letter.recipient_email,
            "address": letter.recipient_address,
        },
        "text": letter.body_text,
    }


def _party(party: Party) -> dict:
    return {
        "role": party.get_role_display(),
        "name": party.name,
        "email": party.email,
        "phone": party.phone,
        "address": party.address,
        "preferred_contact": party.get_preferred_contact_display(),
    }


def _contact(contact) -> dict:
    return {
        "at": contact.at,
        "channel": contact.get_channel_display(),
        "with_whom": contact.with_whom,
        "summary": contact.summary,
    }


def _party_values(party: Party) -> list[str]:
    return [party.name, party.email, party.phone, party.address]


def _complainant_values(complaint: Complaint) -> list[str]:
    return [
        complaint.complainant_name,
        complaint.complainant_email,
        complaint.complainant_phone,
        complaint.complainant_address,
    ]


def _values_of(*groups: list[str]) -> list[str]:
    """The values to look for: each one whole, and each line of an address on its own."""
    found = []
    for group in groups:
        for value in group:
            for piece in [value, *value.splitlines()]:
                piece = piece.strip()
                if len(piece) >= MIN_REDACT and piece not in found:
                    found.append(piece)
    return found


def _plain(value):
    """Dates, times and lazy labels as text, so the data can be redacted and written."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _redact(value, hidden: list[str]):
    if not hidden:
        return value
    # Longest first: a whole address before one of its lines.
    pattern = re.compile(
        "|".join(re.escape(v) for v in sorted(hidden, key=len, reverse=True)), re.IGNORECASE
    )

    def walk(item):
        if isinstance(item, dict):
            return {key: walk(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [walk(inner) for inner in item]
        if isinstance(item, str):
            return pattern.sub(REDACTED, item)
        return item

    return walk(value)
