"""`manage.py seed_demo` gives `make run` departments, one member of staff per role, and demo
cases in every stage and with every closure reason, with their deadlines, outgoing messages and
today's reminders."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Department, User
from accounts.roles import Role, roles_of
from complaints.models import (
    OPEN_STAGES,
    CaseEvent,
    ClosureReason,
    Complaint,
    ComplaintPart,
    ContactMoment,
    EventKind,
    InformationRequest,
    Judgment,
    NotHandledGround,
    OmbudsmanCase,
    OmbudsmanOutcome,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    PartyRole,
    Reminder,
    ReminderKind,
    Rung,
    Stage,
)
from complaints.selectors import due_soon_for, week_end
from complaints.services.reminders import reminder_sweep
from ladder import deadlines
from reporting.ladder_metrics import ladder_metrics

pytestmark = pytest.mark.django_db


def seed(**options) -> str:
    """The command without the year of history (tests/reporting/test_demo_year.py has it):
    these tests count the cases of the last weeks."""
    out = StringIO()
    call_command("seed_demo", stdout=out, **{"year": False, **options})
    return out.getvalue()


def test_seed_demo_creates_departments_and_one_user_per_role_and_prints_the_log_ins():
    output = seed(force=True)
    assert Department.objects.count() >= 5
    assert Department.objects.filter(parent__isnull=False).exists()
    for role in Role:
        users = [u for u in User.objects.all() if roles_of(u) == [role]]
        assert len(users) == 1, role
        assert users[0].check_password(DEMO_PASSWORD)
        assert users[0].email in output
    assert DEMO_PASSWORD in output


def test_seed_demo_can_run_twice():
    seed(force=True)
    counts = (Department.objects.count(), User.objects.count())
    seed(force=True)
    assert (Department.objects.count(), User.objects.count()) == counts


def test_seed_demo_refuses_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()


# ---------------------------------------------------------------------------
# Demo cases (complaints/demo.py)
# ---------------------------------------------------------------------------
def test_seed_demo_creates_cases_in_every_stage_and_with_every_closure_reason():
    output = seed(force=True)
    complaints = Complaint.objects.all()
    assert 30 <= complaints.count() <= 40
    assert f"Demo cases: {complaints.count()} created." in output
    assert set(complaints.values_list("stage", flat=True)) == set(Stage.values)
    closed = complaints.filter(stage=Stage.CLOSED)
    assert set(closed.values_list("closure_reason", flat=True)) == set(ClosureReason.values)
    assert not complaints.exclude(stage=Stage.CLOSED).exclude(closure_reason="").exists()
    not_handled = closed.filter(closure_reason=ClosureReason.NOT_HANDLED)
    assert not not_handled.filter(not_handled_ground="").exists()
    assert set(not_handled.values_list("not_handled_ground", flat=True)) <= set(
        NotHandledGround.values
    )
    forwarded = closed.filter(closure_reason=ClosureReason.FORWARDED)
    assert not forwarded.filter(forwarded_to="").exists()
    # Reopened: closed once, open again (back to explore).
    reopened = complaints.filter(events__name="reopen")
    assert reopened.exists()
    assert set(reopened.values_list("stage", flat=True)) == {Stage.EXPLORE}
    assert complaints.filter(stage=Stage.INTAKE, handler__isnull=True).count() >= 2
    assert complaints.filter(parties__role=PartyRole.REPRESENTATIVE).exists()
    assert complaints.filter(parties__role=PartyRole.COMPLAINED_ABOUT).exists()
    assert complaints.filter(themes__isnull=False).distinct().count() == complaints.count()
    assert ContactMoment.objects.exists() and ComplaintPart.objects.exists()
    assert len(set(complaints.values_list("department__code", flat=True))) >= 4


def test_every_demo_case_has_a_timeline_that_matches_its_stage():
    seed(force=True)
    for complaint in Complaint.objects.prefetch_related("events"):
        events = list(complaint.events.all())
        assert events, complaint.reference
        assert events[0].kind == EventKind.REGISTERED, complaint.reference
        moves = [event for event in events if event.kind == EventKind.TRANSITION]
        # A formal complaint starts at intake, a rung-1 quick log in explore.
        stages = [events[0].to_stage] + [event.to_stage for event in moves]
        assert [event.from_stage for event in moves] == stages[:-1], complaint.reference
        assert stages[-1] == complaint.stage, complaint.reference


def test_the_demo_handler_has_open_cases_in_every_open_stage_some_overdue_some_due_soon():
    seed(force=True)
    handler = User.objects.get(email="behandelaar@example.nl")
    mine = Complaint.objects.filter(handler=handler, stage__in=OPEN_STAGES)
    assert set(mine.values_list("stage", flat=True)) == set(OPEN_STAGES)
    assert not mine.exclude(department__code="bz").exists()
    today = timezone.localdate()
    open_cases = Complaint.objects.filter(stage__in=OPEN_STAGES)
    assert open_cases.filter(decision_due__lt=today).exists()  # overdue
    assert open_cases.filter(decision_due__range=(today, today + timedelta(days=7))).exists()
    assert open_cases.filter(decision_due__gt=today + timedelta(days=7)).exists()
    received = Complaint.objects.values_list("received_on", flat=True)
    assert max(received) <= today
    assert min(received) >= today - timedelta(weeks=11)


def test_seed_demo_twice_does_not_duplicate_the_cases_messages_or_reminders():
    seed(force=True)
    tables = (Complaint, CaseEvent, ContactMoment, OutboxMessage, Reminder)
    counts = [table.objects.count() for table in tables]
    assert all(counts)
    output = seed(force=True)
    assert "Demo cases: already there, none added." in output
    assert [table.objects.count() for table in tables] == counts


# ---------------------------------------------------------------------------
# Deadlines, the outbox and the reminders (DOMAIN.md section 5)
# ---------------------------------------------------------------------------
def test_the_demo_has_a_postponed_case_with_its_reason_and_the_notice_sent():
    seed(force=True)
    today = timezone.localdate()
    postponed = Complaint.objects.get(postponed_on__isnull=False)
    assert postponed.is_open and postponed.postponement_reason
    assert postponed.postponed_on == today
    assert postponed.decision_due == deadlines.postponed_decision_due(
        postponed.received_on, postponed.postponement_weeks
    )
    assert postponed.decision_due > today
    event = postponed.events.get(kind=EventKind.DEADLINE, name="postponed")
    assert postponed.postponement_reason in event.note
    notice = postponed.outbox.get(kind=OutboxKind.POSTPONEMENT)
    assert notice.to == postponed.complainant_email
    assert notice.status == OutboxStatus.SENT
    # The person complained about has no e-mail address: the timeline says to post a letter.
    assert event.data["letters_to_post"]


def test_the_demo_has_an_extension_with_consent_a_committee_case_and_a_9_8_notice_due():
    seed(force=True)
    today = timezone.localdate()
    extended = Complaint.objects.get(extended_until__isnull=False)
    assert extended.decision_due == extended.extended_until > today
    assert extended.extension_consent_note and extended.extension_consent_on <= today
    assert extended.outbox.filter(kind=OutboxKind.EXTENSION, status=OutboxStatus.SENT).exists()

    committee = Complaint.objects.get(advisory_committee=True, stage__in=OPEN_STAGES)
    assert committee.decision_due == deadlines.decision_due(committee.received_on, committee=True)

    notice = Complaint.objects.get(not_handled_notice_due__isnull=False, stage__in=OPEN_STAGES)
    assert notice.not_handled_ground
    assert notice.not_handled_notice_due == deadlines.not_handled_notice_due(notice.received_on)


def test_the_demo_coordinator_sees_acknowledgements_and_first_contacts_due_or_overdue():
    seed(force=True)
    today = timezone.localdate()
    coordinator = User.objects.get(email="coordinator@example.nl")
    due = due_soon_for(coordinator, today=today)
    end = week_end(today)
    assert due.filter(acknowledged_on__isnull=True, acknowledgement_due__lte=end).exists()
    assert due.filter(first_contact_on__isnull=True, first_contact_due__lt=today).exists()
    assert due.filter(not_handled_notice_due__lte=end).exists()
    assert due.filter(decision_due__lt=today).exists()


def test_the_demo_outbox_has_the_acknowledgements_sent_on_receipt_and_one_failed_with_its_error():
    seed(force=True)
    acknowledgements = OutboxMessage.objects.filter(kind=OutboxKind.ACKNOWLEDGEMENT)
    written = Complaint.objects.filter(is_written=True)
    assert acknowledgements.count() == written.count()
    sent = acknowledgements.filter(status=OutboxStatus.SENT).select_related("complaint")
    assert sent.count() == written.count() - 1
    for message in sent:  # sent on the day of receipt, which is the acknowledgement date
        day = timezone.localdate(message.sent_at)
        assert day == message.complaint.received_on == message.complaint.acknowledged_on
    failed = OutboxMessage.objects.get(status=OutboxStatus.FAILED)
    assert failed.kind == OutboxKind.ACKNOWLEDGEMENT
    assert failed.attempts == 6
    assert failed.last_error.startswith("SMTPConnectError")
    assert failed.complaint.acknowledged_on is None
    assert not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists()


def test_the_demo_has_the_reminders_the_sweep_writes_for_today():
    seed(force=True)
    reminders = Reminder.objects.select_related("message")
    assert reminders.count() >= 3
    kinds = set(reminders.values_list("kind", flat=True))
    assert ReminderKind.MANAGER in kinds
    for reminder in reminders:
        assert reminder.message.kind == OutboxKind.REMINDER
        assert reminder.message.status == OutboxStatus.SENT
    # The overdue deadlines: in each recipient's mail of the day, sent too; every kind of
    # deadline among them.
    overdue = OutboxMessage.objects.filter(key__startswith="reminder:overdue:")
    assert overdue.exists()
    assert set(overdue.values_list("status", flat=True)) == {OutboxStatus.SENT}
    mails = OutboxMessage.objects.filter(kind=OutboxKind.REMINDER)
    bodies = "".join(mails.values_list("body", flat=True))
    for deadline in (
        "de beslissing (Awb 9:11)",
        "de ontvangstbevestiging (Awb 9:6)",
        "het eerste persoonlijke contact",
        "het bericht dat de klacht niet wordt behandeld (Awb 9:8)",
    ):
        assert deadline in bodies, deadline
    # The sweep of today finds nothing left to write.
    assert reminder_sweep(today=timezone.localdate()) == 0


# ---------------------------------------------------------------------------
# The ladder (DOMAIN.md section 2): rung-1 logs, escalations, the ombudsman phase
# ---------------------------------------------------------------------------
def test_the_demo_has_rung1_logs_closed_on_the_spot_open_and_one_past_the_rung1_norm():
    seed(force=True)
    today = timezone.localdate()
    employee = User.objects.get(email="medewerker@example.nl")
    logs = Complaint.objects.filter(rung=Rung.EMPLOYEE)
    assert logs.count() == 6
    assert set(logs.values_list("registered_by", flat=True)) == {employee.pk}
    for log in logs:
        assert log.received_on == log.logged_on <= today, log.reference
        assert log.solution and not log.is_written and log.decision_due is None, log.reference
        assert log.events.filter(kind=EventKind.REGISTERED, name="rung1_log").exists()
    closed = logs.filter(stage=Stage.CLOSED)
    assert closed.count() == 3
    for log in closed:  # closed on the spot, on the day of the log
        assert log.closure_reason == ClosureReason.RESOLVED
        assert timezone.localdate(log.closed_at) == log.logged_on
        assert log.satisfaction_confirmed_on == log.logged_on
        assert not Reminder.objects.filter(complaint=log).exists()  # closed: never reminded
    still_open = logs.exclude(stage=Stage.CLOSED)
    assert still_open.count() == 3
    assert not still_open.filter(rung1_due__isnull=True).exists()
    overdue = still_open.get(rung1_due__lt=today)
    assert overdue.rung1_due == deadlines.add_working_days(overdue.logged_on, 5)
    # In the day's mail of overdue deadlines of whoever has the log.
    mails = OutboxMessage.objects.filter(key__startswith="reminder:overdue:")
    assert mails.filter(body__contains=f"Klacht {overdue.reference}:").count() == 1


def test_the_demo_has_two_logs_handed_to_a_complaint_handler_one_open_one_closed():
    seed(force=True)
    escalated = Complaint.objects.filter(escalated_on__isnull=False)
    assert escalated.count() == 2
    assert set(escalated.values_list("rung", flat=True)) == {Rung.HANDLER}
    assert sorted(escalated.values_list("stage", flat=True)) == [Stage.CLOSED, Stage.EXPLORE]
    for case in escalated:
        # The Awb clock runs from the formal complaint; what rung 1 recorded carried over.
        assert case.logged_on < case.escalated_on == case.received_on, case.reference
        assert case.solution and case.themes.exists(), case.reference
        rung = case.events.get(kind=EventKind.RUNG)
        assert (rung.from_rung, rung.to_rung, rung.name) == (1, 2, "escalate")
    still_open = escalated.get(stage=Stage.EXPLORE)
    assert still_open.handler.email == "behandelaar@example.nl"
    closed = escalated.get(stage=Stage.CLOSED)
    assert closed.is_written and closed.acknowledged_on == closed.received_on
    assert closed.closure_reason == ClosureReason.RESOLVED


def test_the_demo_has_a_case_the_nationale_ombudsman_took_up_with_a_report_and_a_request():
    seed(force=True)
    today = timezone.localdate()
    phase = OmbudsmanCase.objects.select_related("complaint", "ombudsman").get()
    complaint = phase.complaint
    assert phase.ombudsman.name == "Nationale ombudsman"
    assert complaint.rung == Rung.OMBUDSMAN and complaint.stage == Stage.CLOSED
    assert complaint.closure_reason == ClosureReason.JUDGED
    assert complaint.received_on < timezone.localdate(complaint.closed_at) <= phase.taken_up_on
    assert phase.taken_up_on < phase.outcome_on < today
    assert phase.outcome == OmbudsmanOutcome.REPORT and phase.outcome_summary
    rung = complaint.events.get(kind=EventKind.RUNG)
    assert (rung.from_rung, rung.to_rung) == (2, 3)

    request = InformationRequest.objects.get(ombudsman_case=phase)
    assert request.answered_on is None
    assert today < request.due_on <= today + timedelta(days=7)

    # Two norms judged by the ombudsman; both were judged internally too, one differently.
    findings = {finding.norm.number: finding.judgment for finding in phase.findings.all()}
    internal = {
        norm.number: part.judgment
        for part in complaint.parts.prefetch_related("norms")
        for norm in part.norms.all()
    }
    assert len(findings) == 2 and set(findings) <= set(internal)
    assert sum(findings[norm] == internal[norm] for norm in findings) == 1

    recommendation = phase.recommendations.get()
    assert recommendation.owner.email == "coordinator@example.nl"
    assert recommendation.status == "open" and recommendation.due_on > today


def test_the_demo_gives_the_ladder_metrics_something_at_every_rung():
    seed(force=True)
    today = timezone.localdate()
    metrics = ladder_metrics(today - timedelta(weeks=11), today)
    assert metrics.ended.count(1) == 3  # the logs closed on the spot
    assert metrics.ended.count(3) == 1
    assert (metrics.escalated_1_to_2.part, metrics.escalated_1_to_2.whole) == (2, 8)
    assert metrics.escalated_2_to_3.part == 1
    assert metrics.outcomes.count(OmbudsmanOutcome.REPORT) == 1
    assert metrics.findings.cells == {
        (Judgment.WELL_FOUNDED, Judgment.WELL_FOUNDED): 1,
        (Judgment.UNFOUNDED, Judgment.WELL_FOUNDED): 1,
    }
    assert all(time.cases for time in metrics.time_on_rungs)
