"""Improvement actions (issue 8, point 1; DOMAIN.md section 6): created with the complaints
they answer (by reference), scoped per role, completed and checked for effect, reported back
to the complainants through the outbox, and reminded to their owner when overdue."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import ClosureReason, OutboxKind, OutboxMessage
from reporting.models import ActionEffect, ActionStatus, ImprovementAction
from reporting.services.learning import action_complainants_inform, actions_remind
from reporting.tasks import actions_sweep_task
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def other_department():
    return DepartmentFactory(code="bel", name="Belastingen")


@pytest.fixture
def manager(department):
    return UserFactory(manager=True, department=department, full_name="Lotte Leiding")


def closed_case(department, **fields):
    return ComplaintFactory(
        closed=True, reason=ClosureReason.RESOLVED, department=department, **fields
    )


def make_action(owner, creator=None, department=None, **fields) -> ImprovementAction:
    return ImprovementAction.objects.create(
        title=fields.pop("title", "Terugbelafspraken nakomen"),
        owner=owner,
        created_by=creator or owner,
        department=department,
        due_on=fields.pop("due_on", TODAY + timedelta(days=30)),
        **fields,
    )


def form_data(owner, **overrides) -> dict:
    return {
        "title": "Terugbelafspraken nakomen",
        "description": "Elke terugbelafspraak komt in de agenda.",
        "department": owner.department_id or "",
        "owner": owner.pk,
        "due_on": (TODAY + timedelta(days=30)).isoformat(),
        "status": ActionStatus.PLANNED,
        "references": "",
        "effect": "",
        "effect_note": "",
        "effect_checked_on": "",
        **overrides,
    }


# ---------------------------------------------------------------------------
# Create and edit
# ---------------------------------------------------------------------------
def test_a_handler_starts_an_action_linked_to_cases_by_reference(
    client, handler, manager, department
):
    one, two = closed_case(department), closed_case(department)
    client.force_login(handler)
    page = client.get(reverse("reporting:action_new") + f"?complaint={one.reference}")
    assert f'value="{one.reference}"' in page.content.decode()  # pre-filled from the case
    response = client.post(
        reverse("reporting:action_new"),
        form_data(manager, references=f"{one.reference}, {two.reference.lower()}"),
    )
    assert response.status_code == 302
    action = ImprovementAction.objects.get()
    assert response["Location"] == reverse("reporting:action", args=[action.pk])
    assert set(action.complaints.all()) == {one, two}
    assert (action.owner, action.created_by) == (manager, handler)
    assert action.completed_on is None

    detail = client.get(response["Location"]).content.decode()
    assert reverse("complaints:case", args=[one.reference]) in detail
    assert reverse("complaints:case", args=[two.reference]) in detail


def test_unknown_and_unseen_references_are_named_and_the_input_kept(
    client, handler, manager, department, other_department
):
    mine = closed_case(department)
    theirs = closed_case(other_department)
    typed = f"{mine.reference}, KL-2026-99999, {theirs.reference}, nonsense"
    client.force_login(handler)
    with translation.override("en"):
        response = client.post(
            reverse("reporting:action_new"),
            form_data(manager, references=typed, title="Mijn getypte titel"),
            HTTP_ACCEPT_LANGUAGE="en",
        )
    assert response.status_code == 400
    error = str(response.context["form"].errors["references"])
    assert "KL-2026-99999" in error
    assert theirs.reference in error
    assert "nonsense" in error
    assert mine.reference not in error
    page = response.content.decode()
    assert typed in page
    assert "Mijn getypte titel" in page
    assert not ImprovementAction.objects.exists()


def test_only_people_who_may_own_actions_can_be_the_owner(client, handler, department):
    client.force_login(handler)
    response = client.post(reverse("reporting:action_new"), form_data(handler))
    assert response.status_code == 400
    assert "owner" in response.context["form"].errors


def test_completed_on_is_set_when_the_action_is_done_and_cleared_when_reopened(client, manager):
    action = make_action(manager, department=manager.department)
    client.force_login(manager)
    url = reverse("reporting:action_edit", args=[action.pk])
    assert client.post(url, form_data(manager, status=ActionStatus.DONE)).status_code == 302
    action.refresh_from_db()
    assert action.completed_on == TODAY

    client.post(url, form_data(manager, status=ActionStatus.DONE, title="Nog steeds klaar"))
    action.refresh_from_db()
    assert action.completed_on == TODAY  # kept, not moved

    client.post(url, form_data(manager, status=ActionStatus.IN_PROGRESS))
    action.refresh_from_db()
    assert action.completed_on is None


def test_the_effect_can_only_be_checked_once_the_action_is_done(client, manager):
    action = make_action(manager, department=manager.department)
    client.force_login(manager)
    url = reverse("reporting:action_edit", args=[action.pk])
    early = form_data(
        manager,
        status=ActionStatus.IN_PROGRESS,
        effect=ActionEffect.EFFECTIVE,
        effect_note="Geen klachten meer.",
    )
    response = client.post(url, early)
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"effect", "effect_note"}
    assert "Geen klachten meer." in response.content.decode()

    no_date = form_data(manager, status=ActionStatus.DONE, effect=ActionEffect.PARTLY)
    response = client.post(url, no_date)
    assert response.status_code == 400
    assert "effect_checked_on" in response.context["form"].errors

    checked = {**no_date, "effect_checked_on": TODAY.isoformat(), "effect_note": "Gemeten."}
    assert client.post(url, checked).status_code == 302
    action.refresh_from_db()
    assert (action.effect, action.effect_checked_on) == (ActionEffect.PARTLY, TODAY)


def test_editing_keeps_linked_cases_the_editor_may_not_open(
    client, manager, department, other_department
):
    board = UserFactory(board=True)
    theirs = closed_case(other_department)
    action = make_action(manager, department=department)
    action.complaints.add(theirs)
    client.force_login(board)  # the board sees every action, but no case
    page = client.get(reverse("reporting:action_edit", args=[action.pk])).content.decode()
    assert theirs.reference in page
    data = form_data(manager, references=theirs.reference, title="Andere titel")
    assert client.post(reverse("reporting:action_edit", args=[action.pk]), data).status_code == 302
    assert list(action.complaints.all()) == [theirs]


# ---------------------------------------------------------------------------
# Who sees what
# ---------------------------------------------------------------------------
def test_actions_are_scoped_by_role(client, department, other_department, manager, handler):
    board = UserFactory(board=True)
    coordinator = UserFactory(coordinator=True, department=other_department)
    other_manager = UserFactory(manager=True, department=other_department)
    owned = make_action(manager, department=other_department, title="Van mij")
    of_department = make_action(board, department=department, title="Van de afdeling")
    started = make_action(board, creator=handler, department=None, title="Door mij gestart")
    elsewhere = make_action(other_manager, department=other_department, title="Elders")
    everything = {owned, of_department, started, elsewhere}

    def listed(user, scope) -> set:
        client.force_login(user)
        response = client.get(reverse("reporting:actions"), {"scope": scope, "state": "all"})
        assert response.status_code == 200
        return set(response.context["page"].object_list)

    assert listed(manager, "mine") == {owned}
    assert listed(manager, "department") == {of_department}
    assert listed(manager, "all") == {owned, of_department}
    assert listed(handler, "all") == {started}
    assert listed(board, "all") == everything
    assert listed(coordinator, "all") == everything
    assert listed(other_manager, "all") == {owned, elsewhere}

    client.force_login(manager)
    assert client.get(reverse("reporting:action", args=[elsewhere.pk])).status_code == 404
    assert client.get(reverse("reporting:action_edit", args=[elsewhere.pk])).status_code == 404
    client.force_login(UserFactory(employee=True, department=department))
    assert client.get(reverse("reporting:actions")).status_code == 403


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("employee", False),
        ("handler", True),
        ("coordinator", True),
        ("manager", True),
        ("board", True),
        ("functional_admin", False),
    ],
)
def test_improvement_actions_are_in_the_navigation_of_owners_and_handlers(role, shown):
    from accounts.navigation import items_for

    user = UserFactory(**{role: True})
    urls = [item.url for item in items_for(user, current_path="/staff/")]
    assert (reverse("reporting:actions") in urls) is shown


def test_open_and_overdue_actions_are_highlighted(client, manager):
    make_action(manager, department=manager.department, due_on=TODAY - timedelta(days=3))
    make_action(manager, department=manager.department, status=ActionStatus.DONE)
    client.force_login(manager)
    page = client.get(reverse("reporting:actions"), {"state": "all"}).content.decode()
    assert page.count("kl-action--overdue") == 1
    assert page.count("kl-action--open") == 1
    overdue = client.get(reverse("reporting:actions"), {"state": "overdue"})
    assert len(overdue.context["page"].object_list) == 1


@pytest.mark.parametrize("role", ["manager", "board"])
def test_the_list_costs_the_same_for_3_actions_as_for_15(client, role, department):
    viewer = UserFactory(**{role: True}, department=department)

    def fill(count: int) -> None:
        for number in range(count):
            action = make_action(viewer, department=department, title=f"Actie {number}")
            action.complaints.add(closed_case(department), closed_case(department))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("reporting:actions"), {"scope": "all"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    client.force_login(viewer)
    fill(3)
    client.get(reverse("reporting:actions"))  # warm up what is cached per process
    few = queries()
    fill(12)
    many = queries()
    assert many == few
    print(f"improvement actions as {role}: {few} queries (3 and 15 actions)")


# ---------------------------------------------------------------------------
# Feedback to the complainants
# ---------------------------------------------------------------------------
def test_informing_writes_one_letter_per_complainant_with_email_in_their_language(
    client, manager, department
):
    dutch = closed_case(department, complainant_email="klager@example.nl", language="nl")
    english = closed_case(department, complainant_email="complainant@example.com", language="en")
    no_mail = closed_case(department, complainant_email="")
    action = make_action(manager, department=department, due_on=date(2027, 3, 15))
    action.complaints.set([dutch, english, no_mail])

    client.force_login(manager)
    url = reverse("reporting:action_inform", args=[action.pk])
    assert client.post(url).status_code == 302  # without the confirmation: nothing
    assert not OutboxMessage.objects.exists()
    response = client.post(url, {"confirm": "1"}, follow=True)
    texts = [str(message) for message in response.context["messages"]]
    assert any("1" in text for text in texts)  # one complainant without e-mail is told

    messages = {m.complaint_id: m for m in OutboxMessage.objects.all()}
    assert set(messages) == {dutch.pk, english.pk}
    assert messages[dutch.pk].key == f"action-feedback:{action.pk}:{dutch.reference}"
    assert messages[dutch.pk].kind == OutboxKind.OTHER
    assert messages[dutch.pk].to == "klager@example.nl"
    assert (messages[dutch.pk].language, messages[english.pk].language) == ("nl", "en")
    assert "15 maart 2027" in messages[dutch.pk].body  # rendered in Dutch
    assert "15 March 2027" in messages[english.pk].body  # rendered in English
    assert "Terugbelafspraken nakomen" in messages[english.pk].body
    action.refresh_from_db()
    informed_at = action.feedback_sent_at
    assert informed_at is not None

    client.post(url, {"confirm": "1"})
    assert OutboxMessage.objects.count() == 2  # still one each
    action.refresh_from_db()
    assert action.feedback_sent_at == informed_at


def test_a_complaint_linked_later_is_informed_once_too(manager, department):
    first = closed_case(department, complainant_email="een@example.nl")
    later = closed_case(department, complainant_email="twee@example.nl")
    action = make_action(manager, department=department)
    action.complaints.set([first])
    assert action_complainants_inform(action_id=action.pk, actor=manager).written == 1
    action.complaints.add(later)
    result = action_complainants_inform(action_id=action.pk, actor=manager)
    assert (result.written, result.already, result.without_email) == (1, 1, 0)
    assert OutboxMessage.objects.filter(complaint=later).count() == 1


# ---------------------------------------------------------------------------
# Overdue reminders
# ---------------------------------------------------------------------------
def test_an_overdue_action_is_reminded_once_per_due_date(manager, department):
    overdue = make_action(manager, department=department, due_on=TODAY - timedelta(days=2))
    due_today = make_action(manager, department=department, due_on=TODAY)  # not overdue yet
    make_action(manager, department=department, due_on=TODAY - timedelta(days=9), status="done")
    make_action(
        manager, department=department, due_on=TODAY - timedelta(days=9), status="cancelled"
    )

    assert actions_remind(today=TODAY) == 1
    reminder = OutboxMessage.objects.get()
    assert reminder.key == f"action-overdue:{overdue.pk}:{overdue.due_on.isoformat()}"
    assert reminder.to == manager.email
    assert reminder.complaint is None
    assert reverse("reporting:action", args=[overdue.pk]) in reminder.body

    assert actions_remind(today=TODAY) == 0  # the second sweep writes nothing
    assert OutboxMessage.objects.count() == 1
    tomorrow = TODAY + timedelta(days=1)
    assert actions_remind(today=tomorrow) == 1  # only the one that was due today
    assert OutboxMessage.objects.filter(key__contains=f":{due_today.pk}:").count() == 1

    overdue.due_on = TODAY - timedelta(days=1)  # a new due date that passed too: again
    overdue.save()
    assert actions_remind(today=tomorrow) == 1
    assert actions_remind(today=tomorrow) == 0
    assert OutboxMessage.objects.filter(key__contains=f":{overdue.pk}:").count() == 2


def test_the_sweep_task_reminds_with_todays_date(manager, department):
    make_action(manager, department=department, due_on=TODAY - timedelta(days=1))
    assert actions_sweep_task.delay().get() == 1
    assert actions_sweep_task.delay().get() == 0
    assert OutboxMessage.objects.filter(key__startswith="action-overdue:").count() == 1


def test_a_save_over_a_colleagues_later_save_is_refused_with_the_text_kept(client, manager):
    """Two people change one action: the second save does not silently overwrite the first
    (nothing a user saved is lost); the form keeps what the second typed and shows the first's
    version, and saving again is then deliberate."""
    action = make_action(manager, department=manager.department)
    colleague = UserFactory(manager=True, department=manager.department)
    url = reverse("reporting:action_edit", args=[action.pk])
    client.force_login(manager)
    seen = client.get(url).context["form"]["seen"].value()
    assert seen

    other = type(client)()
    other.force_login(colleague)
    opened = other.get(url).context["form"]["seen"].value()
    theirs = form_data(manager, title="Terugbellen binnen twee dagen", seen=opened)
    assert other.post(url, theirs).status_code == 302

    mine = form_data(manager, description="Mijn nieuwe omschrijving.", seen=seen)
    response = client.post(url, mine)
    assert response.status_code == 409
    action.refresh_from_db()
    assert action.title == "Terugbellen binnen twee dagen"  # the colleague's save stands
    assert action.description == "Elke terugbelafspraak komt in de agenda."
    page = response.content.decode()
    assert "Mijn nieuwe omschrijving." in page  # what I typed, in the form
    assert "Terugbellen binnen twee dagen" in page  # their version, shown above it
    assert "Een collega heeft deze verbeteractie gewijzigd" in page

    again = response.context["form"]["seen"].value()
    assert again != seen
    assert client.post(url, {**mine, "seen": again}).status_code == 302
    action.refresh_from_db()
    assert action.description == "Mijn nieuwe omschrijving."
