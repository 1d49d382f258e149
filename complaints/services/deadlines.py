"""The due dates stored on a case (DOMAIN.md section 5), computed from ``ladder.deadlines``.

``due_dates_compute`` sets them on the instance and writes nothing; ``due_dates_recompute`` also
records a DEADLINE event with the old and new dates when any of them moved. Services call it in
their own transaction, after the fields the dates depend on have changed.
"""

from datetime import date

from django.utils.formats import date_format

from accounts.models import User
from complaints.models import CaseEvent, Complaint, EventKind, Rung
from complaints.models.case import FORMAL
from ladder import deadlines, selectors

DUE_FIELDS = (
    "decision_due",
    "acknowledgement_due",
    "first_contact_due",
    "not_handled_notice_due",
    "rung1_due",
)

# The names of the DEADLINE events.
POSTPONED = "postponed"
EXTENDED = "extended"
RECOMPUTED = "recomputed"


def is_formal(complaint: Complaint) -> bool:
    """Awb 9:11 binds written complaints at rung 2; oral ones have no legal term (9:3 ff.).
    A case at rung 3 keeps its rung-2 procedure (``FORMAL``): reopened there, its terms
    still count (they were dropped when its dates were computed again)."""
    return complaint.rung in FORMAL and complaint.is_written


def postponement_weeks(complaint: Complaint) -> int:
    """How many weeks the case was postponed by (Awb 9:11 lid 2). A postponement recorded
    without the number (imported data) counts as the full 4."""
    return complaint.postponement_weeks or deadlines.POSTPONEMENT_WEEKS


def decision_due_of(complaint: Complaint, *, equal_days=None) -> date | None:
    if not is_formal(complaint):
        return None
    if complaint.extended_until:  # Awb 9:11 lid 3: the date agreed in writing wins
        return complaint.extended_until
    if complaint.postponed_on:  # Awb 9:11 lid 2
        return deadlines.postponed_decision_due(
            complaint.received_on,
            postponement_weeks(complaint),
            committee=complaint.advisory_committee,
            equal_days=equal_days,
        )
    return deadlines.decision_due(
        complaint.received_on, committee=complaint.advisory_committee, equal_days=equal_days
    )


def due_dates_compute(complaint: Complaint, *, equal_days=None, norms=None) -> None:
    """Set the due dates on ``complaint`` (not saved): the four of rung 2, or at rung 1 only
    the rung-1 service norm.

    ``equal_days`` and ``norms`` default to what the functional admin maintains.
    """
    if equal_days is None:
        equal_days = selectors.equal_days()
    if norms is None:
        norms = selectors.service_norms()
    received = complaint.received_on
    formal = is_formal(complaint)
    complaint.decision_due = decision_due_of(complaint, equal_days=equal_days)
    # Service norms (not law): the acknowledgement date stays after it was sent; the reminder
    # sweep reads acknowledged_on and first_contact_on.
    complaint.acknowledgement_due = (
        deadlines.add_working_days(received, norms.acknowledgement_days, equal_days=equal_days)
        if formal
        else None
    )
    complaint.first_contact_due = (
        deadlines.add_working_days(received, norms.first_contact_days, equal_days=equal_days)
        if complaint.rung == Rung.HANDLER
        else None
    )
    # Awb 9:8: only while a ground not to handle is recorded on an open case, and only for a
    # complaint with the formal duties: not at rung 1, not an oral complaint (DOMAIN.md, 9:4:
    # "oral complaints are handled too, without the formal duties").
    complaint.not_handled_notice_due = (
        deadlines.not_handled_notice_due(received, equal_days=equal_days)
        if complaint.not_handled_ground and complaint.is_open and formal
        else None
    )
    # Service norm (not law): a rung-1 log is closed or handed to a complaint handler within
    # so many working days of the day it was logged (a log closed on the spot met it). It
    # depends on the log only, so no later edit moves it; the reminders read open logs only.
    logged = complaint.logged_on or received
    complaint.rung1_due = (
        deadlines.add_working_days(logged, norms.rung1_days, equal_days=equal_days)
        if complaint.rung == Rung.EMPLOYEE
        else None
    )


def due_dates_of(complaint: Complaint) -> dict[str, date | None]:
    return {name: getattr(complaint, name) for name in DUE_FIELDS}


def _label(field: str) -> str:
    return str(Complaint._meta.get_field(field).verbose_name).capitalize()


def _day(value: date | None) -> str:
    return date_format(value) if value else "-"


def due_dates_record(
    complaint: Complaint,
    before: dict[str, date | None],
    *,
    actor: User | None,
    name: str = RECOMPUTED,
    note: str = "",
    **extra,
) -> CaseEvent | None:
    """One DEADLINE event listing every due date that differs from ``before`` (old -> new).

    Nothing is written when no date moved.
    """
    changes = {
        field: [old.isoformat() if old else None, new.isoformat() if new else None]
        for field, old in before.items()
        if (new := getattr(complaint, field)) != old
    }
    if not changes:
        return None
    lines = [
        f"{_label(field)}: {_day(before[field])} → {_day(getattr(complaint, field))}"
        for field in changes
    ]
    if note:
        lines.append(note)
    return CaseEvent.record(
        complaint,
        actor=actor,
        kind=EventKind.DEADLINE,
        name=name,
        note="\n".join(lines),
        changes=changes,
        **extra,
    )


def due_dates_recompute(complaint: Complaint, *, actor: User | None) -> CaseEvent | None:
    """Recompute the due dates on a registered case and record what moved (not saved)."""
    before = due_dates_of(complaint)
    due_dates_compute(complaint)
    return due_dates_record(complaint, before, actor=actor)
