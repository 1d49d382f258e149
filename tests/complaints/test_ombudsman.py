"""Rung 3, the ombudsman phase (issue 6, DOMAIN.md section 2).

Only coordinators record it, only on a closed rung-2 case; the case moves to rung 3 with a
RUNG event. The ombudsman's information requests have deadlines the reminder sweep watches;
recommendations overdue show up for their owner; the case page shows our judgment next to
the ombudsman's, escaped, in a fixed number of queries.
"""

import re
from collections import Counter
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints.models import (
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    InformationRequest,
    Judgment,
    Norm,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanOutcome,
    OutboxMessage,
    Recommendation,
    RecommendationStatus,
    Reminder,
    ReminderKind,
    Rung,
    Stage,
)
from complaints.services import CaseError
from complaints.services import ombudsman as services
from complaints.services.ombudsman_reminders import ombudsman_reminder_sweep
from complaints.tasks import reminder_sweep_task
from tests.factories import ComplaintFactory, ComplaintPartFactory, UserFactory

pytestmark = pytest.mark.django_db

XSS = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"

# As in test_reminders.py: due on Wednesday 30 December 2026. Five working days before it
# skip Christmas Day and the weekend: Tuesday 22 December; one working day before: Tuesday 29.
DUE = date(2026, 12, 30)
BEFORE_5 = date(2026, 12, 22)
BEFORE_1 = date(2026, 12, 29)
START = date(2026, 12, 10)  # the case was closed and taken up on this day


@pytest.fixture(autouse=True)
def _english():
    """The services' messages are asserted in English (the source language)."""
    with translation.override("en"):
        yield


def at(day: date):
    """The middle of a working day in Amsterdam, on ``day``."""
    return time_machine.travel(f"{day.isoformat()} 10:00 +01:00", tick=False)


def in_english(client) -> None:
    """Pages in English (the source strings); Dutch is the default."""
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


@pytest.fixture
def coordinator(department):
    return UserFactory(coordinator=True, department=department, full_name="Cora Coördinator")


@pytest.fixture
def handler(department):
    return UserFactory(handler=True, department=department)


@pytest.fixture
def national():
    return Ombudsman.objects.get(name="Nationale ombudsman")  # seeded by migration 0009


@pytest.fixture
def closed_case(department, handler):
    """A rung-2 case closed with a judgment: the ombudsman may take it up."""
    return ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, handler=handler
    )


def start(case, actor, ombudsman, *, reference="2026.01234", on=None):
    return services.ombudsman_phase_start(
        complaint_id=case.pk,
        actor=actor,
        ombudsman=ombudsman,
        reference=reference,
        taken_up_on=on or timezone.localdate(),
    )


def state(case) -> tuple:
    """What a refused start must leave exactly as it was."""
    row = Complaint.objects.get(pk=case.pk)
    return (
        row.rung,
        row.version,
        OmbudsmanCase.objects.filter(complaint=row).exists(),
        CaseEvent.objects.filter(complaint=row).count(),
    )


# ---------------------------------------------------------------------------
# Recording the phase: rung 2 -> 3, coordinators only, closed rung-2 cases only
# ---------------------------------------------------------------------------
def test_a_coordinator_records_the_ombudsman_and_the_case_moves_to_rung_3(
    closed_case, coordinator, national
):
    version = closed_case.version
    before = set(CaseEvent.objects.filter(complaint=closed_case).values_list("pk", flat=True))
    phase = start(closed_case, coordinator, national, reference=" 2026.01234 ")

    case = Complaint.objects.get(pk=closed_case.pk)
    assert case.rung == Rung.OMBUDSMAN
    assert case.stage == Stage.CLOSED  # the ombudsman's phase does not reopen our handling
    assert case.version == version + 1
    assert (phase.ombudsman, phase.reference, phase.taken_up_on, phase.recorded_by) == (
        national,
        "2026.01234",
        timezone.localdate(),
        coordinator,
    )
    event = CaseEvent.objects.filter(complaint=case).exclude(pk__in=before).get()  # one event
    assert (event.kind, event.from_rung, event.to_rung) == (EventKind.RUNG, 2, 3)
    assert event.actor == coordinator
    assert event.at is not None
    assert "Nationale ombudsman" in event.note and "2026.01234" in event.note
    assert event.data["ombudsman_id"] == national.pk


@pytest.mark.parametrize("role", ["handler", "manager", "employee", "board"])
def test_only_a_coordinator_records_the_ombudsman_phase(role, department, closed_case, national):
    user = UserFactory(**{role: True}, department=department)
    before = state(closed_case)

    with pytest.raises(PermissionDenied):
        start(closed_case, user, national)

    assert state(closed_case) == before


@pytest.mark.parametrize("role", ["handler", "manager", "employee", "board"])
def test_over_http_everyone_but_a_coordinator_is_refused(
    client, role, department, closed_case, national
):
    user = UserFactory(**{role: True}, department=department)
    client.force_login(user)
    before = state(closed_case)

    response = client.post(
        reverse("complaints:ombudsman_start", args=[closed_case.reference]),
        {
            "ombudsman-ombudsman": national.pk,
            "ombudsman-reference": "X",
            "ombudsman-taken_up_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 403
    assert state(closed_case) == before
    if role in ("handler", "manager"):  # they see the case, without the form
        page = client.get(reverse("complaints:case", args=[closed_case.reference]))
        assert page.status_code == 200
        assert "ombudsman-taken_up_on" not in page.content.decode()


def test_a_coordinator_records_it_on_the_case_page(client, closed_case, coordinator, national):
    client.force_login(coordinator)
    url = reverse("complaints:case", args=[closed_case.reference])
    assert 'name="ombudsman-taken_up_on"' in client.get(url).content.decode()

    response = client.post(
        reverse("complaints:ombudsman_start", args=[closed_case.reference]),
        {
            "ombudsman-ombudsman": national.pk,
            "ombudsman-reference": "2026.555",
            "ombudsman-taken_up_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{url}#ombudsman"
    assert Complaint.objects.get(pk=closed_case.pk).rung == Rung.OMBUDSMAN
    page = client.get(url).content.decode()
    assert "2026.555" in page
    assert 'name="ombudsman-taken_up_on"' not in page  # recorded: no second start


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ({"judge": True}, "The case is still open."),
        ({"explore": True}, "The case is still open."),
        ({"closed": True, "rung": Rung.EMPLOYEE}, "This case is at rung 1"),
    ],
    ids=["judge", "explore", "rung-1"],
)
def test_only_a_closed_rung_2_case_goes_to_the_ombudsman(
    case, message, department, coordinator, national
):
    complaint = ComplaintFactory(department=department, **case)
    before = state(complaint)

    with pytest.raises(CaseError) as refused:
        start(complaint, coordinator, national)

    assert str(refused.value.message).startswith(message)
    assert state(complaint) == before


def test_a_case_goes_to_the_ombudsman_once(closed_case, coordinator, national):
    start(closed_case, coordinator, national)
    before = state(closed_case)
    other = Ombudsman.objects.get(name="Kinderombudsman")

    with pytest.raises(CaseError) as refused:
        start(closed_case, coordinator, other)

    assert "already taken up" in str(refused.value.message)
    assert state(closed_case) == before
    assert OmbudsmanCase.objects.get(complaint=closed_case).ombudsman == national


def test_a_refused_start_on_the_page_says_why_and_keeps_the_input(
    client, department, coordinator, national
):
    complaint = ComplaintFactory(department=department, closed=True)
    Complaint.objects.filter(pk=complaint.pk).update(rung=Rung.EMPLOYEE)
    client.force_login(coordinator)
    in_english(client)

    response = client.post(
        reverse("complaints:ombudsman_start", args=[complaint.reference]),
        {
            "ombudsman-ombudsman": national.pk,
            "ombudsman-reference": "mijn-kenmerk-77",
            "ombudsman-taken_up_on": timezone.localdate().isoformat(),
        },
    )

    assert response.status_code == 400
    assert "This case is at rung 1" in response.content.decode()
    assert Complaint.objects.get(pk=complaint.pk).rung == Rung.EMPLOYEE


def test_the_date_cannot_be_before_the_case_was_closed_or_in_the_future(
    closed_case, coordinator, national
):
    closed_on = timezone.localdate(closed_case.closed_at)
    for day in (closed_on - timedelta(days=1), timezone.localdate() + timedelta(days=1)):
        with pytest.raises(CaseError):
            start(closed_case, coordinator, national, on=day)
    assert state(closed_case)[0] == Rung.HANDLER


def test_an_inactive_ombudsman_cannot_be_chosen(closed_case, coordinator, national):
    Ombudsman.objects.filter(pk=national.pk).update(is_active=False)
    national.refresh_from_db()
    with pytest.raises(CaseError):
        start(closed_case, coordinator, national)


# ---------------------------------------------------------------------------
# What follows: one event per change, coordinators only
# ---------------------------------------------------------------------------
@pytest.fixture
def rung3(closed_case, coordinator, national):
    start(closed_case, coordinator, national)
    return Complaint.objects.get(pk=closed_case.pk)


def test_each_record_of_the_phase_is_one_ombudsman_event(rung3, coordinator, handler):
    today = timezone.localdate()
    norm = Norm.objects.get(number=14)

    def events():
        return CaseEvent.objects.filter(complaint=rung3, kind=EventKind.OMBUDSMAN).count()

    request = services.information_request_add(
        complaint_id=rung3.pk,
        actor=coordinator,
        question="Stuur het dossier.",
        received_on=today,
        due_on=today + timedelta(days=14),
    )
    assert events() == 1
    services.information_request_answer(
        request_id=request.pk, actor=coordinator, answered_on=today, documents_sent="Dossier"
    )
    assert events() == 2
    services.ombudsman_outcome_record(
        complaint_id=rung3.pk,
        actor=coordinator,
        outcome=OmbudsmanOutcome.REPORT,
        outcome_on=today,
        summary="Niet behoorlijk.",
    )
    services.ombudsman_finding_set(
        complaint_id=rung3.pk, actor=coordinator, norm=norm, judgment=Judgment.UNFOUNDED
    )
    # A second judgment on the same norm replaces the first.
    services.ombudsman_finding_set(
        complaint_id=rung3.pk, actor=coordinator, norm=norm, judgment=Judgment.WELL_FOUNDED
    )
    recommendation = services.recommendation_add(
        complaint_id=rung3.pk,
        actor=coordinator,
        text="Bel terug binnen twee dagen.",
        owner=handler,
        due_on=today + timedelta(days=60),
    )
    services.recommendation_update(
        recommendation_id=recommendation.pk,
        actor=handler,  # the owner
        status=RecommendationStatus.DONE,
        follow_up="Werkinstructie aangepast.",
    )
    services.ombudsman_response_record(
        complaint_id=rung3.pk, actor=coordinator, response="Wij nemen het over.", response_on=today
    )

    names = list(
        CaseEvent.objects.filter(complaint=rung3, kind=EventKind.OMBUDSMAN)
        .order_by("id")
        .values_list("name", flat=True)
    )
    assert names == [
        services.REQUEST_ADDED,
        services.REQUEST_ANSWERED,
        services.OUTCOME,
        services.FINDING,
        services.FINDING,
        services.RECOMMENDATION_ADDED,
        services.RECOMMENDATION_UPDATED,
        services.RESPONSE,
    ]
    phase = OmbudsmanCase.objects.get(complaint=rung3)
    assert phase.findings.get().judgment == Judgment.WELL_FOUNDED
    assert (phase.outcome, phase.response_on) == (OmbudsmanOutcome.REPORT, today)
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.done_on) == (RecommendationStatus.DONE, today)
    assert InformationRequest.objects.get().answered_on == today


@pytest.mark.parametrize("role", ["handler", "manager"])
def test_only_a_coordinator_records_what_follows(role, department, rung3):
    user = UserFactory(**{role: True}, department=department)
    today = timezone.localdate()
    before = state(rung3)
    calls = [
        lambda: services.information_request_add(
            complaint_id=rung3.pk, actor=user, question="?", received_on=today, due_on=today
        ),
        lambda: services.ombudsman_outcome_record(
            complaint_id=rung3.pk, actor=user, outcome="report", outcome_on=today, summary=""
        ),
        lambda: services.ombudsman_finding_set(
            complaint_id=rung3.pk, actor=user, norm=Norm.objects.first(), judgment="unfounded"
        ),
        lambda: services.recommendation_add(
            complaint_id=rung3.pk, actor=user, text="x", owner=user, due_on=today
        ),
        lambda: services.ombudsman_response_record(
            complaint_id=rung3.pk, actor=user, response="x", response_on=today
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert state(rung3) == before


def test_a_request_cannot_be_answered_twice_nor_due_before_it_came(rung3, coordinator):
    today = timezone.localdate()
    with pytest.raises(CaseError):
        services.information_request_add(
            complaint_id=rung3.pk,
            actor=coordinator,
            question="?",
            received_on=today,
            due_on=today - timedelta(days=1),
        )
    request = services.information_request_add(
        complaint_id=rung3.pk, actor=coordinator, question="?", received_on=today, due_on=today
    )
    services.information_request_answer(request_id=request.pk, actor=coordinator, answered_on=today)
    with pytest.raises(CaseError):
        services.information_request_answer(
            request_id=request.pk, actor=coordinator, answered_on=today
        )


def test_a_declined_recommendation_needs_the_reasons(rung3, coordinator, handler):
    recommendation = services.recommendation_add(
        complaint_id=rung3.pk,
        actor=coordinator,
        text="x",
        owner=handler,
        due_on=timezone.localdate(),
    )
    with pytest.raises(CaseError):
        services.recommendation_update(
            recommendation_id=recommendation.pk,
            actor=handler,
            status=RecommendationStatus.DECLINED,
            follow_up=" ",
        )
    other = UserFactory(handler=True, department=handler.department)
    with pytest.raises(PermissionDenied):  # neither the owner nor a coordinator
        services.recommendation_update(
            recommendation_id=recommendation.pk,
            actor=other,
            status=RecommendationStatus.IN_PROGRESS,
            follow_up="",
        )
    assert Recommendation.objects.get().status == RecommendationStatus.OPEN


def _seen(page: str, prefix: str) -> str:
    return re.search(rf'name="{prefix}seen" value="([0-9a-f]*)"', page)[1]


def test_a_response_over_a_colleagues_later_one_is_refused_with_the_text_kept(
    client, rung3, coordinator
):
    """Two coordinators open the case; the second save would have replaced the first unseen.
    It is refused (409) with the colleague's response on the page and the typed text in the
    form; saving again replaces it, deliberately."""
    colleague = UserFactory(coordinator=True, department=coordinator.department)
    in_english(client)
    case_url = reverse("complaints:case", args=[rung3.reference])
    client.force_login(coordinator)
    seen = _seen(client.get(case_url).content.decode(), "response-")
    services.ombudsman_response_record(
        complaint_id=rung3.pk,
        actor=colleague,
        response="Wij volgen de aanbeveling op.",
        response_on=timezone.localdate(),
        seen=seen,
    )
    url = reverse("complaints:ombudsman_response", args=[rung3.reference])
    mine = {
        "response-response": "Wij <b>betreuren</b> de gang van zaken.",
        "response-response_on": timezone.localdate().isoformat(),
        "response-seen": seen,
    }
    refused = client.post(url, mine)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "A colleague saved this in the meantime" in page
    assert "Wij volgen de aanbeveling op." in page  # theirs, on the page
    assert "Wij &lt;b&gt;betreuren&lt;/b&gt; de gang van zaken." in page  # mine, in the form
    assert OmbudsmanCase.objects.get().response == "Wij volgen de aanbeveling op."

    again = client.post(url, {**mine, "response-seen": _seen(page, "response-")})
    assert again.status_code == 302
    assert OmbudsmanCase.objects.get().response == mine["response-response"]
    # Without the field (a page opened before it existed) the save is not checked.
    assert client.post(url, {**mine, "response-seen": ""}).status_code == 302


def test_a_follow_up_over_a_later_one_is_refused_on_the_recommendation_page(
    client, rung3, coordinator, handler
):
    recommendation = services.recommendation_add(
        complaint_id=rung3.pk,
        actor=coordinator,
        text="Bel de klager terug.",
        owner=handler,
        due_on=timezone.localdate(),
    )
    in_english(client)
    client.force_login(handler)
    url = reverse("complaints:recommendation", args=[recommendation.pk])
    prefix = f"follow-up-{recommendation.pk}-"
    seen = _seen(client.get(url).content.decode(), prefix)
    services.recommendation_update(
        recommendation_id=recommendation.pk,
        actor=coordinator,
        status=RecommendationStatus.IN_PROGRESS,
        follow_up="Afspraak gepland.",
        seen=seen,
    )
    mine = {
        f"{prefix}status": RecommendationStatus.DONE,
        f"{prefix}follow_up": "Teruggebeld op maandag.",
        f"{prefix}seen": seen,
    }
    refused = client.post(url, mine)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Afspraak gepland." in page and "Teruggebeld op maandag." in page
    assert Recommendation.objects.get().follow_up == "Afspraak gepland."
    assert client.post(url, {**mine, f"{prefix}seen": _seen(page, prefix)}).status_code == 302
    assert Recommendation.objects.get().status == RecommendationStatus.DONE

    with pytest.raises(CaseError, match="in the meantime"):  # the outcome is checked too
        services.ombudsman_outcome_record(
            complaint_id=rung3.pk,
            actor=coordinator,
            outcome=OmbudsmanOutcome.values[0],
            outcome_on=timezone.localdate(),
            summary="",
            seen="0" * 16,
        )


# ---------------------------------------------------------------------------
# Information requests: reminders before, on the day and overdue
# ---------------------------------------------------------------------------
def taken_up(department, coordinator, *, handler=None):
    """A case the ombudsman took up on START, with the national ombudsman."""
    with at(START):
        case = ComplaintFactory(
            closed=True, reason=ClosureReason.JUDGED, department=department, handler=handler
        )
        start(case, coordinator, Ombudsman.objects.get(name="Nationale ombudsman"))
    return Complaint.objects.get(pk=case.pk)


def ask(case, coordinator, *, due_on=DUE, question="Stuur het volledige dossier."):
    with at(START):
        return services.information_request_add(
            complaint_id=case.pk,
            actor=coordinator,
            question=question,
            received_on=START,
            due_on=due_on,
        )


def test_an_information_request_gets_reminders_before_on_the_day_and_overdue(
    department, coordinator
):
    other_coordinator = UserFactory(coordinator=True, department=department)
    UserFactory(coordinator=True)  # another department: not told
    case = taken_up(department, coordinator)
    request = ask(case, coordinator)

    written = {}
    for day in days(date(2026, 12, 14), date(2027, 1, 3)):
        with at(day):
            reminder_sweep_task()
            reminder_sweep_task()  # a second run the same day writes nothing
            written[day] = sorted(
                (r.kind, r.key.split(":")[4], r.recipient_id)
                for r in Reminder.objects.filter(complaint=case, created_at__date=day)
            )

    told = sorted([coordinator.pk, other_coordinator.pk])
    expected = {day: [] for day in written}
    expected[BEFORE_5] = [("before", "before-5", pk) for pk in told]
    expected[BEFORE_1] = [("before", "before-1", pk) for pk in told]
    expected[DUE] = [("on_the_day", "on-the-day", pk) for pk in told]
    for day in days(DUE + timedelta(1), date(2027, 1, 3)):  # daily while not answered
        expected[day] = [("overdue", f"overdue-{day.isoformat()}", pk) for pk in told]
    assert written == expected

    keys = Counter(Reminder.objects.values_list("key", flat=True))
    assert max(keys.values()) == 1  # each once
    assert set(Reminder.objects.values_list("due_field", flat=True)) == {
        f"information_request:{request.pk}"
    }
    assert OutboxMessage.objects.filter(
        key__startswith="reminder:information-request:"
    ).count() == (sum(keys.values()))


def test_the_reminder_names_the_case_the_ombudsman_and_the_date_but_not_the_question(
    settings, department, coordinator
):
    settings.SITE_URL = "https://klachten.example.nl/"
    case = taken_up(department, coordinator)
    ask(case, coordinator, question="Geheime vraag over de gezondheid van de klager")
    with at(DUE):
        assert ombudsman_reminder_sweep(today=DUE) == 1

    message = Reminder.objects.get().message
    assert message.to == coordinator.email
    assert case.reference in message.subject and "Nationale ombudsman" in message.subject
    assert "\n" not in message.subject
    assert "woensdag 30 december 2026" in message.body  # rendered in Dutch (the default)
    assert f"https://klachten.example.nl/staff/complaints/{case.reference}/#ombudsman" in (
        message.body
    )
    assert "Geheime vraag" not in message.subject + message.body
    assert case.complainant_name not in message.subject + message.body


def test_the_reminder_subject_fits_the_outbox_whatever_the_ombudsman_is_called(
    department, coordinator
):
    """An ombudsman's name may be 200 characters; the outbox's subject holds 250. The English
    subject of a recommendation 123 days overdue adds 51: it is cut, not refused."""
    from complaints.models import OutboxMessage
    from complaints.services.ombudsman_reminders import Planned, reminder_render

    name = "Ombudsman " + "van de gemeenschappelijke regeling " * 5 + "x" * 15
    assert len(name) == Ombudsman._meta.get_field("name").max_length == 200
    case = taken_up(department, coordinator)
    item = Planned(
        key="k", complaint_id=case.pk, due_field="recommendation:1", due_on=DUE, kind="overdue",
        days=123, recipient=coordinator, about="recommendation", object_id=1, ombudsman=name,
        their_reference="",
    )  # fmt: skip
    subject, _body = reminder_render(case=case, item=item, language="en")
    assert len(subject) == OutboxMessage._meta.get_field("subject").max_length == 250
    assert subject.startswith(f"[{case.reference}] Recommendation of Ombudsman van de")


def test_an_answered_request_gets_no_reminders(department, coordinator):
    case = taken_up(department, coordinator)
    request = ask(case, coordinator)
    with at(START):
        services.information_request_answer(
            request_id=request.pk, actor=coordinator, answered_on=START, documents_sent="Dossier"
        )
    for day in days(BEFORE_5, DUE + timedelta(5)):
        with at(day):
            reminder_sweep_task()
    assert not Reminder.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_an_answer_stops_the_overdue_reminders(department, coordinator):
    case = taken_up(department, coordinator)
    request = ask(case, coordinator)
    with at(DUE + timedelta(1)):
        assert ombudsman_reminder_sweep(today=DUE + timedelta(1)) == 1
        services.information_request_answer(
            request_id=request.pk, actor=coordinator, answered_on=DUE + timedelta(1)
        )
    for day in days(DUE + timedelta(2), DUE + timedelta(6)):
        with at(day):
            assert ombudsman_reminder_sweep(today=day) == 0
    assert Reminder.objects.filter(complaint=case).count() == 1


def test_after_downtime_the_first_sweep_sends_only_the_latest_reminder(department, coordinator):
    case = taken_up(department, coordinator)
    ask(case, coordinator)
    back = date(2026, 12, 31)
    with at(back):
        assert ombudsman_reminder_sweep(today=back) == 1
        assert ombudsman_reminder_sweep(today=back) == 0
    assert Reminder.objects.get(complaint=case).key.split(":")[4] == "overdue-2026-12-31"
    assert Reminder.objects.get().kind == ReminderKind.OVERDUE


def test_without_a_coordinator_in_the_department_the_handler_is_told(department):
    elsewhere = UserFactory(coordinator=True)  # records it, but is of another department
    handler = UserFactory(handler=True, department=department)
    case = taken_up(department, elsewhere, handler=handler)
    ask(case, elsewhere)
    with at(DUE):
        assert ombudsman_reminder_sweep(today=DUE) == 1
    assert Reminder.objects.get().recipient == handler


def test_with_nobody_to_tell_the_request_is_skipped(department):
    elsewhere = UserFactory(coordinator=True)
    case = taken_up(department, elsewhere)
    Complaint.objects.filter(pk=case.pk).update(handler=None)
    ask(case, elsewhere)
    with at(DUE):
        assert ombudsman_reminder_sweep(today=DUE) == 0


def test_a_quiet_sweep_costs_the_same_for_1_or_20_requests(department, coordinator):
    case = taken_up(department, coordinator)
    for _ in range(20):
        ask(case, coordinator, due_on=date(2027, 3, 1))  # far away: nothing due
    with CaptureQueriesContext(connection) as captured:
        assert ombudsman_reminder_sweep(today=DUE) == 0
    assert len(captured) <= 4  # service norms, decree days, requests, recommendations


# ---------------------------------------------------------------------------
# Recommendations: overdue ones show up for their owner
# ---------------------------------------------------------------------------
def recommend(case, coordinator, owner, *, due_on, text="Pas de werkinstructie aan."):
    return services.recommendation_add(
        complaint_id=case.pk, actor=coordinator, text=text, owner=owner, due_on=due_on
    )


def test_overdue_recommendations_show_up_for_their_owner_first_and_not_for_others(
    client, rung3, coordinator
):
    today = timezone.localdate()
    owner = UserFactory(manager=True)  # of another department: cannot see the case
    later = recommend(rung3, coordinator, owner, due_on=today + timedelta(days=20), text="Later")
    overdue = recommend(rung3, coordinator, owner, due_on=today, text="Te laat")
    done = recommend(rung3, coordinator, owner, due_on=today, text="Klaar")
    services.recommendation_update(
        recommendation_id=done.pk, actor=owner, status=RecommendationStatus.DONE, follow_up="ok"
    )
    someone_else = UserFactory(manager=True)
    recommend(rung3, coordinator, someone_else, due_on=today, text="Andere")
    # Time passes: three days later these are overdue.
    Recommendation.objects.exclude(pk=later.pk).update(due_on=today - timedelta(days=3))

    client.force_login(owner)
    in_english(client)
    response = client.get(reverse("staff-home"))
    assert [r.pk for r in response.context["recommendations"]] == [overdue.pk, later.pk]
    page = response.content.decode()
    assert "My recommendations" in page
    assert "Klaar" not in page and "Andere" not in page
    # Overdue: in words and in colour, never colour alone.
    row = re.search(
        r'<tr class="kl-recommendation kl-recommendation--overdue">(.*?)</tr>', page, re.S
    )
    assert row and "Te laat" in row.group(1)
    assert "kl-due--danger" in row.group(1) and "3 days overdue" in row.group(1)
    assert reverse("complaints:recommendation", args=[overdue.pk]) in page

    client.force_login(coordinator)  # owns none: no list
    assert "My recommendations" not in client.get(reverse("staff-home")).content.decode()


def test_the_owner_records_the_follow_up_on_the_recommendation_page(client, rung3, coordinator):
    owner = UserFactory(employee=True)  # sees no case at all
    item = recommend(rung3, coordinator, owner, due_on=timezone.localdate())
    url = reverse("complaints:recommendation", args=[item.pk])

    client.force_login(UserFactory(handler=True, department=rung3.department))
    assert client.get(url).status_code == 404  # not theirs: as if it did not exist

    client.force_login(owner)
    in_english(client)
    page = client.get(url)
    assert page.status_code == 200
    assert reverse("complaints:case", args=[rung3.reference]) not in page.content.decode()
    prefix = f"follow-up-{item.pk}"
    refused = client.post(url, {f"{prefix}-status": "declined", f"{prefix}-follow_up": ""})
    assert refused.status_code == 400
    assert "Give the reasons" in refused.content.decode()
    response = client.post(
        url, {f"{prefix}-status": "done", f"{prefix}-follow_up": "Instructie is aangepast."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.done_on) == (RecommendationStatus.DONE, timezone.localdate())
    event = CaseEvent.objects.filter(complaint=rung3).latest("id")
    assert (event.name, event.actor) == (services.RECOMMENDATION_UPDATED, owner)


def test_the_home_page_lists_recommendations_in_one_query(
    client, rung3, coordinator, django_assert_num_queries
):
    owner = UserFactory(manager=True)
    today = timezone.localdate()
    recommend(rung3, coordinator, owner, due_on=today)
    client.force_login(owner)
    url = reverse("staff-home")
    client.get(url)  # warm up
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    baseline = len(captured)
    for n in range(10):
        recommend(rung3, coordinator, owner, due_on=today + timedelta(days=n))
    with django_assert_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["recommendations"]) == 11


def test_the_owner_of_an_overdue_recommendation_is_reminded_once(department, coordinator):
    owner = UserFactory(manager=True)
    case = taken_up(department, coordinator)
    with at(START):
        item = recommend(case, coordinator, owner, due_on=DUE)
    for day in days(DUE, DUE + timedelta(5)):
        with at(day):
            reminder_sweep_task()
            reminder_sweep_task()
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.kind) == (owner, ReminderKind.OVERDUE)
    assert reminder.due_field == f"recommendation:{item.pk}"
    assert timezone.localdate(reminder.created_at) == DUE + timedelta(1)
    assert reverse("complaints:recommendation", args=[item.pk]) in reminder.message.body


# ---------------------------------------------------------------------------
# The case page: our judgment next to the ombudsman's
# ---------------------------------------------------------------------------
def test_the_case_page_shows_our_judgment_next_to_the_ombudsmans(
    client, department, coordinator, handler, national
):
    case = ComplaintFactory(
        closed=True, reason=ClosureReason.JUDGED, department=department, parts=0
    )
    norm = {n.number: n for n in Norm.objects.filter(number__in=[2, 7, 14, 19])}
    first = ComplaintPartFactory(complaint=case, number=1, judgment=Judgment.WELL_FOUNDED)
    second = ComplaintPartFactory(complaint=case, number=2, judgment=Judgment.UNFOUNDED)
    first.norms.set([norm[2], norm[14]])
    second.norms.set([norm[14], norm[19]])
    start(case, coordinator, national)
    for number, judgment in ((14, Judgment.WELL_FOUNDED), (7, Judgment.UNFOUNDED)):
        services.ombudsman_finding_set(
            complaint_id=case.pk, actor=coordinator, norm=norm[number], judgment=judgment
        )

    client.force_login(handler)  # everyone who sees the case sees the table
    in_english(client)
    response = client.get(reverse("complaints:case", args=[case.reference]))
    rows = [
        (row["norm"].number, [p.number for p in row["parts"]], row["finding"])
        for row in response.context["ombudsman_judgments"]
    ]
    assert rows == [
        (2, [1], None),
        (7, [], "Unfounded"),  # judged by the ombudsman only
        (14, [1, 2], "Well-founded"),
        (19, [2], None),
    ]
    page = response.content.decode()
    table = re.search(r'id="ombudsman-judgments".*?<tbody[^>]*>(.*?)</tbody>', page, re.S)
    cells = [
        re.sub(r"<[^>]+>", " ", cell).split()
        for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", table.group(1), re.S)
    ]
    as_text = [" ".join(cell) for cell in cells]
    assert as_text[0:3] == [str(norm[2]), "Part 1: Well-founded", "—"]
    assert as_text[3:6] == [str(norm[7]), "—", "Unfounded"]
    assert as_text[6:9] == [str(norm[14]), "Part 1: Well-founded Part 2: Unfounded", "Well-founded"]
    assert as_text[9:12] == [str(norm[19]), "Part 2: Unfounded", "—"]
    # A handler sees, but gets no form to change the phase.
    assert reverse("complaints:ombudsman_finding", args=[case.reference]) not in page


def test_the_case_page_shows_requests_with_their_due_date_in_words(
    client, rung3, coordinator, handler
):
    today = timezone.localdate()
    late = services.information_request_add(
        complaint_id=rung3.pk,
        actor=coordinator,
        question="Late vraag",
        received_on=today,
        due_on=today,
    )
    InformationRequest.objects.filter(pk=late.pk).update(due_on=today - timedelta(days=2))
    client.force_login(coordinator)
    in_english(client)
    page = client.get(reverse("complaints:case", args=[rung3.reference])).content.decode()
    item = re.search(rf'id="information-request-{late.pk}">(.*?)</li>', page, re.S).group(1)
    assert "kl-due--danger" in item and "2 days overdue" in item
    assert reverse("complaints:ombudsman_request_answer", args=[rung3.reference, late.pk]) in item


def test_coordinator_forms_work_over_http(client, rung3, coordinator, handler):
    client.force_login(coordinator)
    in_english(client)
    today = timezone.localdate().isoformat()
    reference = rung3.reference
    posts = [
        (
            "complaints:ombudsman_request",
            {"request-question": "Vraag", "request-received_on": today, "request-due_on": today},
        ),
        (
            "complaints:ombudsman_outcome",
            {"outcome-outcome": "mediation", "outcome-outcome_on": today, "outcome-summary": "x"},
        ),
        (
            "complaints:ombudsman_finding",
            {
                "finding-norm": Norm.objects.get(number=3).pk,
                "finding-judgment": "unfounded",
                "finding-note": "",
            },
        ),
        (
            "complaints:ombudsman_recommendation",
            {
                "recommendation-text": "Doe het zo",
                "recommendation-owner": handler.pk,
                "recommendation-due_on": today,
            },
        ),
        (
            "complaints:ombudsman_response",
            {"response-response": "Ja", "response-response_on": today},
        ),
    ]
    for name, data in posts:
        response = client.post(reverse(name, args=[reference]), data)
        assert response.status_code == 302, (name, response.content.decode()[:500])
    phase = OmbudsmanCase.objects.get(complaint=rung3)
    assert phase.information_requests.count() == 1
    assert phase.findings.count() == 1
    assert phase.recommendations.get().owner == handler
    assert (phase.outcome, phase.response) == ("mediation", "Ja")

    # An invalid form shows the case again with what was typed.
    response = client.post(
        reverse("complaints:ombudsman_request", args=[reference]),
        {"request-question": "Bewaar deze tekst", "request-received_on": today},
    )
    assert response.status_code == 400
    assert "Bewaar deze tekst" in response.content.decode()

    # The owner records the follow-up on the case page; a colleague may not.
    item = phase.recommendations.get()
    url = reverse("complaints:ombudsman_follow_up", args=[reference, item.pk])
    data = {f"follow-up-{item.pk}-status": "in_progress", f"follow-up-{item.pk}-follow_up": "Bezig"}
    client.force_login(UserFactory(handler=True, department=rung3.department))
    assert client.post(url, data).status_code == 403
    client.force_login(handler)
    assert client.post(url, data).status_code == 302
    assert Recommendation.objects.get().status == RecommendationStatus.IN_PROGRESS


def test_the_form_to_add_a_recommendation_opens_on_request(client, rung3, coordinator):
    client.force_login(coordinator)
    url = reverse("complaints:case", args=[rung3.reference])
    assert 'name="recommendation-owner"' not in client.get(url).content.decode()
    assert (
        'name="recommendation-owner"' in client.get(f"{url}?edit=recommendation").content.decode()
    )


# ---------------------------------------------------------------------------
# Input: whatever the ombudsman or a colleague wrote is shown as text
# ---------------------------------------------------------------------------
def test_texts_of_the_phase_are_escaped_on_every_page(client, department, handler):
    coordinator = UserFactory(coordinator=True, department=department, full_name=XSS)
    case = ComplaintFactory(closed=True, reason=ClosureReason.JUDGED, department=department)
    national = Ombudsman.objects.get(name="Nationale ombudsman")
    Ombudsman.objects.filter(pk=national.pk).update(name=f"Ombudsman {XSS}")
    national.refresh_from_db()
    today = timezone.localdate()
    start(case, coordinator, national, reference=XSS[:100])
    request = services.information_request_add(
        complaint_id=case.pk, actor=coordinator, question=XSS, received_on=today, due_on=today
    )
    services.information_request_answer(
        request_id=request.pk, actor=coordinator, answered_on=today, documents_sent=XSS
    )
    services.ombudsman_outcome_record(
        complaint_id=case.pk, actor=coordinator, outcome="report", outcome_on=today, summary=XSS
    )
    services.ombudsman_finding_set(
        complaint_id=case.pk,
        actor=coordinator,
        norm=Norm.objects.get(number=1),
        judgment="unfounded",
        note=XSS,
    )
    item = recommend(case, coordinator, handler, due_on=today, text=XSS)
    services.recommendation_update(
        recommendation_id=item.pk, actor=handler, status="in_progress", follow_up=XSS
    )
    services.ombudsman_response_record(
        complaint_id=case.pk, actor=coordinator, response=XSS, response_on=today
    )

    pages = []
    client.force_login(coordinator)
    pages.append(client.get(reverse("complaints:case", args=[case.reference])))
    client.force_login(handler)
    pages.append(client.get(reverse("complaints:case", args=[case.reference])))
    pages.append(client.get(reverse("staff-home")))
    pages.append(client.get(reverse("complaints:recommendation", args=[item.pk])))
    for response in pages:
        assert response.status_code == 200
        page = response.content.decode()
        assert "<script>alert" not in page and "<img src=x" not in page
        assert ESCAPED[:40] in page


# ---------------------------------------------------------------------------
# Configuration: the list of ombudsmen, and the one the status page names
# ---------------------------------------------------------------------------
def test_the_functional_admin_keeps_the_list_of_ombudsmen(client):
    client.force_login(UserFactory(functional_admin=True))
    listing = client.get("/admin/complaints/ombudsman/?q=Kinder")
    assert listing.status_code == 200
    assert "Kinderombudsman" in listing.content.decode()
    assert client.get("/admin/complaints/ombudsman/add/").status_code == 200
    client.force_login(UserFactory(coordinator=True, is_staff=True))
    assert client.get("/admin/complaints/ombudsman/").status_code == 403


def test_the_status_page_names_the_default_ombudsman(client, settings, closed_case):
    from complaints.services.status_links import status_link_issue

    settings.OMBUDSMAN_NAME = "de ombudsman uit de instellingen"
    settings.OMBUDSMAN_URL = "https://instellingen.example.nl"
    Ombudsman.objects.update(is_default=False)
    Ombudsman.objects.create(
        name="Ombudsman Metropool Zuiderhout",
        kind="municipal",
        website="https://ombudsman.zuiderhout.example.nl",
        is_default=True,
    )
    token = status_link_issue(closed_case)
    page = client.get(reverse("status", args=[token])).content.decode()
    assert "Ombudsman Metropool Zuiderhout" in page
    assert 'href="https://ombudsman.zuiderhout.example.nl"' in page
    assert "instellingen" not in page

    Ombudsman.objects.update(is_default=False)  # none named: the settings
    page = client.get(reverse("status", args=[token])).content.decode()
    assert "de ombudsman uit de instellingen" in page
    assert 'href="https://instellingen.example.nl"' in page
