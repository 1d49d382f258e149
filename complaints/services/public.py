"""A complaint submitted by a citizen on the public form (step 1: be alert, give access).

No account and no staff actor: the form's one-time key is the identity of a submission, so a
double submit, a retry after an error or two tabs make one complaint, not two. The complaint,
its files, the private status link and the acknowledgement (Awb 9:6, with the link) are written
in one transaction; the mail leaves through the outbox, so a broker that is down delays it but
loses nothing.
"""

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from complaints.models import (
    CaseEvent,
    Channel,
    Complaint,
    EventKind,
    Party,
    PartyRole,
)
from complaints.uploads import CleanFile

from .acknowledgement import acknowledgement_mail, acknowledgement_store
from .deadlines import due_dates_compute
from .errors import CaseError
from .records import attachment_store
from .register import reference_next
from .status_links import status_link_issue, status_link_url

# The reference of a case while it is being registered (``_create``): 20 characters at most,
# like a reference; never committed.
PENDING_PREFIX = "KL-new-"

# The Complaint fields the public form fills; anything else is set here.
FIELDS = {
    "complainant_name", "complainant_email", "complainant_phone", "complainant_address",
    "preferred_contact", "complainant_needs",
    "conduct_description", "conduct_date", "conduct_place", "conduct_department",
    "desired_outcome", "language",
}  # fmt: skip


@dataclass(frozen=True)
class Submitted:
    complaint: Complaint
    token: str  # the private status link's token; empty when this was a repeat
    created: bool


def intake_department(chosen: Department | None) -> Department:
    """Who handles a complaint from the form: the complaints desk when there is one, else
    the department the citizen chose, else the first active top-level department."""
    desk = Department.objects.filter(receives_public_complaints=True, is_active=True).first()
    if desk:
        return desk
    if chosen and chosen.is_active:
        return chosen
    fallback = Department.objects.filter(is_active=True, parent__isnull=True).first()
    if fallback is None:
        raise CaseError(_("No department receives complaints yet."))
    return fallback


def complaint_submit(
    *,
    key: uuid.UUID,
    fields: dict,
    persons: str = "",
    files: list[CleanFile] | tuple = (),
) -> Submitted:
    """Register the citizen's complaint once per ``key``; a repeat returns the first.

    A repeat is told by the unique ``submission_key``: its insert fails and the first is
    returned (a repeat is rare, so the usual submission asks nothing beforehand; the form's
    view has looked for the key already, to send a double submit to the "sent" page)."""
    try:
        with transaction.atomic():
            return _create(key=key, fields=fields, persons=persons, files=files)
    except IntegrityError:
        # Sent before, or two requests with the same key raced and the other one committed
        # first.
        existing = Complaint.objects.filter(submission_key=key).first()
        if existing is None:
            raise
        return Submitted(existing, "", created=False)


def _create(*, key, fields, persons, files) -> Submitted:
    unknown = set(fields) - FIELDS
    if unknown:
        raise ValueError(f"not a public form field: {sorted(unknown)}")
    complaint = Complaint(
        **fields,
        submission_key=key,
        channel=Channel.WEB_FORM,
        received_on=timezone.localdate(),
        # A form on the organisation's own site is an electronic way it opened: a written
        # complaint (Awb 9:1 with 2:15), with the formal duties that come with it.
        is_written=True,
        states_name=bool(fields.get("complainant_name")),
        states_address=bool(fields.get("complainant_address")),
        states_date=True,
        states_conduct=bool(fields.get("conduct_description")),
        department=intake_department(fields.get("conduct_department")),
    )
    due_dates_compute(complaint)
    # The reference number last. Its upsert locks the year's counter until commit, and every
    # other registration waits for that lock (reference_next): so the case is written first
    # under a placeholder of its own (unique, as the key it is made of; never committed), its
    # acknowledgement rendered with it, and then, holding the lock, only the number taken, the
    # case's reference set and the acknowledgement written.
    complaint.reference = pending = f"{PENDING_PREFIX}{key.hex[:13]}"
    complaint.save()
    if persons.strip():
        Party.objects.create(
            complaint=complaint, role=PartyRole.COMPLAINED_ABOUT, name=persons.strip()[:200]
        )
    CaseEvent.record(
        complaint,
        actor=None,
        kind=EventKind.REGISTERED,
        to_stage=complaint.stage,
        note=_("Submitted by the complainant on the public form."),
    )
    for clean in files:
        attachment = attachment_store(complaint, clean, actor=None, by_citizen=True)
        CaseEvent.record(
            complaint, actor=None, kind=EventKind.ATTACHMENT, name=attachment.original_name
        )
    token = status_link_issue(complaint, new_case=True)
    mail = acknowledgement_mail(complaint, status_url=status_link_url(token))
    complaint.reference = reference_next(complaint.received_on.year)
    Complaint.objects.filter(pk=complaint.pk).update(reference=complaint.reference)
    if mail is not None:  # autoescape is off in the mail's templates: the text as it is
        mail = {name: text.replace(pending, complaint.reference) for name, text in mail.items()}
        acknowledgement_store(complaint, mail, registered=True)
    return Submitted(complaint, token, created=True)
