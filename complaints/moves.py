"""Which moves a case allows, and why not: read by the service and by the case page."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import Complaint

# The whitelist of move names: never getattr() on user input.
MOVES = (
    "start_exploring",
    "seek_solution",
    "start_judging",
    "solution_failed",
    "close_resolved",
    "close_judged",
    "close_not_handled",
    "close_forwarded",
    "withdraw",
    "reopen",
)

NO_PERMISSION = {
    "accounts.handle_complaint": _("Only a complaint handler can do this."),
    "accounts.log_rung1": _("Only staff who log rung-1 cases can do this."),
    "accounts.reopen_complaint": _("Only a complaint coordinator can reopen a case."),
}


def at_its_rung(move, complaint: Complaint) -> bool:
    """A move that names rungs (``custom["rungs"]``) exists only at those rungs."""
    rungs = move.custom.get("rungs")
    return rungs is None or complaint.rung in rungs


def transition_of(complaint: Complaint, name: str):
    """The django-fsm Transition for ``name`` from the case's current stage and at its
    rung, or None."""
    if name not in MOVES:
        return None
    move = getattr(Complaint, name)._django_fsm.get_transition(complaint.stage)
    if move is None or not at_its_rung(move, complaint):
        return None
    return move


# Retention (complaints.services.retention): a case without its personal data stays closed.
ANONYMISED = _("The personal data of this case was removed after its retention period.")


def unmet_guards(complaint: Complaint, name: str) -> list[str]:
    move = transition_of(complaint, name)
    if move is None:
        return []
    if complaint.anonymised_at is not None:
        return [str(ANONYMISED)]
    return [str(check.message) for check in move.conditions if not check(complaint)]


@dataclass(frozen=True)
class Move:
    name: str
    label: str | Promise
    available: bool
    reasons: list[str]
    needs_note: bool
    closes: bool


def moves_for(complaint: Complaint, user) -> list[Move]:
    """Every move defined from the current stage, available or with the reasons why not."""
    moves = []
    for name in MOVES:
        move = transition_of(complaint, name)
        if move is None:
            continue
        reasons = unmet_guards(complaint, name)
        if not move.has_perm(complaint, user):
            reasons = [str(NO_PERMISSION.get(move.permission, _("You may not do this.")))]
        moves.append(
            Move(
                name=name,
                label=move.custom["label"],
                available=not reasons,
                reasons=reasons,
                needs_note=bool(move.custom.get("needs_note")),
                closes=bool(move.custom.get("closure_reason")),
            )
        )
    return moves
