"""Shared by the state-machine tests: the expected transition table and case helpers.

The table is written out from DOMAIN.md section 3 (and the docstring of
complaints/models/case.py), not derived from the code it checks.
"""

from complaints.models import (
    CaseEvent,
    Channel,
    ClosureReason,
    Complaint,
    LetterKind,
    NotHandledGround,
    Rung,
    Stage,
)
from tests.factories import RECEIVED_ON, ComplaintFactory

# (stage, move) -> the stage it lands in, at rungs 2 and 3 (the formal procedure of Awb
# chapter 9; a rung-3 case is the rung-2 case the ombudsman took up). Everything not listed
# is refused.
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

# At rung 1 (DOMAIN.md section 2) the employee removed the dissatisfaction: no formal duties,
# so none of the Awb steps (resolve, judge, 9:8). A log is closed as resolved straight from
# explore (with the satisfaction as evidence, Awb 9:5), withdrawn, reopened, or handed to a
# complaint handler (ESCALATE below).
ALLOWED_AT_RUNG_1 = {
    (Stage.INTAKE, "start_exploring"): Stage.EXPLORE,
    (Stage.INTAKE, "close_forwarded"): Stage.CLOSED,  # Awb 2:3 holds for everyone
    (Stage.INTAKE, "withdraw"): Stage.CLOSED,
    (Stage.EXPLORE, "close_resolved"): Stage.CLOSED,  # Awb 9:5, no resolve step
    (Stage.EXPLORE, "withdraw"): Stage.CLOSED,
    (Stage.RESOLVE, "withdraw"): Stage.CLOSED,
    (Stage.JUDGE, "withdraw"): Stage.CLOSED,
    (Stage.CLOSED, "reopen"): Stage.EXPLORE,
}

ALLOWED_AT = {Rung.EMPLOYEE: ALLOWED_AT_RUNG_1, Rung.HANDLER: ALLOWED, Rung.OMBUDSMAN: ALLOWED}

# "Hand over to a complaint handler" (complaints.services.ladder.complaint_escalate, not a
# case-page move): a rung-1 case, open or closed, goes to intake at rung 2. Never from rung 2
# or 3. (rung, stage) -> (stage, rung) after it.
ESCALATE = {(Rung.EMPLOYEE, stage): (Stage.INTAKE, Rung.HANDLER) for stage in Stage.values}

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
    """A case in ``stage`` with every guard of every move from that stage satisfied; at rung
    1 (``rung=Rung.EMPLOYEE``) a rung-1 log: oral, no Awb dates, logged on the day received,
    and in explore with the solution and satisfaction its closing needs (Awb 9:5)."""
    if overrides.get("rung") == Rung.EMPLOYEE:
        overrides = {
            "is_written": False,
            "acknowledged_on": None,
            "decision_due": None,
            "logged_on": RECEIVED_ON,
            "channel": Channel.COUNTER,
            **(
                {
                    "solution": "Het paspoort is alsnog meegegeven.",
                    "satisfaction_confirmed_on": RECEIVED_ON,
                    "satisfaction_channel": Channel.COUNTER,
                }
                if stage == Stage.EXPLORE
                else {}
            ),
            **overrides,
        }
    if stage in (Stage.INTAKE, Stage.EXPLORE):
        # The screening outcomes that the closing moves of these stages need, and the
        # notice of not handling sent (Awb 9:8).
        overrides = {
            "not_handled_ground": NotHandledGround.OLDER_THAN_A_YEAR,
            "forwarded_to": "Belastingdienst",
            "letters": [LetterKind.NOT_HANDLED],
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
