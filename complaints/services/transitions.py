"""The one service that moves a case through its stages."""

__all__ = ["MOVES", "complaint_transition"]

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from accounts.models import User
from complaints.models import CaseEvent, Complaint, EventKind
from complaints.moves import MOVES, transition_of, unmet_guards
from complaints.selectors import complaints_visible_to

from .errors import MoveRefused, StaleAction


@transaction.atomic
def complaint_transition(
    *, complaint_id: int, name: str, actor: User, expected_stage: str, note: str = ""
) -> Complaint:
    complaint = complaints_visible_to(actor).select_for_update().get(pk=complaint_id)
    if complaint.stage != expected_stage:
        raise StaleAction
    move = transition_of(complaint, name)
    if move is None:
        raise MoveRefused(_("This step is not possible from the current stage."))
    if not move.has_perm(complaint, actor):
        raise PermissionDenied
    reasons = unmet_guards(complaint, name)
    if reasons:
        raise MoveRefused(reasons=reasons)
    note = note.strip()
    if move.custom.get("needs_note") and not note:
        raise MoveRefused(reasons=[_("Give a reason.")])

    from_stage = complaint.stage
    getattr(complaint, name)(note=note)
    complaint.version += 1
    try:
        complaint.save()
    except ConcurrentTransition as error:  # the row lock makes this rare; be safe anyway
        raise StaleAction from error
    CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.TRANSITION,
        name=name,
        note=note,
        from_stage=from_stage,
        to_stage=complaint.stage,
    )
    return complaint
