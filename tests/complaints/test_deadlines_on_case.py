"""The due dates on a case (DOMAIN.md section 5): computed at registration, recomputed when
what they depend on changes, postponed once (Awb 9:11 lid 2), extended with consent (lid 3),
and the coordinator's page of what is due this week.

Today is Monday 2 March 2026 in every test; expected dates are worked out from a calendar.
"""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from complaints import services
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    Letter,
    LetterKind,
    LetterStatus,
    NotHandledGround,
    OutboxKind,
    OutboxMessage,
    PartyRole,
    Rung,
    Stage,
)
from complaints.services import CaseError, StaleAction
from ladder.models import EqualDay, ServiceNorms
from tests.factories import ComplaintFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """The services' refusals are matched on their English source text here; the Dutch
    translations are checked by tests/test_i18n.py."""
    with translation.override("en"):
        yield


TODAY = date(2026, 3, 2)  # a Monday
RECEIVED = date(2026, 2, 23)  # a Monday; 6 weeks is Easter Monday 6 April 2026


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel("2026-03-02 10:00 +01:00", tick=False):
        yield


@pytest.fixture
def client(client, settings):
    """The staff pages in English (the default is Dutch)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


def register(actor, department, parties=(), **overrides) -> Complaint:
    fields = {
        "channel": "letter",
        "received_on": RECEIVED,
        "is_written": True,
        "language": "en",
        "department": department,
        "complainant_name": "Jan Smit",
        "complainant_email": "jan.smit@example.nl",
        "complainant_phone": "0612345678",
        "conduct_description": "Niemand belde terug.",
        **overrides,
    }
    return services.complaint_register(actor=actor, fields=fields, parties=parties)


def update(actor, complaint, **fields) -> Complaint:
    return services.complaint_update(
        complaint_id=complaint.pk,
        actor=actor,
        expected_version=Complaint.objects.get(pk=complaint.pk).version,
        fields=fields,
    )


def postpone(actor, complaint, weeks=4, reason="We wachten op het advies van de afdeling."):
    return services.complaint_postpone(
        complaint_id=complaint.pk,
        actor=actor,
        expected_version=Complaint.objects.get(pk=complaint.pk).version,
        reason=reason,
        weeks=weeks,
    )


def extend(actor, complaint, until, consent_on=TODAY, note="E-mail van de klager van 2 maart."):
    return services.complaint_extend(
        complaint_id=complaint.pk,
        actor=actor,
        expected_version=Complaint.objects.get(pk=complaint.pk).version,
        until=until,
        consent_on=consent_on,
        consent_note=note,
    )


def notices():
    """What the postponement and extension services write (registering writes an
    acknowledgement too, which is not theirs)."""
    return OutboxMessage.objects.filter(kind__in=[OutboxKind.POSTPONEMENT, OutboxKind.EXTENSION])


def deadline_events(complaint):
    return list(CaseEvent.objects.filter(complaint=complaint, kind=EventKind.DEADLINE))


def due_dates(complaint) -> tuple:
    row = Complaint.objects.get(pk=complaint.pk)
    return (
        row.decision_due,
        row.acknowledgement_due,
        row.first_contact_due,
        row.not_handled_notice_due,
    )


# ---------------------------------------------------------------------------
# Computing and recomputing
# ---------------------------------------------------------------------------
def test_registration_sets_every_due_date_of_a_written_complaint(coordinator, department):
    complaint = register(coordinator, department)
    assert due_dates(complaint) == (
        date(2026, 4, 7),  # Awb 9:11: 6 weeks ends on Easter Monday -> Tuesday
        date(2026, 3, 2),  # 5 working days (service norm)
        date(2026, 2, 26),  # 3 working days (service norm)
        None,  # no ground not to handle
    )
    assert deadline_events(complaint) == []  # registering is not a change of a due date


def test_an_oral_complaint_has_no_legal_term_but_a_first_contact_date(coordinator, department):
    complaint = register(coordinator, department, channel="phone", is_written=False)
    assert due_dates(complaint) == (None, None, date(2026, 2, 26), None)


def test_an_oral_complaint_with_a_ground_not_to_handle_has_no_9_8_notice_date(
    coordinator, department
):
    """Awb 9:8's notice is about a written complaint; oral ones carry no formal duties."""
    from complaints.models import NotHandledGround

    oral = register(
        coordinator, department, channel="phone", is_written=False,
        not_handled_ground=NotHandledGround.OLDER_THAN_A_YEAR,
    )  # fmt: skip
    assert due_dates(oral)[3] is None
    written = register(
        coordinator, department, not_handled_ground=NotHandledGround.OLDER_THAN_A_YEAR
    )
    assert due_dates(written)[3] is not None


def test_a_case_at_rung_3_keeps_its_awb_terms_when_its_dates_are_computed_again(
    coordinator, department
):
    """Rung 3 keeps the rung-2 procedure: reopened there and its date of receipt corrected,
    its terms still count (they became None)."""
    from complaints.models import Rung
    from complaints.services.deadlines import due_dates_compute

    complaint = register(coordinator, department)
    before = due_dates(complaint)
    complaint.rung = Rung.OMBUDSMAN
    due_dates_compute(complaint)
    assert complaint.decision_due == before[0] and complaint.acknowledgement_due == before[1]


def test_the_service_norms_of_the_admin_are_used(coordinator, department):
    norms = ServiceNorms.current()
    norms.acknowledgement_days, norms.first_contact_days = 2, 1
    norms.save()
    complaint = register(coordinator, department)
    assert due_dates(complaint)[1:3] == (date(2026, 2, 25), date(2026, 2, 24))


def test_a_decree_day_added_by_the_admin_moves_the_decision_date(coordinator, department):
    # received Friday 27 February 2026: 6 weeks ends on Friday 10 April
    before = register(coordinator, department, received_on=date(2026, 2, 27))
    assert due_dates(before)[0] == date(2026, 4, 10)
    EqualDay.objects.create(day=date(2026, 4, 10), decree="test")
    after = register(coordinator, department, received_on=date(2026, 2, 27))
    assert due_dates(after)[0] == date(2026, 4, 13)  # Atw art. 3 lid 3: to Monday
    # and an edit of the older case recomputes it with the new day
    update(coordinator, before, received_on=date(2026, 2, 26))
    update(coordinator, before, received_on=date(2026, 2, 27))
    assert due_dates(before)[0] == date(2026, 4, 13)


def test_the_advisory_committee_gives_ten_weeks_and_a_deadline_event(coordinator, department):
    complaint = register(coordinator, department)
    update(coordinator, complaint, advisory_committee=True)
    assert due_dates(complaint)[0] == date(2026, 5, 4)  # Awb 9:13: 10 weeks, a Monday
    [event] = deadline_events(complaint)
    assert event.actor == coordinator
    assert event.data["changes"] == {"decision_due": ["2026-04-07", "2026-05-04"]}
    update(coordinator, complaint, advisory_committee=False)
    assert due_dates(complaint)[0] == date(2026, 4, 7)
    assert len(deadline_events(complaint)) == 2


def test_a_new_date_of_receipt_moves_every_date_in_one_event(coordinator, department):
    complaint = register(coordinator, department)
    update(coordinator, complaint, received_on=date(2026, 2, 24))
    assert due_dates(complaint)[:3] == (date(2026, 4, 7), date(2026, 3, 3), date(2026, 2, 27))
    [event] = deadline_events(complaint)
    assert event.data["changes"] == {
        "acknowledgement_due": ["2026-03-02", "2026-03-03"],
        "first_contact_due": ["2026-02-26", "2026-02-27"],
    }  # the decision date stayed: Easter rolled 6 April to 7 April, as 7 April itself


def test_a_ground_not_to_handle_sets_the_9_8_notice_date_while_recorded(coordinator, department):
    complaint = register(coordinator, department)
    update(coordinator, complaint, not_handled_ground=NotHandledGround.OLDER_THAN_A_YEAR)
    assert due_dates(complaint)[3] == date(2026, 3, 23)  # Awb 9:8: 4 weeks
    update(coordinator, complaint, not_handled_ground="")
    assert due_dates(complaint)[3] is None
    changes = [event.data["changes"] for event in deadline_events(complaint)]
    assert changes == [
        {"not_handled_notice_due": [None, "2026-03-23"]},
        {"not_handled_notice_due": ["2026-03-23", None]},
    ]


def test_an_edit_that_moves_no_due_date_writes_no_deadline_event(coordinator, department):
    complaint = register(coordinator, department)
    update(coordinator, complaint, conduct_place="Balie stadhuis")
    update(coordinator, complaint, is_signed=True)
    assert deadline_events(complaint) == []


def test_the_first_contact_is_recorded_once(coordinator, department):
    complaint = register(coordinator, department)
    for at in (timezone.now() - timedelta(days=3), timezone.now()):
        services.contact_add(
            complaint_id=complaint.pk,
            actor=coordinator,
            fields={"at": at, "channel": "phone", "with_whom": "Klager", "summary": "Gebeld."},
        )
    assert Complaint.objects.get(pk=complaint.pk).first_contact_on == date(2026, 2, 27)


# ---------------------------------------------------------------------------
# Postponement (Awb 9:11 lid 2)
# ---------------------------------------------------------------------------
@pytest.fixture
def accused(user_factory, department):
    return user_factory(
        employee=True, department=department, full_name="Piet Balie", email="piet@example.nl"
    )


@pytest.fixture
def case_with_parties(coordinator, department, accused):
    return register(
        coordinator,
        department,
        parties=[
            {"role": PartyRole.COMPLAINED_ABOUT, "name": accused.full_name, "employee": accused},
            {"role": PartyRole.COMPLAINED_ABOUT, "name": "Extern bureau", "email": "b@ext.nl"},
            {"role": PartyRole.COMPLAINED_ABOUT, "name": "Oud-medewerker"},  # no address
            {"role": PartyRole.REPRESENTATIVE, "name": "Advocaat", "email": "adv@example.nl"},
        ],
    )


def test_a_postponement_notifies_the_complainant_and_every_person_complained_about(
    coordinator, case_with_parties
):
    complaint = postpone(coordinator, case_with_parties)
    assert complaint.decision_due == date(2026, 5, 4)  # 6 + 4 weeks
    assert complaint.postponed_on == TODAY
    messages = notices().filter(complaint=complaint)
    assert {m.to for m in messages} == {"jan.smit@example.nl", "piet@example.nl", "b@ext.nl"}
    assert {m.kind for m in messages} == {OutboxKind.POSTPONEMENT}
    assert {m.language for m in messages} == {"en"}
    to_complainant = messages.get(key=f"postpone:{complaint.reference}:complainant")
    assert to_complainant.subject == f"Complaint {complaint.reference}: we need more time"
    assert "4 May 2026" in to_complainant.body
    assert "7 April 2026" in to_complainant.body
    assert "We wachten op het advies" in to_complainant.body
    [event] = deadline_events(complaint)
    assert event.name == "postponed"
    assert event.data["weeks"] == 4
    assert event.data["changes"] == {"decision_due": ["2026-04-07", "2026-05-04"]}
    assert event.data["letters_to_post"] == ["Oud-medewerker"]  # no e-mail: post a letter
    assert "Oud-medewerker" in event.note
    # Each notice is a letter of the postponement kind with its PDF (the mails attach it);
    # the one without an e-mail address is ready to post. The representative gets none.
    letters = Letter.objects.filter(complaint=complaint, kind=LetterKind.POSTPONEMENT)
    assert sorted((x.recipient_name, x.status) for x in letters) == [
        ("Extern bureau", LetterStatus.SENT),
        ("Jan Smit", LetterStatus.SENT),
        ("Oud-medewerker", LetterStatus.TO_POST),
        ("Piet Balie", LetterStatus.SENT),
    ]
    assert all(x.is_intact() for x in letters)
    assert {m.letter_id for m in messages} == {
        x.pk for x in letters if x.status == LetterStatus.SENT
    }


def test_a_person_recorded_twice_gets_one_notice(coordinator, department, accused):
    complaint = register(
        coordinator,
        department,
        parties=[
            {"role": PartyRole.COMPLAINED_ABOUT, "name": accused.full_name, "employee": accused},
            {"role": PartyRole.COMPLAINED_ABOUT, "name": "Piet", "email": "PIET@example.nl"},
        ],
    )
    postpone(coordinator, complaint)
    to = [m.to for m in notices().filter(complaint=complaint)]
    assert sorted(to) == ["jan.smit@example.nl", "piet@example.nl"]


def test_a_complainant_without_e_mail_is_recorded_for_a_letter(coordinator, department):
    complaint = register(coordinator, department, complainant_email="")
    postpone(coordinator, complaint)
    assert not notices().filter(complaint=complaint).exists()
    assert deadline_events(complaint)[0].data["letters_to_post"] == ["Jan Smit"]
    letter = Letter.objects.get(complaint=complaint, kind=LetterKind.POSTPONEMENT)
    assert (letter.recipient_name, letter.status) == ("Jan Smit", LetterStatus.TO_POST)


@pytest.mark.parametrize(
    ("weeks", "expected"),
    [
        (1, date(2026, 4, 13)),  # 7 weeks
        (2, date(2026, 4, 20)),  # 8 weeks
        (3, date(2026, 4, 28)),  # 9 weeks ends on King's Day, Monday 27 April -> Tuesday
    ],
)
def test_a_shorter_postponement_counts_on_the_original_term(
    coordinator, department, weeks, expected
):
    complaint = postpone(coordinator, register(coordinator, department), weeks=weeks)
    assert complaint.decision_due == expected


def test_a_case_is_postponed_only_once(coordinator, case_with_parties):
    postpone(coordinator, case_with_parties, weeks=1)
    before = (due_dates(case_with_parties), notices().count())
    with pytest.raises(CaseError, match="only once"):
        postpone(coordinator, case_with_parties, weeks=3)
    assert (due_dates(case_with_parties), notices().count()) == before


@pytest.mark.parametrize("weeks", [0, 5, 12])
def test_a_postponement_is_never_beyond_four_weeks(coordinator, case_with_parties, weeks):
    with pytest.raises(CaseError, match="1 to 4 weeks"):
        postpone(coordinator, case_with_parties, weeks=weeks)
    assert Complaint.objects.get(pk=case_with_parties.pk).postponed_on is None
    assert not notices().exists()
    assert deadline_events(case_with_parties) == []


def test_a_postponement_needs_a_reason(coordinator, case_with_parties):
    with pytest.raises(CaseError, match="reason"):
        postpone(coordinator, case_with_parties, reason="   ")
    assert not notices().exists()


def test_a_postponement_after_the_decision_date_is_refused(coordinator, department):
    complaint = register(coordinator, department)
    with (
        time_machine.travel("2026-04-08 10:00 +02:00", tick=False),
        pytest.raises(CaseError, match="within the term"),
    ):
        postpone(coordinator, complaint)
    with time_machine.travel("2026-04-07 10:00 +02:00", tick=False):
        assert postpone(coordinator, complaint).decision_due == date(2026, 5, 4)  # on the day


@pytest.mark.parametrize(
    "overrides",
    [
        {"channel": "phone", "is_written": False},  # oral: no legal term to postpone
    ],
)
def test_only_a_written_complaint_can_be_postponed(coordinator, department, overrides):
    complaint = register(coordinator, department, **overrides)
    with pytest.raises(CaseError, match="written complaint"):
        postpone(coordinator, complaint)


def test_a_closed_case_cannot_be_postponed(coordinator, department):
    complaint = ComplaintFactory(closed=True, department=department, received_on=RECEIVED)
    with pytest.raises(CaseError, match="closed"):
        postpone(coordinator, complaint)


def test_a_postponement_from_a_stale_page_is_refused(coordinator, case_with_parties):
    with pytest.raises(StaleAction):
        services.complaint_postpone(
            complaint_id=case_with_parties.pk,
            actor=coordinator,
            expected_version=case_with_parties.version - 1,
            reason="Advies.",
        )
    assert not notices().exists()


def test_a_postponement_needs_the_handler_permission(user_factory, department, case_with_parties):
    manager = user_factory(manager=True, department=department)
    with pytest.raises(PermissionDenied):
        postpone(manager, case_with_parties)


def test_the_notices_are_written_in_the_same_transaction_as_the_postponement(
    coordinator, case_with_parties
):
    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        postpone(coordinator, case_with_parties)
        assert notices().count() == 3
        raise Undo
    assert not notices().exists()
    assert Complaint.objects.get(pk=case_with_parties.pk).postponed_on is None
    assert deadline_events(case_with_parties) == []


def test_a_postponed_case_keeps_its_weeks_when_the_receipt_changes(coordinator, department):
    complaint = postpone(coordinator, register(coordinator, department), weeks=2)
    update(coordinator, complaint, received_on=date(2026, 2, 16))
    assert due_dates(complaint)[0] == date(2026, 4, 13)  # 8 weeks from Monday 16 February
    update(coordinator, complaint, advisory_committee=True)
    assert due_dates(complaint)[0] == date(2026, 5, 11)  # 12 weeks: still rolled, a Monday


# ---------------------------------------------------------------------------
# Extension with written consent (Awb 9:11 lid 3)
# ---------------------------------------------------------------------------
def test_an_extension_with_consent_sets_the_agreed_date_and_confirms_it(
    coordinator, case_with_parties
):
    postpone(coordinator, case_with_parties)
    complaint = extend(coordinator, case_with_parties, until=date(2026, 6, 1))
    assert complaint.decision_due == date(2026, 6, 1)
    assert (complaint.extended_until, complaint.extension_consent_on) == (date(2026, 6, 1), TODAY)
    message = notices().get(kind=OutboxKind.EXTENSION)
    assert message.to == "jan.smit@example.nl"
    assert "1 June 2026" in message.body
    event = deadline_events(complaint)[-1]
    assert event.name == "extended"
    assert event.data["changes"] == {"decision_due": ["2026-05-04", "2026-06-01"]}
    # the agreed date wins over a recomputation
    update(coordinator, complaint, received_on=date(2026, 2, 20))
    assert due_dates(complaint)[0] == date(2026, 6, 1)


def test_an_extension_needs_a_later_date(coordinator, case_with_parties):
    with pytest.raises(CaseError, match="later than the current decision date"):
        extend(coordinator, case_with_parties, until=date(2026, 4, 7))
    assert not notices().exists()


def test_an_extension_needs_consent_given_already(coordinator, case_with_parties):
    with pytest.raises(CaseError, match="future"):
        extend(coordinator, case_with_parties, until=date(2026, 6, 1), consent_on=date(2026, 3, 3))
    with pytest.raises(CaseError, match="written consent"):
        extend(coordinator, case_with_parties, until=date(2026, 6, 1), note=" ")
    assert Complaint.objects.get(pk=case_with_parties.pk).extended_until is None
    assert not notices().exists()


def test_a_postponement_after_an_extension_is_refused(coordinator, case_with_parties):
    extend(coordinator, case_with_parties, until=date(2026, 6, 1))
    with pytest.raises(CaseError, match="extended"):
        postpone(coordinator, case_with_parties)


# ---------------------------------------------------------------------------
# The case page
# ---------------------------------------------------------------------------
def case_url(complaint, name="case"):
    return reverse(f"complaints:{name}", kwargs={"reference": complaint.reference})


def test_the_case_page_shows_every_due_date_in_words(client, coordinator, department):
    complaint = register(coordinator, department)
    client.force_login(coordinator)
    page = client.get(case_url(complaint)).content.decode()
    assert "due in 36 days" in page  # decision, 7 April
    assert "due today" in page  # acknowledgement, 2 March
    assert "4 days overdue" in page  # first contact, 26 February
    assert 'id="deadlines"' in page
    # The forms to postpone and to extend are offered, drawn when their <details> opens.
    for name in ("postpone", "extend"):
        assert f'hx-get="?form={name}"' in page and case_url(complaint, name) not in page
        asked = client.get(case_url(complaint), {"form": name}).content.decode()
        assert case_url(complaint, name) in asked


def test_the_postpone_form_postpones_and_then_is_gone(client, coordinator, case_with_parties):
    client.force_login(coordinator)
    response = client.post(
        case_url(case_with_parties, "postpone"),
        {
            "postpone-weeks": "2",
            "postpone-reason": "Advies nodig.",
            "postpone-version": case_with_parties.version,
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith("#deadlines")
    page = response.content.decode()
    assert "The decision is postponed" in page
    assert Complaint.objects.get(pk=case_with_parties.pk).decision_due == date(2026, 4, 20)
    assert case_url(case_with_parties, "postpone") not in page  # only once


def test_the_postpone_form_keeps_the_input_and_says_what_is_wrong(
    client, coordinator, case_with_parties
):
    client.force_login(coordinator)
    response = client.post(
        case_url(case_with_parties, "postpone"),
        {
            "postpone-weeks": "9",
            "postpone-reason": "Advies nodig.",
            "postpone-version": case_with_parties.version,
        },
    )
    assert response.status_code == 400
    assert response.context["postpone_form"].errors["weeks"]
    assert "Advies nodig." in response.content.decode()
    assert not notices().exists()


def test_a_refused_extension_shows_the_reason(client, coordinator, case_with_parties):
    client.force_login(coordinator)
    response = client.post(
        case_url(case_with_parties, "extend"),
        {
            "extend-until": "2026-04-01",
            "extend-consent_on": "2026-03-01",
            "extend-consent_note": "Brief van de klager.",
            "extend-version": case_with_parties.version,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "later than the current decision date" in page
    assert "Brief van de klager." in page  # the input is kept


def test_the_committee_flag_is_set_on_the_case_page(client, coordinator, case_with_parties):
    client.force_login(coordinator)
    response = client.post(
        case_url(case_with_parties, "set_committee"),
        {"committee-advisory_committee": "on", "committee-version": case_with_parties.version},
    )
    assert response.status_code == 302
    assert Complaint.objects.get(pk=case_with_parties.pk).decision_due == date(2026, 5, 4)


def test_a_committee_change_from_a_stale_page_is_refused(client, coordinator, case_with_parties):
    client.force_login(coordinator)
    response = client.post(
        case_url(case_with_parties, "set_committee"),
        {"committee-advisory_committee": "on", "committee-version": case_with_parties.version - 1},
    )
    assert response.status_code == 409
    assert Complaint.objects.get(pk=case_with_parties.pk).advisory_committee is False


# ---------------------------------------------------------------------------
# Due this week and overdue
# ---------------------------------------------------------------------------
DUE_URL = "/staff/complaints/due/"


def test_the_due_page_lists_open_cases_due_this_week_overdue_first(
    client, coordinator, handler, department, user_factory
):
    other = DepartmentFactory(code="bel", name="Belastingen")
    # decision due Tuesday 3 March (received 20 January): due this week
    soon = register(coordinator, other, received_on=date(2026, 1, 20), complainant_name="Soon")
    services.complaint_acknowledge(complaint_id=soon.pk, actor=coordinator, on=TODAY)
    services.contact_add(
        complaint_id=soon.pk,
        actor=coordinator,
        fields={"at": timezone.now(), "channel": "phone", "with_whom": "K", "summary": "Gebeld."},
    )
    # first contact due 26 February and not made: overdue
    late = register(coordinator, department, complainant_name="Late")
    # acknowledged and contacted, decision in April: not due this week
    fine = register(coordinator, department, complainant_name="Fine")
    services.complaint_acknowledge(complaint_id=fine.pk, actor=coordinator, on=TODAY)
    services.contact_add(
        complaint_id=fine.pk,
        actor=coordinator,
        fields={"at": timezone.now(), "channel": "phone", "with_whom": "K", "summary": "Gebeld."},
    )
    # overdue but closed
    ComplaintFactory(closed=True, department=department, received_on=date(2026, 1, 2))

    client.force_login(coordinator)
    response = client.get(DUE_URL)
    rows = list(response.context["page"].object_list)
    assert [c.reference for c in rows] == [late.reference, soon.reference]
    page = response.content.decode()
    assert "4 days overdue" in page and "due in 1 day" in page

    client.force_login(handler)
    assert client.get(DUE_URL).status_code == 403


def test_the_due_page_lists_a_rung1_log_to_close_or_hand_over(client, coordinator, department):
    """A log at rung 1 has no legal term, only the date by which the employee closes it or
    hands it over (``rung1_due``): overdue, it is on the list."""
    log = ComplaintFactory(
        department=department,
        rung=Rung.EMPLOYEE,
        stage=Stage.EXPLORE,
        received_on=TODAY - timedelta(days=10),
        decision_due=None,
        rung1_due=TODAY - timedelta(days=1),
    )
    client.force_login(coordinator)
    response = client.get(DUE_URL)
    assert [c.reference for c in response.context["page"].object_list] == [log.reference]
    page = response.content.decode()
    assert re.search(r"(Close or hand over \(rung 1\)|Afsluiten of overdragen \(trede 1\)): ", page)
    assert re.search(r"1 (day overdue|dag te laat)", page)


def test_the_due_page_costs_the_same_for_2_cases_as_for_40(
    client, coordinator, department, django_assert_num_queries
):
    def fill(count):
        for number in range(count):
            register(coordinator, department, received_on=date(2026, 1, 19) + timedelta(number % 3))

    fill(2)
    client.force_login(coordinator)
    client.get(DUE_URL)  # warm up
    with CaptureQueriesContext(connection) as captured:
        client.get(DUE_URL)
    baseline = len(captured.captured_queries)
    fill(38)
    with django_assert_num_queries(baseline):
        response = client.get(DUE_URL)
    assert len(response.context["page"].object_list) == 40
    assert baseline <= 10


def test_the_due_page_is_in_the_navigation_of_coordinators_only(client, coordinator, handler):
    client.force_login(coordinator)
    assert DUE_URL in client.get(reverse("complaints:worklist")).content.decode()
    client.force_login(handler)
    assert DUE_URL not in client.get(reverse("complaints:worklist")).content.decode()
