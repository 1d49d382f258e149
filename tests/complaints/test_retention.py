"""Retention (issue 9, point 4; DOMAIN.md section 7): the daily sweep removes the personal data
of closed cases after the period of their closure reason, deletes their files, keeps the
statistics, records what it did, and catches up after downtime.

Every personal value seeded below carries a marker (``ZQXMARK-<tag>-<field>``); after the
sweep the whole database is searched for it, every text and JSON column of every table, in
SQL, so a column the sweep forgot fails the test whatever app it is in.
"""

import re
import threading
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import close_old_connections, connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import (
    Attachment,
    CaseEvent,
    ClosureReason,
    Complaint,
    EventKind,
    InformationRequest,
    Judgment,
    Letter,
    LetterKind,
    Norm,
    Note,
    Ombudsman,
    OmbudsmanCase,
    OmbudsmanFinding,
    OmbudsmanOutcome,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PartyRole,
    ReopenRequest,
    Rung,
    Stage,
    StatusLink,
    SurveyResponse,
    Theme,
    token_hash,
)
from complaints.services.errors import CaseError, MoveRefused
from complaints.services.ladder import complaint_escalate
from complaints.services.retention import retention_sweep
from complaints.services.transitions import complaint_transition
from complaints.tasks import retention_sweep_task
from reporting.figures import period_figures
from reporting.models import Cause, Lesson, MonthFigures
from reporting.rollups import rollups_rebuild
from tests.factories import (
    ComplaintFactory,
    ComplaintPartFactory,
    ContactMomentFactory,
    LetterFactory,
    PartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Europe/Amsterdam")
PREFIX = "ZQXMARK"


def at(day: date):
    return time_machine.travel(datetime.combine(day, time(10), LOCAL), tick=False)


def mark(tag: str, field: str) -> str:
    return f"{PREFIX}-{tag}-{field}"


def email(tag: str, field: str) -> str:
    return f"{PREFIX}-{tag}-{field}@example.nl".lower()


def seed(tag: str, *, reason: str, closed_on: date) -> Complaint:
    """A case closed on ``closed_on`` with a marker in every place personal data can be:
    the case, parties, parts, contacts, notes, attachments (with a file), letters (with a
    PDF), outgoing mail, status link, request to reopen, survey, ombudsman phase, timeline.
    It also has what the statistics count: a theme, judged parts with norms, a lesson, a
    survey rating and an ombudsman outcome."""

    def m(field: str) -> str:
        return mark(tag, field)

    with at(closed_on):
        case = ComplaintFactory(
            closed=True,
            reason=reason,
            received_on=closed_on - timedelta(days=30),
            complainant_name=m("name"),
            complainant_email=email(tag, "email"),
            complainant_phone=m("phone"),
            complainant_address=m("address"),
            complainant_needs=m("needs"),
            conduct_description=m("conduct"),
            conduct_place=m("place"),
            desired_outcome=m("desired"),
            underlying_problem=m("problem"),
            hearing_parties=m("hearing-parties"),
            hearing_report=m("hearing-report"),
            solution=m("solution"),
            satisfaction_note=m("satisfaction"),
            postponement_reason=m("postponement"),
            extension_consent_note=m("consent"),
            closure_note=m("closure"),
            letters=[LetterKind.OUTCOME],
            parts=0,
            contacts=0,
        )
        handler = case.handler
        case.themes.add(Theme.objects.order_by("pk").first())
        PartyFactory(
            complaint=case,
            role=PartyRole.REPRESENTATIVE,
            name=m("party"),
            email=email(tag, "party-email"),
            phone=m("party-phone"),
            address=m("party-address"),
        )
        PartyFactory(complaint=case, complained_about=UserFactory(department=case.department))
        part = ComplaintPartFactory(
            complaint=case,
            description=m("part"),
            reasoning=m("reasoning"),
            judgment=Judgment.WELL_FOUNDED,
        )
        part.norms.set(Norm.objects.order_by("pk")[:2])
        ContactMomentFactory(complaint=case, with_whom=m("with-whom"), summary=m("summary"))
        Note.objects.create(complaint=case, text=m("note"), author=handler)
        attachment = Attachment(
            complaint=case,
            original_name=f"{m('file')}.pdf",
            content_type="application/pdf",
            size=20,
            added_by_citizen=True,
        )
        attachment.file.save("upload.pdf", ContentFile(b"%PDF-1.4 " + m("content").encode()))
        LetterFactory(
            complaint=case,
            kind=LetterKind.HEARING_INVITATION,
            recipient_name=m("letter-name"),
            recipient_email=email(tag, "letter-email"),
            recipient_address=m("letter-address"),
        )
        OutboxMessage.objects.create(
            key=f"test:{case.reference}",
            kind=OutboxKind.OTHER,
            complaint=case,
            to=email(tag, "outbox-to"),
            subject=m("outbox-subject"),
            body=m("outbox-body"),
            last_error=m("outbox-error"),
        )
        StatusLink.objects.create(complaint=case, token_hash=token_hash(m("token")))
        ReopenRequest.objects.create(complaint=case, reason=m("reopen"))
        SurveyResponse.objects.create(
            complaint=case, rating=4, felt_heard=True, comment=m("survey")
        )
        phase = OmbudsmanCase.objects.create(
            complaint=case,
            ombudsman=Ombudsman.objects.order_by("pk").first(),
            reference="NO-2020-0042",
            taken_up_on=closed_on,
            outcome=OmbudsmanOutcome.REPORT,
            outcome_on=closed_on,
            outcome_summary=m("ombudsman-summary"),
            response=m("ombudsman-response"),
            recorded_by=handler,
        )
        OmbudsmanFinding.objects.create(
            ombudsman_case=phase,
            norm=Norm.objects.order_by("pk").first(),
            judgment=Judgment.UNFOUNDED,
            note=m("finding"),
        )
        InformationRequest.objects.create(
            ombudsman_case=phase,
            received_on=closed_on,
            question=m("question"),
            due_on=closed_on + timedelta(days=14),
            documents_sent=m("documents"),
        )
        Lesson.objects.create(
            complaint=case,
            cause=Cause.objects.order_by("pk").first(),
            text="Uitleg over de termijnen kan beter.",
            recorded_by=handler,
        )
        # The timeline as the services write it: notes, and names in name and data.
        CaseEvent.record(case, actor=handler, kind=EventKind.NOTE, note=m("event-note"))
        CaseEvent.record(
            case, actor=handler, kind=EventKind.PARTY, name=m("ev-party"), role="affected"
        )
        CaseEvent.record(case, actor=handler, kind=EventKind.ATTACHMENT, name=m("ev-file"))
        CaseEvent.record(case, actor=handler, kind=EventKind.ASSIGNED, handler=m("ev-handler"))
        CaseEvent.record(
            case,
            actor=None,
            kind=EventKind.CITIZEN,
            name="information",
            note=m("ev-citizen"),
            files=[m("ev-files")],
            attachments=[attachment.pk],
        )
        CaseEvent.record(
            case,
            actor=handler,
            kind=EventKind.PART,
            part=1,
            judgment=Judgment.WELL_FOUNDED,
            on=closed_on.isoformat(),
        )
    return case


def columns_with(token: str) -> set[str]:
    """Every ``table.column`` (text, varchar, JSON) of the database holding ``token``."""
    found = set()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(
                # The names come from information_schema, the value is a parameter.
                f'SELECT EXISTS (SELECT 1 FROM "{table}" WHERE "{column}"::text ILIKE %s)',  # noqa: S608
                [f"%{token}%"],
            )
            if cursor.fetchone()[0]:
                found.add(f"{table}.{column}")
    return found


def files_of(case: Complaint) -> list[Path]:
    paths = [Path(a.file.path) for a in Attachment.objects.filter(complaint=case)]
    paths += [Path(letter.pdf.path) for letter in Letter.objects.filter(complaint=case)]
    return paths


def statistics() -> dict:
    """The month rollups (without their refresh time) and the organisation's figures."""
    rows = [
        {k: v for k, v in row.items() if k not in ("id", "refreshed_at")}
        for row in MonthFigures.objects.order_by("department_id", "month").values()
    ]
    figures = period_figures(start=date(2019, 1, 1), end=date(2021, 12, 31))
    return {"rows": rows, "figures": figures.as_data()}


# Where the seeded personal data lives: the search must find it there before the sweep, so a
# passing "nothing left" is not a search that finds nothing anyway.
SEEDED_COLUMNS = {
    "complaints_complaint.complainant_name",
    "complaints_complaint.complainant_email",
    "complaints_complaint.conduct_description",
    "complaints_complaint.hearing_report",
    "complaints_party.name",
    "complaints_party.address",
    "complaints_complaintpart.description",
    "complaints_contactmoment.summary",
    "complaints_note.text",
    "complaints_attachment.original_name",
    "complaints_letter.recipient_name",
    "complaints_letter.sections",
    "complaints_letter.body_text",
    "complaints_outboxmessage.to",
    "complaints_outboxmessage.body",
    "complaints_reopenrequest.reason",
    "complaints_surveyresponse.comment",
    "complaints_ombudsmancase.outcome_summary",
    "complaints_ombudsmanfinding.note",
    "complaints_informationrequest.question",
    "complaints_caseevent.note",
    "complaints_caseevent.name",
    "complaints_caseevent.data",
}


def test_sweep_removes_every_personal_value_and_file_of_a_due_case_and_keeps_the_rest():
    due = seed("due", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    recent = seed("recent", reason=ClosureReason.JUDGED, closed_on=date(2021, 6, 1))
    due_files, recent_files = files_of(due), files_of(recent)
    assert all(path.exists() for path in due_files + recent_files)
    assert columns_with(f"{PREFIX}-due-") >= SEEDED_COLUMNS
    recent_before = columns_with(f"{PREFIX}-recent-")
    part = due.parts.get()
    norms = set(part.norms.values_list("pk", flat=True))
    events_before = due.events.count()

    with at(date(2025, 3, 10)):
        assert retention_sweep(today=date(2025, 3, 10)) == 1

    assert columns_with(f"{PREFIX}-due-") == set()
    assert not any(path.exists() for path in due_files)
    # The recent case (closed 2021, due 2026) is untouched: data and files.
    assert columns_with(f"{PREFIX}-recent-") == recent_before
    assert all(path.exists() for path in recent_files)
    recent.refresh_from_db()
    assert recent.anonymised_at is None
    # What the statistics and the organisation's learning need stays.
    due.refresh_from_db()
    assert due.anonymised_at is not None
    assert (due.closure_reason, due.stage, due.rung) == (ClosureReason.JUDGED, "closed", 2)
    assert due.received_on == date(2020, 2, 9) and due.department_id and due.handler_id
    assert due.themes.count() == 1
    part.refresh_from_db()
    assert part.judgment == Judgment.WELL_FOUNDED
    assert set(part.norms.values_list("pk", flat=True)) == norms
    assert Lesson.objects.get(complaint=due).text == "Uitleg over de termijnen kan beter."
    assert SurveyResponse.objects.get(complaint=due).rating == 4
    assert OmbudsmanCase.objects.get(complaint=due).outcome == OmbudsmanOutcome.REPORT
    assert due.parties.count() == 2 and due.letters.count() == 2
    assert not StatusLink.objects.filter(complaint=due).exists()
    assert StatusLink.objects.filter(complaint=recent).exists()
    # A message still waiting can no longer go out.
    assert not OutboxMessage.objects.filter(complaint=due, status=OutboxStatus.PENDING).exists()
    # The timeline keeps its events (codes, numbers, dates) and says what happened.
    assert due.events.count() == events_before + 1
    event = due.events.get(kind=EventKind.ANONYMISED)
    assert event.actor is None
    assert due.events.get(kind=EventKind.PART, data__part=1).data == {
        "part": 1,
        "judgment": Judgment.WELL_FOUNDED,
        "on": "2020-03-10",
    }
    assert due.events.get(kind=EventKind.CITIZEN).data == {
        "attachments": [due.attachments.get().pk]
    }


def test_the_statistics_are_the_same_before_and_after_and_recomputed_from_what_is_left():
    seed("a", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    seed("b", reason=ClosureReason.RESOLVED, closed_on=date(2020, 5, 20))
    seed("c", reason=ClosureReason.WITHDRAWN, closed_on=date(2021, 1, 5))
    with at(date(2026, 6, 1)):
        rollups_rebuild()
        before = statistics()
        assert before["figures"]["counts"]["closed"] == 3
        assert retention_sweep(today=date(2026, 6, 1)) == 3
        assert statistics() == before
        # Recomputing the months from the anonymised cases gives the same figures.
        rollups_rebuild()
        assert statistics() == before


def test_a_second_run_changes_nothing():
    case = seed("twice", reason=ClosureReason.NOT_HANDLED, closed_on=date(2020, 3, 10))
    with at(date(2025, 4, 1)):
        assert retention_sweep(today=date(2025, 4, 1)) == 1
        case.refresh_from_db()
        stamp, events = case.anonymised_at, case.events.count()
    with at(date(2025, 4, 2)):
        assert retention_sweep(today=date(2025, 4, 2)) == 0
    case.refresh_from_db()
    assert case.anonymised_at == stamp
    assert case.events.count() == events
    assert case.events.filter(kind=EventKind.ANONYMISED).count() == 1


def test_the_first_run_after_downtime_catches_up_everything_that_came_due():
    cases = [
        seed(f"down{n}", reason=reason, closed_on=closed_on)
        for n, (reason, closed_on) in enumerate(
            [
                (ClosureReason.JUDGED, date(2019, 2, 1)),
                (ClosureReason.RESOLVED, date(2019, 11, 30)),
                (ClosureReason.FORWARDED, date(2020, 7, 15)),
                (ClosureReason.WITHDRAWN, date(2021, 12, 31)),
                (ClosureReason.NOT_HANDLED, date(2022, 1, 3)),
            ]
        )
    ]
    # No sweep ran from 2023 to 2027: the first one does all four that came due meanwhile,
    # in batches of two, and leaves the one due later.
    with at(date(2027, 1, 2)):
        assert retention_sweep(today=date(2027, 1, 2), batch_size=2) == 4
    anonymised = [Complaint.objects.get(pk=case.pk).anonymised_at is not None for case in cases]
    assert anonymised == [True, True, True, True, False]
    for n in range(4):
        assert columns_with(f"{PREFIX}-down{n}-") == set()
    assert columns_with(f"{PREFIX}-down4-")


def test_the_period_follows_the_closure_reason(settings):
    settings.RETENTION_YEARS_BY_REASON = {"withdrawn": 1, "not_handled": 2}
    withdrawn = seed("w", reason=ClosureReason.WITHDRAWN, closed_on=date(2024, 1, 10))
    not_handled = seed("n", reason=ClosureReason.NOT_HANDLED, closed_on=date(2024, 1, 10))
    judged = seed("j", reason=ClosureReason.JUDGED, closed_on=date(2024, 1, 10))

    def done(case) -> bool:
        return Complaint.objects.get(pk=case.pk).anonymised_at is not None

    assert retention_sweep(today=date(2025, 1, 9)) == 0  # the day before a year is over
    assert retention_sweep(today=date(2025, 1, 10)) == 1
    assert (done(withdrawn), done(not_handled), done(judged)) == (True, False, False)
    assert retention_sweep(today=date(2026, 1, 10)) == 1
    assert (done(not_handled), done(judged)) == (True, False)
    assert retention_sweep(today=date(2029, 1, 9)) == 0
    assert retention_sweep(today=date(2029, 1, 10)) == 1  # the default: five years
    assert done(judged)


def test_the_default_period_is_five_years_and_configurable():
    assert settings.RETENTION_YEARS == 5
    assert settings.RETENTION_YEARS_BY_REASON == {}
    assert settings.CELERY_BEAT_SCHEDULE["retention-sweep"]["task"] == (
        "complaints.retention_sweep"
    )


def test_an_unknown_closure_reason_in_the_settings_is_refused(settings):
    settings.RETENTION_YEARS_BY_REASON = {"withdrawn": 1, "withdrawm": 1}
    with pytest.raises(ImproperlyConfigured, match="withdrawm"):
        retention_sweep(today=date(2025, 1, 1))


def test_open_and_reopened_cases_are_never_anonymised():
    with at(date(2019, 1, 10)):
        open_case = ComplaintFactory(explore=True, complainant_name=mark("open", "name"))
    assert retention_sweep(today=date(2030, 1, 1)) == 0
    open_case.refresh_from_db()
    assert open_case.anonymised_at is None
    assert columns_with(f"{PREFIX}-open-")


def test_the_queries_of_a_batch_do_not_grow_with_its_cases():
    def queries(tag: str, count: int) -> int:
        for n in range(count):
            seed(f"{tag}{n}", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
        with CaptureQueriesContext(connection) as captured:
            assert retention_sweep(today=date(2025, 3, 10)) == count
        return len(captured)

    assert queries("few", 1) == queries("many", 4)


def test_the_task_sweeps_today(caplog):
    case = seed("task", reason=ClosureReason.RESOLVED, closed_on=date(2020, 3, 10))
    caplog.set_level("INFO", logger="complaints.services.retention")
    with at(date(2025, 3, 10)):
        assert retention_sweep_task.delay().get() == 1
    case.refresh_from_db()
    assert case.anonymised_at is not None
    # The log names the reference, never the person.
    assert case.reference in caplog.text
    assert PREFIX not in caplog.text


def test_the_case_page_of_an_anonymised_case_opens_and_says_so(client):
    case = seed("page", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    with at(date(2025, 3, 11)):
        retention_sweep(today=date(2025, 3, 11))
        coordinator = UserFactory(coordinator=True, department=case.department)
        client.force_login(coordinator)
        response = client.get(reverse("complaints:case", args=[case.reference]))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="anonymised"' in page
    assert re.search(r"11 (maart|March) 2025", page)
    assert PREFIX not in page


def test_the_removed_files_of_an_anonymised_case_answer_not_found(client):
    case = seed("files", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    attachment = case.attachments.get()
    sent = [letter for letter in case.letters.all() if not letter.is_draft]
    assert sent and all(letter.pdf for letter in sent)
    with at(date(2025, 3, 11)):
        retention_sweep(today=date(2025, 3, 11))
        client.force_login(UserFactory(coordinator=True, department=case.department))
        download = client.get(
            reverse("complaints:attachment", args=[case.reference, attachment.pk])
        )
        pdfs = [
            client.get(reverse("complaints:letter_pdf", args=[case.reference, letter.pk]))
            for letter in sent
        ]
    assert download.status_code == 404
    assert [response.status_code for response in pdfs] == [404] * len(sent)


@pytest.mark.django_db(transaction=True)
def test_a_case_locked_by_another_run_is_skipped_not_waited_for():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    held = seed("held", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    free = seed("free", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 11))
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        close_old_connections()
        try:
            with transaction.atomic():
                Complaint.objects.select_for_update().get(pk=held.pk)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    other = threading.Thread(target=hold)
    other.start()
    try:
        assert locked.wait(timeout=30)
        assert retention_sweep(today=date(2025, 6, 1)) == 1
    finally:
        release.set()
        other.join(timeout=30)
    assert Complaint.objects.get(pk=free.pk).anonymised_at is not None
    assert Complaint.objects.get(pk=held.pk).anonymised_at is None
    assert retention_sweep(today=date(2025, 6, 1)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_anonymise_each_case_once():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    cases = [
        seed(f"race{n}", reason=ClosureReason.RESOLVED, closed_on=date(2020, 3, 10))
        for n in range(6)
    ]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            counts.append(retention_sweep(today=date(2025, 6, 1), batch_size=1))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(counts) == 6 and len(counts) == 2
    for case in cases:
        assert case.events.filter(kind=EventKind.ANONYMISED).count() == 1


def test_a_run_out_of_time_stops_between_batches_and_the_next_run_goes_on():
    for n in range(3):
        seed(f"budget{n}", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    # A budget already spent after the first batch: one batch of one, then it stops.
    assert retention_sweep(today=date(2025, 6, 1), batch_size=1, max_seconds=0) == 1
    assert Complaint.objects.filter(anonymised_at__isnull=True).count() == 2
    assert retention_sweep(today=date(2025, 6, 1), batch_size=1) == 2


def test_an_anonymised_case_cannot_be_reopened_or_handed_over():
    judged = seed("reopen", reason=ClosureReason.JUDGED, closed_on=date(2020, 3, 10))
    with at(date(2020, 3, 10)):
        logged = ComplaintFactory(
            closed=True, rung=Rung.EMPLOYEE, logged_on=date(2020, 3, 1), decision_due=None
        )
    coordinator = UserFactory(coordinator=True, department=judged.department)
    handler = UserFactory(handler=True, department=logged.department)
    with at(date(2025, 3, 10)):
        assert retention_sweep(today=date(2025, 3, 10)) == 2
        with pytest.raises(MoveRefused):
            complaint_transition(
                complaint_id=judged.pk,
                name="reopen",
                actor=coordinator,
                expected_stage=Stage.CLOSED,
                note="Toch nog een vraag.",
            )
        with pytest.raises(CaseError):
            complaint_escalate(
                complaint_id=logged.pk, actor=handler, reason="Formeel", is_written=True
            )
    assert Complaint.objects.get(pk=judged.pk).stage == Stage.CLOSED
    assert Complaint.objects.get(pk=logged.pk).rung == Rung.EMPLOYEE
