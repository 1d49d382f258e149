"""A complaint submitted by a citizen on the public form (step 1: be alert, give access).

No account and no staff actor: the form's one-time key is the identity of a submission, so a
double submit, a retry after an error or two tabs make one complaint, not two. The complaint,
its files, the private status link and the acknowledgement (Awb 9:6, with the link) are written
in one transaction; the mail leaves through the outbox, so a broker that is down delays it but
loses nothing.
"""

import logging
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models.signals import post_delete, post_save
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
from config.cache import kept
from config.release import release_token
from ladder import selectors
from ladder.models import EqualDay, ServiceNorms

from .acknowledgement import acknowledgement_mail, acknowledgement_store
from .deadlines import due_dates_compute
from .errors import CaseError
from .records import attachment_written
from .register import reference_next
from .status_links import status_link_issue, status_link_token, status_link_url

logger = logging.getLogger(__name__)

# The reference in the acknowledgement while it is rendered, before the number is taken
# (``_create``): 20 characters at most, like a reference; never written to the database.
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


# What every submission reads and a functional admin changes a few times a year: the desk that
# receives complaints, the decree days and the service norms. Kept in the cache (one round trip
# instead of three queries; the public form's throughput is a target of QUALITY.md) until one
# of them changes: a save or delete of a department, a decree day or the norms forgets it at
# once and again after commit (``connect``). A write that passes the signals (a queryset
# update, a migration) is seen within SETUP_SECONDS.
SETUP_KEY = "public-intake-setup"
SETUP_SECONDS = 60


@dataclass(frozen=True)
class IntakeSetup:
    desk: Department | None  # the complaints desk, if there is one
    equal_days: frozenset
    norms: ServiceNorms


def _setup_key() -> str:
    return f"{SETUP_KEY}:{release_token()}"  # a new release may pickle the models otherwise


def intake_setup() -> IntakeSetup:
    def read() -> IntakeSetup:
        desk = Department.objects.filter(receives_public_complaints=True, is_active=True)
        return IntakeSetup(desk.first(), selectors.equal_days(), selectors.service_norms())

    return kept(_setup_key(), read, SETUP_SECONDS, without="the intake setup is read each time")


def intake_setup_changed(*args, **kwargs) -> None:
    """Forget the kept ``intake_setup``: now, and again after the transaction commits, if
    there is one (a submission between the two may have kept what was there before)."""

    def forget() -> None:
        try:
            cache.delete(_setup_key())
        except Exception:  # noqa: BLE001 -- the cache is down: nothing is read from it either
            logger.warning("cache unreachable; the intake setup is forgotten when it expires")

    forget()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(forget)


def connect() -> None:
    for model in (Department, EqualDay, ServiceNorms):
        uid = f"intake-setup-{model._meta.label_lower}"
        post_save.connect(intake_setup_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(intake_setup_changed, sender=model, dispatch_uid=f"{uid}-delete")


def intake_department(chosen: Department | None, desk: Department | None) -> Department:
    """Who handles a complaint from the form: the complaints ``desk`` when there is one
    (``intake_setup``), else the department the citizen chose, else the first active
    top-level department."""
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
    setup = intake_setup()
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
        department=intake_department(fields.get("conduct_department"), setup.desk),
    )
    due_dates_compute(complaint, equal_days=setup.equal_days, norms=setup.norms)
    # The reference number as late as possible: its upsert locks the year's counter until
    # commit, and every other registration waits for that lock (reference_next). So the
    # citizen's files are written and the acknowledgement rendered first, with a placeholder
    # for the number (unique, as the key it is made of; it never reaches the database); then,
    # holding the lock, the case is written once with its number and its rows after it. (An
    # earlier version wrote the case before the lock and set its number after: an UPDATE that
    # wrote every one of the case's indexes a second time, on every submission.)
    attachments = [
        attachment_written(complaint, clean, actor=None, by_citizen=True) for clean in files
    ]
    token = status_link_token()
    complaint.reference = pending = f"{PENDING_PREFIX}{key.hex[:13]}"
    mail = acknowledgement_mail(complaint, status_url=status_link_url(token))
    complaint.reference = reference_next(complaint.received_on.year)
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
    for attachment in attachments:
        attachment.save()
        CaseEvent.record(
            complaint, actor=None, kind=EventKind.ATTACHMENT, name=attachment.original_name
        )
    status_link_issue(complaint, new_case=True, token=token)
    if mail is not None:  # autoescape is off in the mail's templates: the text as it is
        mail = {name: text.replace(pending, complaint.reference) for name, text in mail.items()}
        acknowledgement_store(complaint, mail, registered=True)
    return Submitted(complaint, token, created=True)
