"""Every write to a complaint case goes through these services (STYLE.md)."""

from .deadlines import due_dates_compute
from .errors import CaseError, MoveRefused, ReplacedMeanwhile, StaleAction
from .ladder import complaint_escalate, rung1_log
from .postponement import complaint_extend, complaint_postpone
from .records import (
    attachment_add,
    complaint_acknowledge,
    complaint_assign,
    complaint_update,
    contact_add,
    note_add,
    part_add,
    part_update,
    party_add,
    party_remove,
)
from .register import complaint_register
from .transitions import MOVES, complaint_transition

__all__ = [
    "MOVES",
    "CaseError",
    "MoveRefused",
    "ReplacedMeanwhile",
    "StaleAction",
    "attachment_add",
    "complaint_acknowledge",
    "complaint_assign",
    "complaint_escalate",
    "complaint_extend",
    "complaint_postpone",
    "complaint_register",
    "complaint_transition",
    "complaint_update",
    "contact_add",
    "due_dates_compute",
    "note_add",
    "part_add",
    "part_update",
    "party_add",
    "party_remove",
    "rung1_log",
]
