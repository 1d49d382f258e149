"""Shared by the state-machine tests: the expected transition table and case helpers.

The table is written out from DOMAIN.md section 3 (and the docstring of
complaints/models/case.py), not derived from the code it checks.
"""

from complaints.models import CaseEvent, ClosureReason, Complaint, NotHandledGround, Stage
from tests.factories import ComplaintFactory

# (stage, move) -> the stage it lands in. Everything not listed is refused.
ALLOWED = {
    (Stage.INTAKE, "start_exploring"): Stage.EXPLORE,
    (Stage.INTAKE, "close_not_handled"): Stage.CLOSED,  # Awb 9:8
    (Stage.INTAKE, "close_forwarded"): Stage.CLOSED,  # Awb 2:3
    (Stage.INTAKE, "withdraw"): Stage.CLOSED,
    (Stage.EXPLORE, "seek_solution"): Stage.RESOLVE,
    (Stage.EXPLORE, "start_judging"): Stage.JUDGE,
    (Stage.EXPLORE, "close_not_handled"): Stage.CLOSED,
    (Stage.EXPLORE, "withdraw"): Stage.CLOSED,
    (Stage.RESOLVE, "solution_failed"): Stage.JUDGE,
    (Stage.RESOLVE, "close_resolved"): Stage.CLOSED,  # Awb 9:5
    (Stage.RESOLVE, "withdraw"): Stage.CLOSED,
    (Stage.JUDGE, "close_judged"): Stage.CLOSED,  # Awb 9:12
    (Stage.JUDGE, "withdraw"): Stage.CLOSED,
    (Stage.CLOSED, "reopen"): Stage.EXPLORE,
}

CLOSES_AS = {
    "close_resolved": ClosureReason.RESOLVED,
    "close_judged": ClosureReason.JUDGED,
    "close_not_handled": ClosureReason.NOT_HANDLED,
    "close_forwarded": ClosureReason.FORWARDED,
    "withdraw": ClosureReason.WITHDRAWN,
}

NEEDS_NOTE = frozenset({"withdraw", "reopen", "solution_failed"})

NOTE = "De klager belde: het probleem is toch niet opgelost."


def case_in(stage: str, department, **overrides) -> Complaint:
    """A case in ``stage`` with every guard of every move from that stage satisfied."""
    if stage in (Stage.INTAKE, Stage.EXPLORE):
        # The screening outcomes that the closing moves of these stages need.
        overrides = {
            "not_handled_ground": NotHandledGround.OLDER_THAN_A_YEAR,
            "forwarded_to": "Belastingdienst",
            **overrides,
        }
    return ComplaintFactory(**{stage: True}, department=department, **overrides)


def snapshot(complaint: Complaint) -> tuple:
    """What a refused action must leave exactly as it was."""
    row = Complaint.objects.get(pk=complaint.pk)
    return (
        row.stage,
        row.version,
        row.closure_reason,
        row.closure_note,
        row.closed_at,
        row.updated_at,
        CaseEvent.objects.filter(complaint=row).count(),
    )
