"""The ladder (DOMAIN.md section 2): the rung-1 quick log and the escalation to rung 2.

Rung 1 is dissatisfaction an employee removed on the spot: no Awb formalities, one screen,
a case that is closed as resolved at once (when the citizen was satisfied: Awb 9:5 asks the
body to be able to show it) or stays open with the rung-1 service norm. Escalation, "hand
over to a complaint handler", makes it a formal complaint at rung 2: back to intake, the Awb
clock starting on the date of the formal complaint, everything recorded so far carried over.
Rung 3 (the ombudsman phase) is ``complaints.services.ombudsman``.
"""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.models import User
from complaints.models import CaseEvent, Complaint, EventKind, Rung, Stage, Theme
from complaints.moves import ANONYMISED, at_its_rung, unmet_guards
from complaints.selectors import complaints_visible_to

from .acknowledgement import acknowledgement_enqueue
from .citizen import FORMAL_HANDLING, _staff_language, coordinators_first, staff_notify
from .deadlines import due_dates_compute, due_dates_of, due_dates_record
from .errors import CaseError, MoveRefused, StaleAction
from .register import reference_next

LOG_RUNG1 = "accounts.log_rung1"
HANDLE = "accounts.handle_complaint"

# What a quick log may set on the case; the rest is the service's.
RUNG1_FIELDS = {
    "channel",
    "department",
    "conduct_description",  # what it was about
    "solution",  # how it was resolved (or what was tried)
    "complainant_name",
    "complainant_email",
    "complainant_phone",
    "language",
}

# The names of the events.
RUNG1_LOGGED = "rung1_log"
ESCALATE = "escalate"
CLOSE_RESOLVED = "close_resolved"


@transaction.atomic
def rung1_log(
    *, actor: User, fields: dict, themes: list[Theme] | tuple = (), resolved: bool
) -> Complaint:
    """Log dissatisfaction removed on the spot (rung 1), as any member of staff who may.

    ``resolved``: the citizen said they were satisfied with how it was resolved. The case is
    then closed as resolved at once, with that satisfaction as the Awb 9:5 evidence (today,
    the channel of the log, who logged it). Otherwise it stays open in the explore stage and
    someone closes it, or hands it to a complaint handler, by the rung-1 service norm
    (``rung1_due``, set on every log; the reminders watch the open ones). No Awb due dates
    at rung 1.
    """
    if not actor.has_perm(LOG_RUNG1):
        raise PermissionDenied
    unknown = set(fields) - RUNG1_FIELDS
    if unknown:
        raise ValueError(f"Not for a rung-1 log: {sorted(unknown)}")
    today = timezone.localdate()
    complaint = Complaint(
        **{"complainant_name": "", **fields},
        stage=Stage.EXPLORE,  # the protected field may be given once, to the constructor
        rung=Rung.EMPLOYEE,
        received_on=today,
        logged_on=today,
        is_written=False,
        registered_by=actor,
    )
    complaint.reference = reference_next(today.year)
    if resolved:
        complaint.satisfaction_confirmed_on = today
        complaint.satisfaction_channel = complaint.channel
        complaint.satisfaction_note = _(
            "The citizen said they were satisfied; logged at rung 1 by %(name)s."
        ) % {"name": actor.full_name}
        reasons = unmet_guards(complaint, CLOSE_RESOLVED)
        if reasons:  # no solution recorded: nothing to show the satisfaction with
            raise MoveRefused(reasons=reasons)
        complaint.close_resolved(note=_("Resolved on the spot; the citizen was satisfied."))
    due_dates_compute(complaint)  # at rung 1: only the rung-1 norm
    complaint.save()
    if themes:
        complaint.themes.set(themes)
    CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.REGISTERED,
        name=RUNG1_LOGGED,
        note=_("Logged at rung 1"),
        to_stage=Stage.EXPLORE,
    )
    if resolved:
        CaseEvent.record(
            complaint,
            actor=actor,
            kind=EventKind.TRANSITION,
            name=CLOSE_RESOLVED,
            note=complaint.closure_note,
            from_stage=Stage.EXPLORE,
            to_stage=complaint.stage,
        )
    return complaint


def escalation_refusal(complaint: Complaint, *, on: date, today: date) -> str | None:
    """Why this case cannot be handed to a complaint handler on ``on``, or None."""
    if complaint.anonymised_at is not None:  # retention: it stays closed
        return str(ANONYMISED)
    if complaint.rung != Rung.EMPLOYEE:
        return _("Only a case at rung 1 can be handed over to a complaint handler.")
    if on > today:
        return _("The date of the formal complaint cannot be in the future.")
    if complaint.logged_on and on < complaint.logged_on:
        return _("The formal complaint cannot be older than the rung-1 log of %(day)s.") % {
            "day": complaint.logged_on.isoformat()
        }
    return None


@transaction.atomic
def complaint_escalate(
    *,
    complaint_id: int,
    actor: User | None,
    reason: str,
    is_written: bool,
    on: date | None = None,
    expected_version: int | None = None,
    by_citizen: bool = False,
) -> Complaint:
    """Hand a rung-1 case (open or closed) over to a complaint handler: rung 2, stage intake.

    The formal complaint is of ``on`` (default today): it becomes the date of receipt, so the
    Awb terms run from it (9:11: decision within 6 weeks). Parties, notes, contacts, files,
    themes and the rung-1 solution stay; a closure at rung 1 and its satisfaction evidence no
    longer hold and are kept in the RUNG event. A written complaint with an e-mail address gets
    its acknowledgement (Awb 9:6) as at registration. ``by_citizen``: the complainant asked
    for formal handling on the status page (no actor; the token was the authority).
    """
    if by_citizen:
        if actor is not None:
            raise ValueError("A citizen's request has no staff actor.")
        query = Complaint.objects.all()
    else:
        if actor is None or not (actor.has_perm(LOG_RUNG1) or actor.has_perm(HANDLE)):
            raise PermissionDenied
        # Whoever logged a rung-1 case may hand it over, also an employee who sees no cases.
        query = complaints_visible_to(actor) | Complaint.objects.filter(
            registered_by=actor, rung=Rung.EMPLOYEE
        )
    complaint = query.select_for_update(of=("self",)).get(pk=complaint_id)
    if expected_version is not None and complaint.version != expected_version:
        raise StaleAction
    today = timezone.localdate()
    on = on or today
    if by_citizen and complaint.rung != Rung.EMPLOYEE:  # a second click, an old page
        raise CaseError(_("Your complaint is already handled formally."))
    refusal = escalation_refusal(complaint, on=on, today=today)
    if refusal:
        raise CaseError(refusal)
    reason = reason.strip()
    if by_citizen:
        with translation.override(_staff_language()):  # the note is for staff
            note = _("The complainant asked for formal handling on the status page.")
            if reason:
                note += "\n" + _("Reason given: %(reason)s") % {"reason": reason}
    elif not reason:
        raise CaseError(_("Give the reason for handing the case over."))
    else:
        note = reason
    move = Complaint.escalate._django_fsm.get_transition(complaint.stage)
    if move is None or not at_its_rung(move, complaint):  # guarded above; be explicit
        raise MoveRefused(_("This step is not possible from the current stage."))

    before = due_dates_of(complaint)
    from_stage = complaint.stage
    # Kept in the RUNG event: what held at rung 1 and is cleared now.
    rung1 = {
        "closure_reason": complaint.closure_reason,
        "closed_at": complaint.closed_at.isoformat() if complaint.closed_at else None,
        "satisfaction_confirmed_on": (
            complaint.satisfaction_confirmed_on.isoformat()
            if complaint.satisfaction_confirmed_on
            else None
        ),
        "satisfaction_channel": complaint.satisfaction_channel,
    }
    complaint.escalate(on=on, is_written=is_written, note=note)
    due_dates_compute(complaint)
    complaint.version += 1
    try:
        complaint.save()
    except ConcurrentTransition as error:  # the row lock makes this rare; be safe anyway
        raise StaleAction from error
    CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.TRANSITION,
        name=ESCALATE,
        note=note,
        from_stage=from_stage,
        to_stage=complaint.stage,
        by_citizen=by_citizen,
    )
    event = CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.RUNG,
        name=ESCALATE,
        note=note,
        from_rung=Rung.EMPLOYEE,
        to_rung=complaint.rung,
        on=on.isoformat(),
        is_written=is_written,
        by_citizen=by_citizen,
        rung1=rung1,
    )
    due_dates_record(complaint, before, actor=actor, by_citizen=by_citizen)
    acknowledgement_enqueue(complaint)  # Awb 9:6, by e-mail when we have an address
    if by_citizen:
        # The case now waits at intake for a handler: tell whoever assigns it.
        staff_notify(complaint, event, FORMAL_HANDLING, coordinators_first(complaint))
    return complaint
