"""The state machine as a table: every rung x stage x move, every guard, the closure reasons,
and the rung change 1 -> 2 (escalation).

The expected table (tests/complaints/cases.py) is written out from DOMAIN.md section 3, not
derived from the code it checks. Cases come from the factory traits, which satisfy every
guard of their stage, so a refusal below is always for the one thing the test takes away.
"""

from datetime import timedelta

import pytest
from django.utils.translation import gettext

from complaints.models import (
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    HearingWaiver,
    LetterKind,
    LetterStatus,
    Rung,
    Stage,
    guards,
)
from complaints.moves import MOVES, moves_for
from complaints.services import CaseError, MoveRefused, complaint_transition
from complaints.services.ladder import complaint_escalate
from tests.complaints.cases import (
    ALLOWED,
    ALLOWED_AT,
    CLOSES_AS,
    ESCALATE,
    NEEDS_NOTE,
    NOTE,
    case_in,
    snapshot,
)
from tests.factories import (
    RECEIVED_ON,
    ComplaintFactory,
    ComplaintPartFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(department):
    # The coordinator holds every permission a move asks for, reopen included.
    return UserFactory(coordinator=True, department=department)


def refusal(complaint: Complaint, name: str, actor, note: str = NOTE) -> MoveRefused:
    """Try the move, expect MoveRefused, and check that nothing changed."""
    before = snapshot(complaint)
    with pytest.raises(MoveRefused) as refused:
        complaint_transition(
            complaint_id=complaint.pk,
            name=name,
            actor=actor,
            expected_stage=complaint.stage,
            note=note,
        )
    assert snapshot(complaint) == before
    assert str(refused.value), "a refusal always says why"
    return refused.value


def move(complaint: Complaint, name: str, actor, note: str = NOTE) -> Complaint:
    return complaint_transition(
        complaint_id=complaint.pk,
        name=name,
        actor=actor,
        expected_stage=complaint.stage,
        note=note,
    )


def test_the_table_covers_every_move_name():
    assert set(MOVES) == {name for _stage, name in ALLOWED}
    assert len(MOVES) == 10
    assert len(Stage.values) == 5
    assert set(ALLOWED_AT) == set(Rung.values)


def test_every_transition_of_the_case_is_in_a_table():
    """The case-page moves, and the rung change that has its own service and form."""
    transitions = {
        name for name, attribute in vars(Complaint).items() if hasattr(attribute, "_django_fsm")
    }
    assert transitions == {*MOVES, "escalate"}


# ---------------------------------------------------------------------------
# Every rung x stage x move
# ---------------------------------------------------------------------------
MATRIX = [
    pytest.param(
        rung,
        stage,
        name,
        id=f"rung{rung}-{stage}-{name}-"
        f"{'allowed' if (stage, name) in ALLOWED_AT[rung] else 'refused'}",
    )
    for rung in Rung.values
    for stage in Stage.values
    for name in MOVES
]


@pytest.mark.parametrize(("rung", "stage", "name"), MATRIX)
def test_a_move_is_allowed_exactly_where_the_table_says(rung, stage, name, department, coordinator):
    complaint = case_in(stage, department, rung=rung)
    before = snapshot(complaint)
    allowed = ALLOWED_AT[rung]
    # The case page offers exactly the moves of the table (available or with reasons).
    assert {m.name for m in moves_for(complaint, coordinator)} == {
        n for s, n in allowed if s == stage
    }

    if (stage, name) not in allowed:
        refused = refusal(complaint, name, coordinator)
        assert str(refused) == gettext("This step is not possible from the current stage.")
        return

    moved = move(complaint, name, coordinator)

    target = allowed[stage, name]
    row = Complaint.objects.get(pk=complaint.pk)
    assert moved.stage == row.stage == target
    assert row.version == before[1] + 1
    events = list(CaseEvent.objects.filter(complaint=row).order_by("id"))
    assert len(events) == before[-1] + 1
    event = events[-1]
    assert (event.kind, event.name, event.from_stage, event.to_stage) == (
        EventKind.TRANSITION,
        name,
        stage,
        target,
    )
    assert event.actor == coordinator
    assert event.note == NOTE


# ---------------------------------------------------------------------------
# One test per guard: take its data away, and the move says exactly that
# ---------------------------------------------------------------------------
def handler_complained_about(department) -> Complaint:
    complaint = case_in(Stage.INTAKE, department)
    # Awb 9:7: the assigned handler is also the person complained about.
    PartyFactory(complaint=complaint, complained_about=complaint.handler)
    return complaint


def one_part_unjudged(department) -> Complaint:
    complaint = case_in(Stage.JUDGE, department)
    ComplaintPartFactory(complaint=complaint, judgment="")
    return complaint


def build(stage: str, **overrides):
    return lambda department: case_in(stage, department, **overrides)


GUARD_CASES = [
    # leave intake
    pytest.param(
        guards.has_handler,
        "start_exploring",
        build(Stage.INTAKE, handler=None),
        id="has_handler-start_exploring",
    ),
    pytest.param(
        guards.handler_is_impartial,
        "start_exploring",
        handler_complained_about,
        id="handler_is_impartial-start_exploring",
    ),
    pytest.param(
        guards.acknowledged_if_written,
        "start_exploring",
        build(Stage.INTAKE, is_written=True, acknowledged_on=None),
        id="acknowledged_if_written-start_exploring",
    ),
    # leave explore (both ways)
    *[
        pytest.param(guard, name, build(Stage.EXPLORE, **missing), id=f"{guard.__name__}-{name}")
        for guard, missing in [
            (guards.has_contact, {"contacts": 0}),
            (guards.has_problem, {"underlying_problem": "   "}),
            (guards.has_desired_outcome, {"desired_outcome": ""}),
            (guards.has_parts, {"parts": 0}),
        ]
        for name in ("seek_solution", "start_judging")
    ],
    # close as resolved (Awb 9:5)
    pytest.param(
        guards.has_solution,
        "close_resolved",
        build(Stage.RESOLVE, solution="  "),
        id="has_solution-close_resolved",
    ),
    pytest.param(
        guards.satisfaction_confirmed,
        "close_resolved",
        build(Stage.RESOLVE, satisfaction_confirmed_on=None),
        id="satisfaction_confirmed-close_resolved-no_date",
    ),
    pytest.param(
        guards.satisfaction_confirmed,
        "close_resolved",
        build(Stage.RESOLVE, satisfaction_channel=""),
        id="satisfaction_confirmed-close_resolved-no_channel",
    ),
    # close a rung-1 log as resolved straight from explore: the same evidence (Awb 9:5)
    pytest.param(
        guards.has_solution,
        "close_resolved",
        build(Stage.EXPLORE, rung=Rung.EMPLOYEE, solution=" "),
        id="has_solution-close_resolved-rung_1",
    ),
    pytest.param(
        guards.satisfaction_confirmed,
        "close_resolved",
        build(Stage.EXPLORE, rung=Rung.EMPLOYEE, satisfaction_confirmed_on=None),
        id="satisfaction_confirmed-close_resolved-rung_1",
    ),
    # close as judged (Awb 9:10, 9:12)
    pytest.param(
        guards.every_part_judged,
        "close_judged",
        build(Stage.JUDGE, parts__judgment=""),
        id="every_part_judged-close_judged-none_judged",
    ),
    pytest.param(
        guards.every_part_judged,
        "close_judged",
        one_part_unjudged,
        id="every_part_judged-close_judged-one_of_two_unjudged",
    ),
    pytest.param(
        guards.every_part_judged,
        "close_judged",
        build(Stage.JUDGE, parts=0),
        id="every_part_judged-close_judged-no_parts",
    ),
    pytest.param(
        guards.heard_or_waived,
        "close_judged",
        build(Stage.JUDGE, hearing_report=" ", hearing_waiver=""),
        id="heard_or_waived-close_judged",
    ),
    # close as judged: the outcome letter sent (Awb 9:12); one ready to post does not count
    pytest.param(
        guards.outcome_letter_sent,
        "close_judged",
        build(Stage.JUDGE, letters=[]),
        id="outcome_letter_sent-close_judged-none",
    ),
    pytest.param(
        guards.outcome_letter_sent,
        "close_judged",
        build(Stage.JUDGE, letters=[(LetterKind.OUTCOME, LetterStatus.TO_POST)]),
        id="outcome_letter_sent-close_judged-not_posted_yet",
    ),
    pytest.param(
        guards.outcome_letter_sent,
        "close_judged",
        build(Stage.JUDGE, letters=[(LetterKind.OUTCOME, LetterStatus.DRAFT)]),
        id="outcome_letter_sent-close_judged-draft",
    ),
    # a postponed case: both notices out (Awb 9:11 lid 2)
    pytest.param(
        guards.postponement_notified,
        "close_judged",
        build(
            Stage.JUDGE,
            postponed_on=RECEIVED_ON + timedelta(days=30),
            postponement_weeks=4,
            postponement_reason="Advies nodig.",
            letters=[
                LetterKind.OUTCOME,
                LetterKind.POSTPONEMENT,
                (LetterKind.POSTPONEMENT, LetterStatus.TO_POST),
            ],
        ),
        id="postponement_notified-close_judged-one_not_posted",
    ),
    pytest.param(
        guards.postponement_notified,
        "close_judged",
        build(
            Stage.JUDGE,
            postponed_on=RECEIVED_ON + timedelta(days=30),
            postponement_weeks=4,
            postponement_reason="Advies nodig.",
            letters=[LetterKind.OUTCOME],
        ),
        id="postponement_notified-close_judged-no_notice",
    ),
    # close as not handled (Awb 9:8), forwarded (Awb 2:3)
    pytest.param(
        guards.not_handled_notice_sent,
        "close_not_handled",
        build(Stage.INTAKE, letters=[]),
        id="not_handled_notice_sent-close_not_handled-from_intake",
    ),
    pytest.param(
        guards.not_handled_notice_sent,
        "close_not_handled",
        build(Stage.EXPLORE, letters=[LetterKind.OUTCOME]),
        id="not_handled_notice_sent-close_not_handled-another_letter",
    ),
    pytest.param(
        guards.has_not_handled_ground,
        "close_not_handled",
        build(Stage.INTAKE, not_handled_ground=""),
        id="has_not_handled_ground-close_not_handled-from_intake",
    ),
    pytest.param(
        guards.has_not_handled_ground,
        "close_not_handled",
        build(Stage.EXPLORE, not_handled_ground=""),
        id="has_not_handled_ground-close_not_handled-from_explore",
    ),
    pytest.param(
        guards.has_receiving_body,
        "close_forwarded",
        build(Stage.INTAKE, forwarded_to="  "),
        id="has_receiving_body-close_forwarded",
    ),
]


@pytest.mark.parametrize(("guard", "name", "make_case"), GUARD_CASES)
def test_a_move_is_refused_with_the_message_of_its_unmet_guard(
    guard, name, make_case, department, coordinator
):
    complaint = make_case(department)

    refused = refusal(complaint, name, coordinator)

    # Exactly this guard: the factory trait satisfied every other one.
    assert refused.reasons == [str(guard.message)]


def test_every_guard_of_the_model_has_a_refusal_test():
    tested = {param.values[0].__name__ for param in GUARD_CASES}
    defined = {
        check.__name__
        for name in MOVES
        for stage in Stage.values
        if (transition := getattr(Complaint, name)._django_fsm.get_transition(stage))
        for check in transition.conditions
    }
    assert defined <= tested


PASSES = [
    # Awb 9:10 lid 2: a recorded waiver ground replaces the hearing report.
    pytest.param(
        Stage.JUDGE,
        "close_judged",
        {"hearing_report": "", "hearing_held_on": None, "hearing_waiver": HearingWaiver.WAIVED},
        id="waiver_instead_of_hearing_report",
    ),
    # Awb 9:6 binds written complaints only: an oral one needs no acknowledgement.
    pytest.param(
        Stage.INTAKE,
        "start_exploring",
        {"is_written": False, "acknowledged_on": None},
        id="oral_complaint_without_acknowledgement",
    ),
    # Only the handler counts for Awb 9:7: another person complained about is no obstacle.
    pytest.param(Stage.INTAKE, "start_exploring", {}, id="someone_else_complained_about"),
    # Awb 9:11 lid 2: a postponed case closes once every notice went out.
    pytest.param(
        Stage.JUDGE,
        "close_judged",
        {
            "postponed_on": RECEIVED_ON + timedelta(days=30),
            "postponement_weeks": 2,
            "postponement_reason": "Advies nodig.",
            "letters": [LetterKind.OUTCOME, LetterKind.POSTPONEMENT, LetterKind.POSTPONEMENT],
        },
        id="postponed_with_every_notice_sent",
    ),
]


@pytest.mark.parametrize(("stage", "name", "overrides"), PASSES)
def test_a_guard_is_met_by_its_alternative(stage, name, overrides, department, coordinator):
    complaint = case_in(stage, department, **overrides)
    PartyFactory(
        complaint=complaint, complained_about=UserFactory(employee=True, department=department)
    )

    moved = move(complaint, name, coordinator)

    assert moved.stage == ALLOWED[stage, name]


# ---------------------------------------------------------------------------
# Moves that need a reason
# ---------------------------------------------------------------------------
NOTE_MOVES = [
    pytest.param(stage, name, id=f"{name}-from_{stage}")
    for (stage, name) in ALLOWED
    if name in NEEDS_NOTE
]


@pytest.mark.parametrize("note", ["", "   \n "], ids=["empty", "blank"])
@pytest.mark.parametrize(("stage", "name"), NOTE_MOVES)
def test_a_move_that_needs_a_reason_refuses_an_empty_note(
    stage, name, note, department, coordinator
):
    complaint = case_in(stage, department)

    refused = refusal(complaint, name, coordinator, note=note)

    assert refused.reasons == [gettext("Give a reason.")]


def test_exactly_withdraw_reopen_and_solution_failed_need_a_reason():
    needs = {
        name
        for name in MOVES
        for transition in getattr(Complaint, name)._django_fsm.transitions.values()
        if transition.custom.get("needs_note")
    }
    assert needs == NEEDS_NOTE


# ---------------------------------------------------------------------------
# Closure reasons
# ---------------------------------------------------------------------------
CLOSINGS = [
    pytest.param(rung, stage, name, id=f"rung{rung}-{name}-from_{stage}")
    for rung in (Rung.EMPLOYEE, Rung.HANDLER)
    for (stage, name), target in ALLOWED_AT[rung].items()
    if target == Stage.CLOSED
]


@pytest.mark.parametrize(("rung", "stage", "name"), CLOSINGS)
def test_closing_records_the_reason_and_reopening_clears_it(
    rung, stage, name, department, coordinator
):
    complaint = case_in(stage, department, rung=rung)

    move(complaint, name, coordinator, note="Klager trok de klacht telefonisch in.")

    closed = Complaint.objects.get(pk=complaint.pk)
    assert closed.stage == Stage.CLOSED
    assert closed.closure_reason == CLOSES_AS[name]
    assert closed.closure_note == "Klager trok de klacht telefonisch in."
    assert closed.closed_at is not None

    move(closed, "reopen", coordinator, note=NOTE)

    reopened = Complaint.objects.get(pk=complaint.pk)
    assert reopened.stage == Stage.EXPLORE
    assert (reopened.closure_reason, reopened.closure_note, reopened.closed_at) == ("", "", None)
    assert list(
        reopened.events.filter(kind=EventKind.TRANSITION).values_list(
            "name", "from_stage", "to_stage", "note"
        )
    ) == [
        (name, stage, Stage.CLOSED, "Klager trok de klacht telefonisch in."),
        ("reopen", Stage.CLOSED, Stage.EXPLORE, NOTE),
    ]


@pytest.mark.parametrize("reason", ClosureReason.values)
def test_a_closed_case_from_the_factory_can_only_be_reopened(reason, department, coordinator):
    complaint = ComplaintFactory(closed=True, reason=reason, department=department)
    assert complaint.closure_reason == reason

    for name in MOVES:
        if name != "reopen":
            refusal(complaint, name, coordinator)

    assert move(complaint, "reopen", coordinator).stage == Stage.EXPLORE


def test_the_stage_cannot_be_assigned_directly():
    complaint = ComplaintFactory(explore=True)

    with pytest.raises(AttributeError):
        complaint.stage = Stage.CLOSED

    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.EXPLORE


# ---------------------------------------------------------------------------
# The rung change 1 -> 2: "hand over to a complaint handler"
# ---------------------------------------------------------------------------
ESCALATIONS = [
    pytest.param(
        rung,
        stage,
        id=f"rung{rung}-{stage}-{'allowed' if (rung, stage) in ESCALATE else 'refused'}",
    )
    for rung in Rung.values
    for stage in Stage.values
]


@pytest.mark.parametrize(("rung", "stage"), ESCALATIONS)
def test_escalation_is_allowed_exactly_where_the_table_says(rung, stage, department, coordinator):
    complaint = case_in(stage, department, rung=rung)
    before = snapshot(complaint)

    if (rung, stage) not in ESCALATE:
        with pytest.raises(CaseError) as refused:
            complaint_escalate(
                complaint_id=complaint.pk, actor=coordinator, reason=NOTE, is_written=True
            )
        assert str(refused.value) == gettext(
            "Only a case at rung 1 can be handed over to a complaint handler."
        )
        assert snapshot(complaint) == before
        return

    complaint_escalate(complaint_id=complaint.pk, actor=coordinator, reason=NOTE, is_written=True)

    row = Complaint.objects.get(pk=complaint.pk)
    assert (row.stage, row.rung) == ESCALATE[rung, stage]
    assert (row.closure_reason, row.closed_at) == ("", None)
    assert row.version == before[1] + 1
    transition, rung_event = CaseEvent.objects.filter(
        complaint=row, kind__in=[EventKind.TRANSITION, EventKind.RUNG]
    ).order_by("-id")[:2][::-1]
    assert (transition.kind, transition.name, transition.from_stage, transition.to_stage) == (
        EventKind.TRANSITION,
        "escalate",
        stage,
        Stage.INTAKE,
    )
    assert (rung_event.kind, rung_event.from_rung, rung_event.to_rung, rung_event.note) == (
        EventKind.RUNG,
        Rung.EMPLOYEE,
        Rung.HANDLER,
        NOTE,
    )
    assert transition.actor == rung_event.actor == coordinator
