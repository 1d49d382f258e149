"""Recording things on a case: details, assignment, contacts, notes, parts, parties, files.

Each write locks the case row, checks the page was not stale (``expected_version``) where
the user edited existing values, bumps the version and writes one timeline event.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from complaints.models import (
    Attachment,
    CaseEvent,
    Complaint,
    ComplaintPart,
    ContactMoment,
    EventKind,
    Norm,
    Note,
    Party,
    Theme,
)
from complaints.models.guards import complained_about_users
from complaints.selectors import (
    SPECIAL_CATEGORY_FIELDS,
    complaints_visible_to,
    handlers_for,
    may_see_special,
)
from complaints.uploads import CleanFile

from .deadlines import due_dates_compute, due_dates_of, due_dates_record
from .errors import CaseError, StaleAction

HANDLE = "accounts.handle_complaint"
# The fields the stored due dates depend on (DOMAIN.md section 5).
DUE_DATE_INPUTS = {"received_on", "is_written", "advisory_committee", "not_handled_ground"}

# Fields a handler may edit on the case page, per section; the form decides which.
EDITABLE = {
    "channel", "received_on", "is_written", "language", "department",
    "complainant_name", "complainant_email", "complainant_phone", "complainant_address",
    "preferred_contact", "complainant_needs",
    "conduct_description", "conduct_date", "conduct_place", "conduct_department",
    "desired_outcome", "underlying_problem",
    "is_signed", "states_name", "states_address", "states_date", "states_conduct",
    "not_handled_ground", "forwarded_to", "advisory_committee",
    "hearing_planned_at", "hearing_held_on", "hearing_parties", "hearing_waiver", "hearing_report",
    "solution", "satisfaction_confirmed_on", "satisfaction_channel", "satisfaction_note",
}  # fmt: skip


def _lock(complaint_id: int, actor: User, expected_version: int | None = None) -> Complaint:
    if not actor.has_perm(HANDLE):
        raise PermissionDenied
    complaint = complaints_visible_to(actor).select_for_update().get(pk=complaint_id)
    if expected_version is not None and complaint.version != expected_version:
        raise StaleAction
    return complaint


def _touch(complaint: Complaint) -> None:
    complaint.version += 1
    complaint.save(update_fields=["version", "updated_at"])


@transaction.atomic
def complaint_update(
    *,
    complaint_id: int,
    actor: User,
    expected_version: int,
    fields: dict,
    themes: list[Theme] | None = None,
) -> Complaint:
    unknown = set(fields) - EDITABLE
    if unknown:
        raise ValueError(f"Not editable: {sorted(unknown)}")
    complaint = _lock(complaint_id, actor, expected_version)
    if not complaint.is_open:
        raise CaseError(_("A closed case cannot be changed. A coordinator can reopen it."))
    if SPECIAL_CATEGORY_FIELDS & set(fields) and not may_see_special(actor, complaint):
        # The case page neither shows nor sends these fields to them; any other caller is
        # refused here, so no path writes what its user may not read (DOMAIN.md section 7).
        raise PermissionDenied
    changed = [name for name, value in fields.items() if getattr(complaint, name) != value]
    for name, value in fields.items():
        setattr(complaint, name, value)
    if themes is not None and set(themes) != set(complaint.themes.all()):
        complaint.themes.set(themes)
        changed.append("themes")
    if not changed:
        return complaint
    due_before = due_dates_of(complaint)
    if DUE_DATE_INPUTS & set(changed):
        due_dates_compute(complaint)
    complaint.version += 1
    complaint.save()
    CaseEvent.record(complaint, actor=actor, kind=EventKind.EDITED, fields=sorted(changed))
    due_dates_record(complaint, due_before, actor=actor)  # a DEADLINE event when a date moved
    return complaint


@transaction.atomic
def complaint_assign(
    *, complaint_id: int, actor: User, handler: User, expected_version: int
) -> Complaint:
    complaint = _lock(complaint_id, actor, expected_version)
    if not complaint.is_open:
        raise CaseError(_("A closed case cannot be assigned."))
    if handler != actor and not actor.has_perm("accounts.assign_complaint"):
        raise PermissionDenied
    if not handlers_for(complaint).filter(pk=handler.pk).exists():
        raise CaseError(_("This person cannot handle complaints of this department."))
    if handler.pk in complained_about_users(complaint):
        raise CaseError(
            _("%(name)s is a person complained about and cannot handle this complaint (Awb 9:7).")
            % {"name": handler.full_name}
        )
    complaint.handler = handler
    complaint.version += 1
    complaint.save(update_fields=["handler", "version", "updated_at"])
    CaseEvent.record(complaint, actor=actor, kind=EventKind.ASSIGNED, handler=handler.full_name)
    return complaint


@transaction.atomic
def complaint_acknowledge(*, complaint_id: int, actor: User, on: date) -> Complaint:
    """Record that receipt was acknowledged in writing (Awb 9:6)."""
    complaint = _lock(complaint_id, actor)
    complaint.acknowledged_on = on
    complaint.version += 1
    complaint.save(update_fields=["acknowledged_on", "version", "updated_at"])
    CaseEvent.record(complaint, actor=actor, kind=EventKind.ACKNOWLEDGED, on=on.isoformat())
    return complaint


@transaction.atomic
def contact_add(*, complaint_id: int, actor: User, fields: dict) -> ContactMoment:
    complaint = _lock(complaint_id, actor)
    contact = ContactMoment.objects.create(complaint=complaint, recorded_by=actor, **fields)
    if complaint.first_contact_on is None:  # the service norm for first contact is met
        complaint.first_contact_on = timezone.localdate(contact.at)
        complaint.save(update_fields=["first_contact_on"])
    _touch(complaint)
    CaseEvent.record(
        complaint, actor=actor, kind=EventKind.CONTACT, note=contact.summary,
        channel=contact.channel, with_whom=contact.with_whom,
    )  # fmt: skip
    return contact


@transaction.atomic
def note_add(*, complaint_id: int, actor: User, text: str) -> Note:
    complaint = _lock(complaint_id, actor)
    note = Note.objects.create(complaint=complaint, author=actor, text=text)
    _touch(complaint)
    CaseEvent.record(complaint, actor=actor, kind=EventKind.NOTE, note=text)
    return note


@transaction.atomic
def part_add(*, complaint_id: int, actor: User, description: str) -> ComplaintPart:
    complaint = _lock(complaint_id, actor)
    number = (complaint.parts.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    part = ComplaintPart.objects.create(complaint=complaint, number=number, description=description)
    _touch(complaint)
    CaseEvent.record(complaint, actor=actor, kind=EventKind.PART, note=description, part=number)
    return part


@transaction.atomic
def part_update(
    *,
    part_id: int,
    actor: User,
    fields: dict,
    norms: list[Norm] | None = None,
    seen: str = "",
) -> ComplaintPart:
    """``seen``: the part's fingerprint as the user saw it; changed since (a colleague saved
    it): ``StaleAction``, and nothing is saved."""
    part = ComplaintPart.objects.select_related("complaint").get(pk=part_id)
    complaint = _lock(part.complaint_id, actor)
    if not complaint.is_open:
        raise CaseError(_("A closed case cannot be changed. A coordinator can reopen it."))
    part.refresh_from_db()  # as it is now that the case is locked
    if seen and seen != part.fingerprint():
        raise StaleAction(
            _(
                "Someone else saved this part while you were looking at it. The page shows "
                "their version and your text; check both and save again."
            )
        )
    for name in ("description", "judgment", "reasoning"):
        if name in fields:
            setattr(part, name, fields[name])
    part.save()
    if norms is not None:
        part.norms.set(norms)
    _touch(complaint)
    CaseEvent.record(
        complaint, actor=actor, kind=EventKind.PART, part=part.number,
        judgment=part.judgment,
    )  # fmt: skip
    return part


@transaction.atomic
def party_add(*, complaint_id: int, actor: User, fields: dict) -> Party:
    complaint = _lock(complaint_id, actor)
    party = Party.objects.create(complaint=complaint, **fields)
    _touch(complaint)
    CaseEvent.record(complaint, actor=actor, kind=EventKind.PARTY, role=party.role, name=party.name)
    # A handler who is now also a person complained about keeps the case in intake
    # (guard handler_is_impartial, Awb 9:7) until someone else is assigned.
    return party


@transaction.atomic
def party_remove(*, party_id: int, actor: User) -> None:
    """Remove a party from its case. Removed already (a colleague, or a second click: two
    requests that both found it): ``StaleAction``, never a second timeline event."""
    gone = StaleAction(_("This party was removed already."))
    party = Party.objects.filter(pk=party_id).first()
    if party is None:
        raise gone
    complaint = _lock(party.complaint_id, actor)
    if not Party.objects.filter(pk=party_id).exists():  # removed while we waited for the lock
        raise gone
    party.delete()
    _touch(complaint)
    CaseEvent.record(
        complaint, actor=actor, kind=EventKind.PARTY, role=party.role, name=party.name,
        removed=True,
    )  # fmt: skip


@transaction.atomic
def attachment_add(*, complaint_id: int, actor: User, file: CleanFile) -> Attachment:
    """A file checked by ``clean_upload`` (the form does that) added by staff."""
    complaint = _lock(complaint_id, actor)
    attachment = attachment_store(complaint, file, actor=actor)
    _touch(complaint)
    CaseEvent.record(
        complaint, actor=actor, kind=EventKind.ATTACHMENT, name=attachment.original_name
    )
    return attachment


def attachment_store(
    complaint: Complaint, clean: CleanFile, *, actor: User | None, by_citizen: bool = False
) -> Attachment:
    """Store a checked file on a case under a random name. The caller holds the case lock
    and records the event; staff uploads go through ``attachment_add``."""
    attachment = attachment_written(complaint, clean, actor=actor, by_citizen=by_citizen)
    attachment.save()
    return attachment


def attachment_written(
    complaint: Complaint, clean: CleanFile, *, actor: User | None, by_citizen: bool = False
) -> Attachment:
    """A checked file written to storage under a random name (``attachment_path``), its row
    not yet saved: the public form writes its files before it registers the case, so the
    registration's lock on the reference numbers is not held while files are written."""
    attachment = Attachment(
        complaint=complaint,
        original_name=clean.name[:255],
        content_type=clean.content_type,
        size=clean.size,
        uploaded_by=actor,
        added_by_citizen=by_citizen,
    )
    attachment.file.save(f"upload.{clean.extension}", ContentFile(clean.content), save=False)
    return attachment
