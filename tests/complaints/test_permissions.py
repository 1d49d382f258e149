"""Who may see and move a case (DOMAIN.md sections 1 and 7), stale pages, and the timeline.

A case of another department answers exactly like a case that does not exist; a role that
may see a case but not handle it gets PermissionDenied; every refusal changes nothing.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext

from complaints.models import AppendOnly, CaseEvent, Complaint, EventKind, Stage
from complaints.selectors import complaints_visible_to
from complaints.services import StaleAction, complaint_transition, contact_add
from tests.complaints.cases import ALLOWED, NOTE, case_in, snapshot
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

STALE_MESSAGE = (
    "Someone else changed this case while you were looking at it. "
    "The page now shows the latest version; check it and try again."
)


@pytest.fixture
def other_department():
    return DepartmentFactory(code="bel", name="Belastingen")


@pytest.fixture
def handler(department):
    return UserFactory(handler=True, department=department)


@pytest.fixture
def coordinator(department):
    return UserFactory(coordinator=True, department=department)


@pytest.fixture
def own_case(department, handler):
    return ComplaintFactory(intake=True, department=department, handler=handler)


@pytest.fixture
def other_case(other_department):
    return ComplaintFactory(explore=True, department=other_department)


def transition(complaint: Complaint, name: str, actor, *, expected_stage=None, note=NOTE):
    return complaint_transition(
        complaint_id=complaint.pk,
        name=name,
        actor=actor,
        expected_stage=expected_stage or complaint.stage,
        note=note,
    )


# ---------------------------------------------------------------------------
# Departments and roles
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["seek_solution", "start_judging", "withdraw"])
def test_a_handler_can_neither_see_nor_move_a_case_of_another_department(
    name, handler, own_case, other_case
):
    assert list(complaints_visible_to(handler)) == [own_case]
    before = snapshot(other_case)

    with pytest.raises(Complaint.DoesNotExist):
        transition(other_case, name, handler)
    with pytest.raises(Complaint.DoesNotExist):
        contact_add(
            complaint_id=other_case.pk,
            actor=handler,
            fields={"at": timezone.now(), "channel": "phone", "with_whom": "x", "summary": "x"},
        )

    assert snapshot(other_case) == before


def test_a_handler_moves_a_case_of_the_own_department(department, handler):
    # Not assigned to them: the department is what counts.
    complaint = ComplaintFactory(intake=True, department=department)

    moved = transition(complaint, "start_exploring", handler)

    assert moved.stage == Stage.EXPLORE
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.EXPLORE


def test_only_a_coordinator_can_reopen(department, handler, coordinator):
    complaint = ComplaintFactory(closed=True, department=department, handler=handler)
    before = snapshot(complaint)

    with pytest.raises(PermissionDenied):
        transition(complaint, "reopen", handler)
    assert snapshot(complaint) == before

    assert transition(complaint, "reopen", coordinator).stage == Stage.EXPLORE


def test_a_coordinator_moves_a_case_of_any_department(other_case, coordinator):
    assert other_case in complaints_visible_to(coordinator)

    assert transition(other_case, "start_judging", coordinator).stage == Stage.JUDGE


@pytest.mark.parametrize(
    ("stage", "name"),
    [
        (Stage.INTAKE, "start_exploring"),
        (Stage.EXPLORE, "seek_solution"),
        (Stage.JUDGE, "withdraw"),
    ],
)
def test_a_manager_sees_the_own_department_but_cannot_move_a_case(
    stage, name, department, other_case
):
    manager = UserFactory(manager=True, department=department)
    complaint = case_in(stage, department)
    assert list(complaints_visible_to(manager)) == [complaint]
    before = snapshot(complaint)

    with pytest.raises(PermissionDenied):
        transition(complaint, name, manager)

    assert snapshot(complaint) == before


@pytest.mark.parametrize("role", ["employee", "board"])
def test_an_employee_or_board_member_sees_no_case(role, department, own_case, other_case):
    user = UserFactory(**{role: True}, department=department)
    before = snapshot(own_case)

    assert not complaints_visible_to(user).exists()
    with pytest.raises(Complaint.DoesNotExist):
        transition(own_case, "start_exploring", user)

    assert snapshot(own_case) == before


# ---------------------------------------------------------------------------
# Stale pages
# ---------------------------------------------------------------------------
def test_a_stale_page_raises_stale_action_and_changes_nothing(department, handler, coordinator):
    complaint = case_in(Stage.EXPLORE, department)
    # Two pages show the case in explore; the coordinator moves it first.
    transition(complaint, "seek_solution", coordinator, expected_stage=Stage.EXPLORE)
    before = snapshot(complaint)

    with pytest.raises(StaleAction) as stale:
        transition(complaint, "start_judging", handler, expected_stage=Stage.EXPLORE)

    assert str(stale.value) == gettext(STALE_MESSAGE)
    assert snapshot(complaint) == before
    assert Complaint.objects.get(pk=complaint.pk).stage == Stage.RESOLVE


@pytest.mark.parametrize("expected_stage", [s for s in Stage.values if s != Stage.INTAKE])
def test_any_wrong_expected_stage_is_stale(expected_stage, own_case, handler):
    before = snapshot(own_case)

    with pytest.raises(StaleAction):
        transition(own_case, "start_exploring", handler, expected_stage=expected_stage)

    assert snapshot(own_case) == before


# ---------------------------------------------------------------------------
# The timeline
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "name"), [pytest.param(*key, id=f"{key[0]}-{key[1]}") for key in ALLOWED]
)
def test_every_move_writes_exactly_one_event(stage, name, department, handler, coordinator):
    actor = coordinator if name == "reopen" else handler
    complaint = case_in(stage, department)
    before = set(CaseEvent.objects.filter(complaint=complaint).values_list("pk", flat=True))

    transition(complaint, name, actor, note=f"  {NOTE}  ")

    new = CaseEvent.objects.filter(complaint=complaint).exclude(pk__in=before)
    assert new.count() == 1
    event = new.get()
    assert event.kind == EventKind.TRANSITION
    assert event.actor == actor
    assert event.name == name
    assert (event.from_stage, event.to_stage) == (stage, ALLOWED[stage, name])
    assert event.note == NOTE  # stripped
    assert event.at is not None


def test_case_events_cannot_be_changed_or_deleted(own_case, handler):
    transition(own_case, "start_exploring", handler)
    event = CaseEvent.objects.get(complaint=own_case, kind=EventKind.TRANSITION)

    event.note = "Achteraf aangepast."
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()

    stored = CaseEvent.objects.get(pk=event.pk)
    assert stored.note == NOTE
    assert stored.name == "start_exploring"


def test_a_person_complained_about_cannot_be_assigned_the_case(own_case, coordinator, department):
    """Awb 9:7: the complaint is handled by someone not involved in the conduct."""
    from complaints.services import CaseError, complaint_assign
    from tests.factories import PartyFactory

    colleague = UserFactory(handler=True, department=department, full_name="Piet Balie")
    PartyFactory(complaint=own_case, complained_about=colleague)
    before = snapshot(own_case)

    with pytest.raises(CaseError, match="Awb 9:7"):
        complaint_assign(
            complaint_id=own_case.pk,
            actor=coordinator,
            handler=colleague,
            expected_version=own_case.version,
        )

    assert snapshot(own_case) == before
    assert Complaint.objects.get(pk=own_case.pk).handler_id != colleague.pk
