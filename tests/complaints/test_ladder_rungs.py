"""The ladder, rungs 1 and 2 (issue 6, points 1 and 3; DOMAIN.md section 2).

The rung-1 quick log (six fields, a case at rung 1, closed as resolved or open with the rung-1
service norm), "hand over to a complaint handler" (rung 1 -> 2: everything carries over, the
Awb clock starts on the date of the formal complaint), the citizen's request for formal
handling on the status page, the picture of the three rungs and the timeline. Real PostgreSQL,
real files, the outbox rows as written; the expected dates come from ``ladder.deadlines``.
"""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import (
    Attachment,
    CaseEvent,
    Channel,
    ClosureReason,
    Complaint,
    EventKind,
    OutboxKind,
    OutboxMessage,
    PartyRole,
    Reminder,
    Rung,
    Stage,
    Theme,
)
from complaints.services import (
    CaseError,
    MoveRefused,
    StaleAction,
    attachment_add,
    complaint_escalate,
    complaint_transition,
    complaint_update,
    contact_add,
    note_add,
    party_add,
    rung1_log,
)
from complaints.services.reminders import reminder_sweep
from complaints.services.status_links import status_link_issue
from complaints.uploads import CleanFile
from ladder import deadlines, selectors
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

WHAT = "Mevrouw kreeg haar rijbewijs niet mee: de pas lag nog in de kluis."
HOW = "Kluis laten openen en het rijbewijs meteen meegegeven; excuses aangeboden."
REASON = "De klager wil een formeel oordeel over de wachttijd."
# A Monday; five working days later is Monday 16 November 2026.
LOGGED = date(2026, 11, 9)


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages and messages in English (the source strings), whatever the .po files say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def empty_cache(settings):
    # The status page's rate-limit counters live in the cache.
    settings.STATUS_LINK_RATE = "100000/h"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def files_cleaned_up():
    yield
    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)


@pytest.fixture
def department():
    return DepartmentFactory(code="kcc", name="Klantcontactcentrum")


@pytest.fixture
def employee(department):
    return UserFactory(employee=True, department=department, full_name="Mila de Vries")


@pytest.fixture
def coordinator(department):
    return UserFactory(coordinator=True, department=department, full_name="Cor Jansen")


@pytest.fixture
def theme():
    return Theme.objects.filter(is_active=True).first()


def six_fields(department, theme, *, satisfied: str = "yes", **overrides) -> dict:
    """Exactly the six fields of the main group of the quick log."""
    return {
        "channel": Channel.COUNTER,
        "department": department.pk,
        "theme": theme.pk,
        "conduct_description": WHAT,
        "solution": HOW,
        "satisfied": satisfied,
        **overrides,
    }


def log(actor, department, *, resolved: bool, **fields) -> Complaint:
    return rung1_log(
        actor=actor,
        fields={
            "channel": Channel.COUNTER,
            "department": department,
            "conduct_description": WHAT,
            "solution": HOW,
            **fields,
        },
        themes=list(Theme.objects.filter(is_active=True)[:1]),
        resolved=resolved,
    )


def escalate(complaint, actor, **kwargs) -> Complaint:
    return complaint_escalate(
        complaint_id=complaint.pk,
        actor=actor,
        reason=kwargs.pop("reason", REASON),
        is_written=kwargs.pop("is_written", True),
        **kwargs,
    )


def state(complaint) -> tuple:
    """What a refused escalation must leave as it was."""
    row = Complaint.objects.get(pk=complaint.pk)
    return (
        row.stage,
        row.rung,
        row.version,
        row.received_on,
        row.escalated_on,
        row.decision_due,
        row.rung1_due,
        row.closure_reason,
        row.closed_at,
        CaseEvent.objects.filter(complaint=row).count(),
        OutboxMessage.objects.filter(complaint=row).count(),
    )


def rung1_due(logged: date) -> date:
    return deadlines.add_working_days(logged, 5, equal_days=selectors.equal_days())


# ---------------------------------------------------------------------------
# The quick log
# ---------------------------------------------------------------------------
def test_the_quick_log_shows_six_fields_and_folds_the_contact_details_away(client, employee):
    client.force_login(employee)

    page = client.get(reverse("complaints:quick_log")).content.decode()

    form = page[page.index('<form method="post" novalidate class="kl-form" id="quick-log">') :]
    form = form[: form.index("</form>")]
    main, contact = form.split('<details class="kl-add kl-quick-log__contact"', 1)
    names = lambda html: list(  # noqa: E731
        dict.fromkeys(re.findall(r'<(?:input|select|textarea)[^>]*name="([^"]+)"', html))
    )
    assert names(main) == [
        "csrfmiddlewaretoken",
        "channel",
        "department",
        "theme",
        "conduct_description",
        "solution",
        "satisfied",
    ]
    assert names(contact) == ["complainant_name", "complainant_email", "complainant_phone"]
    assert contact.startswith(">"), "the contact details are collapsed by default"
    assert "Contact details (optional)" in contact
    # The department defaults to the employee's own.
    assert re.search(rf'<option value="{employee.department_id}" selected>', main)


@time_machine.travel("2026-11-09 11:00 +01:00", tick=False)
def test_the_six_fields_save_a_rung_1_case_closed_as_resolved_when_the_citizen_was_satisfied(
    client, employee, department, theme
):
    client.force_login(employee)

    response = client.post(reverse("complaints:quick_log"), six_fields(department, theme))

    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:quick_log")
    case = Complaint.objects.get()
    assert (case.rung, case.stage, case.closure_reason) == (
        Rung.EMPLOYEE,
        Stage.CLOSED,
        ClosureReason.RESOLVED,
    )
    assert case.received_on == case.logged_on == LOGGED
    assert case.closed_at is not None
    assert case.is_written is False
    assert (case.channel, case.department, case.registered_by) == (
        Channel.COUNTER,
        department,
        employee,
    )
    assert (case.conduct_description, case.solution) == (WHAT, HOW)
    assert list(case.themes.all()) == [theme]
    # Awb 9:5: the satisfaction, with date and channel, is the evidence.
    assert case.satisfaction_confirmed_on == LOGGED
    assert case.satisfaction_channel == Channel.COUNTER
    assert "Mila de Vries" in case.satisfaction_note
    # No Awb dates at rung 1; the rung-1 norm (met: closed on the spot).
    assert (
        case.decision_due,
        case.acknowledgement_due,
        case.first_contact_due,
        case.not_handled_notice_due,
    ) == (None, None, None, None)
    assert case.rung1_due == rung1_due(LOGGED)
    assert list(case.events.values_list("kind", "name", "from_stage", "to_stage", "note")) == [
        (EventKind.REGISTERED, "rung1_log", "", Stage.EXPLORE, "Logged at rung 1"),
        (
            EventKind.TRANSITION,
            "close_resolved",
            Stage.EXPLORE,
            Stage.CLOSED,
            "Resolved on the spot; the citizen was satisfied.",
        ),
    ]
    assert not OutboxMessage.objects.exists()  # oral, no acknowledgement

    fresh = client.get(response["Location"])
    assert f"Logged as {case.reference} and closed as resolved." in fresh.content.decode()
    # The next log starts with the same channel and department.
    assert fresh.context["form"]["channel"].value() == Channel.COUNTER
    # An employee cannot open cases: no link to one.
    assert fresh.context["logged"] is None


@time_machine.travel("2026-11-09 11:00 +01:00", tick=False)
def test_a_citizen_who_was_not_satisfied_leaves_the_log_open_with_the_rung_1_norm(
    client, handler, department, theme
):
    client.force_login(handler)

    response = client.post(
        reverse("complaints:quick_log"),
        six_fields(department, theme, satisfied="no", solution="Uitgelegd; klager blijft boos."),
    )

    assert response.status_code == 302
    case = Complaint.objects.get()
    assert (case.rung, case.stage, case.closure_reason, case.closed_at) == (
        Rung.EMPLOYEE,
        Stage.EXPLORE,
        "",
        None,
    )
    assert case.rung1_due == rung1_due(LOGGED) == date(2026, 11, 16)
    assert (case.satisfaction_confirmed_on, case.satisfaction_channel) == (None, "")
    assert (case.decision_due, case.acknowledgement_due, case.first_contact_due) == (
        None,
        None,
        None,
    )
    assert list(case.events.values_list("kind", flat=True)) == [EventKind.REGISTERED]
    # A handler may open the case: the fresh form links to it.
    fresh = client.get(response["Location"])
    assert fresh.context["logged"] == case.reference
    assert reverse("complaints:case", args=[case.reference]) in fresh.content.decode()


def test_contact_details_are_kept_when_given(client, employee, department, theme):
    client.force_login(employee)

    client.post(
        reverse("complaints:quick_log"),
        six_fields(
            department,
            theme,
            satisfied="no",
            complainant_name="Jan Smit",
            complainant_email="jan.smit@example.nl",
            complainant_phone="0612345678",
        ),
    )

    case = Complaint.objects.get()
    assert (case.complainant_name, case.complainant_email, case.complainant_phone) == (
        "Jan Smit",
        "jan.smit@example.nl",
        "0612345678",
    )


def test_satisfied_without_how_it_was_resolved_keeps_what_was_typed_and_saves_nothing(
    client, employee, department, theme
):
    client.force_login(employee)

    response = client.post(
        reverse("complaints:quick_log"),
        six_fields(department, theme, solution="  ", complainant_email="geen-adres"),
    )

    assert response.status_code == 400
    assert not Complaint.objects.exists()
    page = response.content.decode()
    # Each error links to its field; what was typed is still there.
    assert 'href="#id_solution"' in page
    assert 'href="#id_complainant_email"' in page
    assert WHAT in page
    assert 'value="geen-adres"' in page
    assert re.search(r'<details class="kl-add kl-quick-log__contact" open>', page)
    assert "<title>Error:" in page


@pytest.mark.parametrize("role", ["employee", "handler", "coordinator", "manager"])
def test_every_role_with_log_rung1_can_log(client, role, department, theme):
    user = UserFactory(**{role: True}, department=department)
    client.force_login(user)

    assert client.get(reverse("complaints:quick_log")).status_code == 200
    response = client.post(reverse("complaints:quick_log"), six_fields(department, theme))

    assert response.status_code == 302
    assert Complaint.objects.get().registered_by == user


@pytest.mark.parametrize("role", ["board", "functional_admin"])
def test_the_board_and_the_functional_admin_cannot_log(client, role, department, theme):
    user = UserFactory(**{role: True}, department=department)
    client.force_login(user)

    assert client.get(reverse("complaints:quick_log")).status_code == 403
    assert (
        client.post(reverse("complaints:quick_log"), six_fields(department, theme)).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        log(user, department, resolved=True)
    assert not Complaint.objects.exists()


def test_the_service_refuses_to_close_as_resolved_without_a_solution(employee, department):
    with pytest.raises(MoveRefused):
        log(employee, department, resolved=True, solution="")

    assert not Complaint.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_rung_1_log_is_closed_later_from_its_case_page_without_formal_steps(handler, department):
    case = log(handler, department, resolved=False)
    complaint_update(
        complaint_id=case.pk,
        actor=handler,
        expected_version=case.version,
        fields={"satisfaction_confirmed_on": timezone.localdate(), "satisfaction_channel": "phone"},
    )

    closed = complaint_transition(
        complaint_id=case.pk, name="close_resolved", actor=handler, expected_stage=Stage.EXPLORE
    )

    assert (closed.stage, closed.closure_reason, closed.rung) == (
        Stage.CLOSED,
        ClosureReason.RESOLVED,
        Rung.EMPLOYEE,
    )
    # The Awb steps do not exist at rung 1.
    other = log(handler, department, resolved=False)
    with pytest.raises(MoveRefused):
        complaint_transition(
            complaint_id=other.pk, name="seek_solution", actor=handler, expected_stage="explore"
        )


# ---------------------------------------------------------------------------
# Hand over to a complaint handler (rung 1 -> 2)
# ---------------------------------------------------------------------------
@pytest.mark.usefixtures("files_cleaned_up")
def test_escalation_carries_everything_over_and_starts_the_awb_clock_on_its_date(
    employee, coordinator, department
):
    with time_machine.travel("2026-11-09 11:00 +01:00", tick=False):
        case = log(
            employee,
            department,
            resolved=False,
            complainant_name="Jan Smit",
            complainant_email="jan.smit@example.nl",
        )
        pk = case.pk
        party_add(
            complaint_id=pk,
            actor=coordinator,
            fields={"role": PartyRole.REPRESENTATIVE, "name": "Karin Smit"},
        )
        note_add(complaint_id=pk, actor=coordinator, text="Belde nog een keer, boos.")
        contact_add(
            complaint_id=pk,
            actor=coordinator,
            fields={
                "at": timezone.now(),
                "channel": Channel.PHONE,
                "with_whom": "Jan Smit",
                "summary": "Wil een formele klacht.",
            },
        )
        attachment_add(
            complaint_id=pk,
            actor=coordinator,
            file=CleanFile(
                name="brief.pdf",
                content=b"%PDF-1.4 brief",
                content_type="application/pdf",
                extension="pdf",
            ),
        )
    themes = list(case.themes.all())
    before = Complaint.objects.get(pk=pk)

    # A week later the handler hands it over; the citizen's letter is of 12 November.
    with time_machine.travel("2026-11-16 09:30 +01:00", tick=False):
        escalate(before, coordinator, on=date(2026, 11, 12), expected_version=before.version)

    after = Complaint.objects.get(pk=pk)
    assert (after.rung, after.stage) == (Rung.HANDLER, Stage.INTAKE)
    assert after.received_on == after.escalated_on == date(2026, 11, 12)
    assert after.logged_on == LOGGED
    assert after.is_written is True
    # Awb 9:11: six weeks from the formal complaint, with the Atw.
    equal_days = selectors.equal_days()
    assert after.decision_due == deadlines.decision_due(date(2026, 11, 12), equal_days=equal_days)
    assert after.decision_due == date(2026, 12, 24)
    assert after.acknowledgement_due == deadlines.add_working_days(
        date(2026, 11, 12), 5, equal_days=equal_days
    )
    assert after.rung1_due is None
    # Everything carries over.
    assert list(after.parties.values_list("role", "name")) == [
        (PartyRole.REPRESENTATIVE, "Karin Smit")
    ]
    assert list(after.notes.values_list("text", flat=True)) == ["Belde nog een keer, boos."]
    assert list(after.contacts.values_list("summary", flat=True)) == ["Wil een formele klacht."]
    assert list(after.attachments.values_list("original_name", flat=True)) == ["brief.pdf"]
    assert list(after.themes.all()) == themes
    for name in ("complainant_name", "complainant_email", "conduct_description", "solution",
                 "channel", "department_id", "registered_by_id", "reference"):  # fmt: skip
        assert getattr(after, name) == getattr(before, name), name
    # Awb 9:6: the acknowledgement of the written complaint, as at registration.
    ack = OutboxMessage.objects.get(complaint=after, kind=OutboxKind.ACKNOWLEDGEMENT)
    assert ack.to == "jan.smit@example.nl"
    assert "12 november 2026" in ack.body or "12 November 2026" in ack.body
    # The timeline: the stage change and the rung change, with who and why.
    transition, rung, deadline = after.events.order_by("-id")[:3][::-1]
    assert (transition.kind, transition.name, transition.from_stage, transition.to_stage) == (
        EventKind.TRANSITION,
        "escalate",
        Stage.EXPLORE,
        Stage.INTAKE,
    )
    assert (rung.kind, rung.from_rung, rung.to_rung, rung.note, rung.actor) == (
        EventKind.RUNG,
        Rung.EMPLOYEE,
        Rung.HANDLER,
        REASON,
        coordinator,
    )
    assert rung.data["on"] == "2026-11-12"
    assert deadline.kind == EventKind.DEADLINE
    assert deadline.data["changes"]["decision_due"] == [None, "2026-12-24"]
    assert deadline.data["changes"]["rung1_due"] == ["2026-11-16", None]
    assert after.version == before.version + 1


def test_an_oral_complaint_gets_no_acknowledgement_and_no_legal_term(handler, department):
    case = log(handler, department, resolved=False, complainant_email="jan@example.nl")

    after = escalate(case, handler, is_written=False)

    assert (after.rung, after.stage, after.is_written) == (Rung.HANDLER, Stage.INTAKE, False)
    # Awb 9:11 binds written complaints; the service norm of a first contact holds for all.
    assert after.decision_due is None
    assert after.first_contact_due is not None
    assert not OutboxMessage.objects.filter(kind=OutboxKind.ACKNOWLEDGEMENT).exists()


def test_a_closed_rung_1_log_is_reopened_as_a_formal_complaint(handler, department):
    case = log(handler, department, resolved=True)
    assert case.stage == Stage.CLOSED

    after = escalate(case, handler)

    assert (after.stage, after.rung) == (Stage.INTAKE, Rung.HANDLER)
    assert (after.closure_reason, after.closure_note, after.closed_at) == ("", "", None)
    # The satisfaction at rung 1 no longer holds (Awb 9:5 needs fresh evidence), but it stays
    # on the timeline; the solution stays as history.
    assert (after.satisfaction_confirmed_on, after.satisfaction_channel) == (None, "")
    assert after.solution == HOW
    rung = after.events.get(kind=EventKind.RUNG)
    assert rung.data["rung1"]["closure_reason"] == ClosureReason.RESOLVED
    assert rung.data["rung1"]["satisfaction_confirmed_on"] == timezone.localdate().isoformat()
    transition = after.events.filter(kind=EventKind.TRANSITION).last()
    assert (transition.from_stage, transition.to_stage) == (Stage.CLOSED, Stage.INTAKE)


def test_escalation_is_refused_for_a_rung_2_case(coordinator, department):
    case = ComplaintFactory(explore=True, department=department)
    before = state(case)

    with pytest.raises(CaseError) as refused:
        escalate(case, coordinator)

    assert "Only a case at rung 1" in str(refused.value)
    assert state(case) == before


def test_escalation_from_a_stale_page_is_refused(handler, department):
    case = log(handler, department, resolved=False)
    note_add(complaint_id=case.pk, actor=handler, text="Iemand anders was sneller.")
    before = state(case)

    with pytest.raises(StaleAction):
        escalate(case, handler, expected_version=case.version)

    assert state(case) == before


@pytest.mark.parametrize(
    ("days", "reason", "message"),
    [
        (1, REASON, "cannot be in the future"),
        (-1, REASON, "cannot be older than the rung-1 log"),
        (0, "   ", "Give the reason"),
    ],
)
def test_escalation_needs_a_date_from_the_log_up_to_today_and_a_reason(
    handler, department, days, reason, message
):
    case = log(handler, department, resolved=False)
    before = state(case)

    with pytest.raises(CaseError) as refused:
        escalate(case, handler, on=timezone.localdate() + timedelta(days=days), reason=reason)

    assert message in str(refused.value)
    assert state(case) == before


def test_staff_who_cannot_see_the_case_cannot_escalate_it(employee, department):
    case = log(employee, department, resolved=False)
    colleague = UserFactory(employee=True, department=department)
    board = UserFactory(board=True, department=department)
    before = state(case)

    with pytest.raises(Complaint.DoesNotExist):  # an employee sees no cases but their own logs
        escalate(case, colleague)
    with pytest.raises(PermissionDenied):
        escalate(case, board)

    assert state(case) == before


@time_machine.travel("2026-11-09 11:00 +01:00", tick=False)
def test_the_employee_who_logged_it_hands_it_over_in_one_click(client, employee, department, theme):
    client.force_login(employee)
    fields = {**six_fields(department, theme), "satisfied": "no", "hand_over": "1"}

    response = client.post(reverse("complaints:quick_log"), fields)

    assert response.status_code == 302
    case = Complaint.objects.get()
    assert (case.rung, case.stage, case.escalated_on) == (Rung.HANDLER, Stage.INTAKE, LOGGED)
    rung_event = CaseEvent.objects.get(complaint=case, kind=EventKind.RUNG)
    assert (rung_event.actor, rung_event.from_rung, rung_event.to_rung) == (employee, 1, 2)


# ---------------------------------------------------------------------------
# The case page: the rungs, the hand-over form, the timeline
# ---------------------------------------------------------------------------
def rungs_of(page: str) -> str:
    start = page.index('<figure class="kl-rungs">')
    return page[start : page.index("</figure>", start)]


def test_the_case_page_shows_the_rungs_and_hands_a_rung_1_case_over(client, handler, department):
    case = log(handler, department, resolved=False)
    client.force_login(handler)
    url = reverse("complaints:case", args=[case.reference])

    page = client.get(url).content.decode()

    figure = rungs_of(page)
    assert "Now at rung 1: the employee" in figure
    assert '<li class="kl-rung kl-rung--1 kl-rung--current" aria-current="step">' in figure
    assert figure.count("aria-current") == 1
    assert "Close or hand over by" in figure
    assert reverse("complaints:escalate", args=[case.reference]) in page

    response = client.post(
        reverse("complaints:escalate", args=[case.reference]),
        {
            "escalate-reason": REASON,
            "escalate-is_written": "yes",
            "escalate-on": timezone.localdate().isoformat(),
            "escalate-version": case.version,
        },
    )

    assert response.status_code == 302
    after = Complaint.objects.get(pk=case.pk)
    assert (after.rung, after.stage) == (Rung.HANDLER, Stage.INTAKE)
    page = client.get(url).content.decode()
    figure = rungs_of(page)
    assert "Now at rung 2: complaint handler" in figure
    assert '<li class="kl-rung kl-rung--2 kl-rung--current" aria-current="step">' in figure
    assert "kl-rung--1 kl-rung--passed" in figure
    assert reverse("complaints:escalate", args=[case.reference]) not in page
    # The timeline says it in words: the rungs, who, why.
    timeline = page[page.index('id="timeline"') :]
    assert "Rung changed</strong>: Rung 1 → 2" in timeline
    event = timeline[timeline.index("Rung 1 → 2") :]
    assert handler.full_name in event[:400]
    assert REASON in event[:600]


@pytest.mark.parametrize("resolved", [False, True], ids=["open", "closed"])
def test_every_id_on_a_rung_1_case_page_is_unique(client, coordinator, department, resolved):
    case = log(coordinator, department, resolved=resolved)
    client.force_login(coordinator)

    html = client.get(reverse("complaints:case", args=[case.reference])).content.decode()

    assert 'id="ladder"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_a_stale_hand_over_shows_the_page_again_with_what_was_typed(client, handler, department):
    case = log(handler, department, resolved=False)
    note_add(complaint_id=case.pk, actor=handler, text="Tussendoor gewijzigd.")
    client.force_login(handler)

    response = client.post(
        reverse("complaints:escalate", args=[case.reference]),
        {
            "escalate-reason": REASON,
            "escalate-is_written": "no",
            "escalate-on": timezone.localdate().isoformat(),
            "escalate-version": case.version,
        },
    )

    assert response.status_code == 409
    assert Complaint.objects.get(pk=case.pk).rung == Rung.EMPLOYEE
    page = response.content.decode()
    assert REASON in page
    assert "Someone else changed this case" in page
    # The hidden version moved on: saving again is deliberate.
    assert f'name="escalate-version" value="{case.version + 1}"' in page


def test_an_incomplete_hand_over_links_each_error_to_its_field(client, handler, department):
    case = log(handler, department, resolved=False)
    client.force_login(handler)

    response = client.post(
        reverse("complaints:escalate", args=[case.reference]),
        {"escalate-reason": "", "escalate-on": "", "escalate-version": case.version},
    )

    assert response.status_code == 400
    page = response.content.decode()
    for field in ("reason", "is_written", "on"):
        assert f'href="#id_escalate-{field}' in page, field
    assert Complaint.objects.get(pk=case.pk).rung == Rung.EMPLOYEE


def test_a_rung_2_case_offers_no_hand_over(client, handler, department):
    case = ComplaintFactory(explore=True, department=department, handler=handler)
    client.force_login(handler)

    page = client.get(reverse("complaints:case", args=[case.reference])).content.decode()

    assert "Now at rung 2: complaint handler" in rungs_of(page)
    assert "kl-rung--passed" not in rungs_of(page)  # registered at rung 2 directly
    assert reverse("complaints:escalate", args=[case.reference]) not in page
    response = client.post(
        reverse("complaints:escalate", args=[case.reference]),
        {
            "escalate-reason": REASON,
            "escalate-is_written": "yes",
            "escalate-on": timezone.localdate().isoformat(),
            "escalate-version": case.version,
        },
    )
    assert response.status_code == 400
    assert Complaint.objects.get(pk=case.pk).rung == Rung.HANDLER


# ---------------------------------------------------------------------------
# The citizen asks for formal handling
# ---------------------------------------------------------------------------
def test_the_citizen_can_ask_for_formal_handling_as_a_service(coordinator, department):
    case = log(coordinator, department, resolved=True, complainant_email="jan@example.nl")

    after = complaint_escalate(
        complaint_id=case.pk,
        actor=None,
        reason="Het is toch niet goed opgelost.",
        is_written=True,
        by_citizen=True,
    )

    assert (after.rung, after.stage, after.received_on) == (
        Rung.HANDLER,
        Stage.INTAKE,
        timezone.localdate(),
    )
    rung = after.events.get(kind=EventKind.RUNG)
    assert rung.actor is None and rung.data["by_citizen"] is True
    assert "Het is toch niet goed opgelost." in rung.note
    kinds = set(OutboxMessage.objects.filter(complaint=after).values_list("kind", "to"))
    # The acknowledgement to the citizen; the coordinators hear that it waits for a handler.
    assert kinds == {
        (OutboxKind.ACKNOWLEDGEMENT, "jan@example.nl"),
        (OutboxKind.CITIZEN, coordinator.email),
    }


def test_the_status_page_of_a_rung_1_case_escalates_on_the_citizens_request(
    client, handler, department
):
    case = log(handler, department, resolved=True, complainant_email="jan@example.nl")
    token = status_link_issue(case)
    url = reverse("status", args=[token])

    page = client.get(url).content.decode()
    assert "I want my complaint handled formally" in page
    assert 'id="ombudsman"' not in page  # the ombudsman comes after rung 2, not after rung 1

    unconfirmed = client.post(reverse("status_formal", args=[token]), {"formal-reason": "Nee."})
    assert unconfirmed.status_code == 400
    assert 'href="#id_formal-confirm"' in unconfirmed.content.decode()
    assert Complaint.objects.get(pk=case.pk).rung == Rung.EMPLOYEE

    response = client.post(
        reverse("status_formal", args=[token]),
        {"formal-confirm": "on", "formal-reason": "Ik wil een formeel antwoord."},
    )

    assert response.status_code == 302
    assert response["Cache-Control"].count("no-store") == 1
    after = Complaint.objects.get(pk=case.pk)
    assert (after.rung, after.stage, after.is_written) == (Rung.HANDLER, Stage.INTAKE, True)
    page = client.get(url).content.decode()
    assert "Your complaint is now handled formally." in page
    assert "I want my complaint handled formally" not in page
    # A second click from an old page changes nothing.
    again = client.post(reverse("status_formal", args=[token]), {"formal-confirm": "on"})
    assert again.status_code == 400
    assert "already handled formally" in again.content.decode()
    assert CaseEvent.objects.filter(complaint=after, kind=EventKind.RUNG).count() == 1


# ---------------------------------------------------------------------------
# Reminders: the rung-1 service norm is watched like the other deadlines
# ---------------------------------------------------------------------------
def test_an_open_rung_1_log_past_its_norm_is_reminded_until_it_is_handed_over(
    employee, coordinator, handler, department
):
    with time_machine.travel("2026-11-09 11:00 +01:00", tick=False):
        case = log(employee, department, resolved=False)
        log(employee, department, resolved=True)  # closed on the spot: nothing to remind
    assert case.rung1_due == date(2026, 11, 16)

    assert reminder_sweep(today=date(2026, 11, 16)) == 1
    reminder = Reminder.objects.get()
    # Nobody handles a log yet: the coordinators of its department are told.
    assert (reminder.complaint, reminder.due_field, reminder.recipient) == (
        case,
        "rung1_due",
        coordinator,
    )
    assert reminder.kind == "on_the_day"
    assert reminder_sweep(today=date(2026, 11, 16)) == 0  # once

    with time_machine.travel("2026-11-17 09:00 +01:00", tick=False):
        escalate(case, handler)
    assert not Reminder.objects.filter(complaint=case, due_field="rung1_due", kind="overdue")
    reminder_sweep(today=date(2026, 11, 17))
    assert not Reminder.objects.filter(due_field="rung1_due", kind="overdue").exists()
