"""Deadline reminders: which reminder comes on which day, to whom, and only once.

The days are simulated with time-machine and the sweep runs through its Celery task (in-process
here), as beat runs it; the rules are in the docstring of complaints/services/reminders.py.
"""

import io
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaints.models import (
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    OverdueMail,
    Reminder,
    ReminderKind,
    Stage,
)
from complaints.services.reminders import reminder_sweep
from complaints.tasks import reminder_sweep_task
from ladder.models import ServiceNorms
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

# Due on Wednesday 30 December 2026. Five working days before it skip Christmas Day (Friday
# 25 December, Atw art. 3) and the weekend: Tuesday 22 December. One working day before:
# Tuesday 29 December (Boxing Day is a Saturday).
DUE = date(2026, 12, 30)
BEFORE_5 = date(2026, 12, 22)
BEFORE_1 = date(2026, 12, 29)


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(n) for n in range((end - start).days + 1)]


def sweep_on(day: date) -> int:
    """One run of the beat task on ``day`` (in the middle of the working day, Amsterdam):
    how many reminders it wrote (a ``Reminder`` row each, or a deadline in the day's mail of
    overdue deadlines)."""
    with time_machine.travel(f"{day.isoformat()} 10:00 +01:00", tick=False):
        return reminder_sweep_task()


def overdue_mail(day: date, recipient) -> OutboxMessage | None:
    """``recipient``'s mail of ``day`` about their overdue deadlines, if there is one."""
    return OutboxMessage.objects.filter(
        key=f"reminder:overdue:{day.isoformat()}:{recipient.pk}"
    ).first()


def in_overdue_mail(day: date, case, recipient) -> bool:
    """Whether ``recipient``'s overdue mail of ``day`` lists ``case`` (a sentence about it)."""
    mail = overdue_mail(day, recipient)
    return mail is not None and (
        f"Klacht {case.reference}:" in mail.body or f"Complaint {case.reference}:" in mail.body
    )


def only_decision_due(**fields):
    """A case with only a decision date (no acknowledgement or contact deadline pending)."""
    defaults = {
        "decision_due": DUE,
        "acknowledgement_due": None,
        "first_contact_due": None,
        "not_handled_notice_due": None,
    }
    return ComplaintFactory(**{**defaults, **fields})


def written_on(case) -> dict[date, list[str]]:
    by_day = defaultdict(list)
    for reminder in Reminder.objects.filter(complaint=case).order_by("id"):
        by_day[reminder.created_at.date()].append(reminder.key.split(":")[3])
    return dict(by_day)


def test_decision_reminders_come_on_the_right_days_across_a_weekend_and_a_holiday():
    case = only_decision_due()
    manager = UserFactory(manager=True, department=case.department)
    written = {}
    for day in days(date(2026, 12, 14), date(2027, 1, 6)):
        with time_machine.travel(f"{day.isoformat()} 10:00 +01:00", tick=False):
            reminder_sweep_task()
            written[day] = sorted(
                (r.kind, r.key.split(":")[3], r.recipient_id)
                for r in Reminder.objects.filter(complaint=case, created_at__date=day)
            )
            if in_overdue_mail(day, case, case.handler):  # the day's mail of overdue deadlines
                written[day] = sorted(
                    [*written[day], ("overdue", f"overdue-{day}", case.handler_id)]
                )

    handler = case.handler_id
    expected = {day: [] for day in written}
    expected[BEFORE_5] = [("before", "before-5", handler)]
    expected[BEFORE_1] = [("before", "before-1", handler)]
    expected[DUE] = [("on_the_day", "on-the-day", handler)]
    for day in days(DUE + timedelta(1), date(2027, 1, 6)):  # daily, weekend and New Year too
        expected[day] = [("overdue", f"overdue-{day.isoformat()}", handler)]
    # Default: the manager hears of it once, 3 calendar days after the due date.
    expected[date(2027, 1, 2)] = sorted(
        [*expected[date(2027, 1, 2)], ("manager", "manager", manager.pk)]
    )
    assert written == expected


def test_the_reminder_mail_names_the_case_and_the_deadline_in_dutch_with_a_link(settings):
    settings.SITE_URL = "https://klachten.example.nl/"
    case = only_decision_due(
        complainant_name="Jantje Geheimnaam",
        complainant_email="jantje@example.org",
        complainant_phone="0699887766",
    )
    sweep_on(BEFORE_5)

    reminder = Reminder.objects.get(complaint=case)
    message = reminder.message
    assert message.key == f"reminder:{reminder.key}"
    assert message.kind == OutboxKind.REMINDER
    assert message.to == case.handler.email
    assert message.language == "nl"
    assert case.reference in message.subject
    assert "\n" not in message.subject
    # Django's own Dutch calendar words: the mail was rendered in Dutch.
    assert "dinsdag 22 december 2026" not in message.body  # the due date, not today's
    assert "woensdag 30 december 2026" in message.body
    assert f"https://klachten.example.nl/staff/complaints/{case.reference}/" in message.body
    # Reference and deadline only: nothing about the complainant.
    for personal in ("Jantje", "Geheimnaam", "jantje@example.org", "0699887766"):
        assert personal not in message.subject + message.body


def test_several_reminders_of_a_handler_come_in_one_mail_the_most_urgent_first(settings):
    """What is due today and soon in one mail (a ``Reminder`` row each); what is overdue in
    the day's mail of overdue deadlines."""
    settings.SITE_URL = "https://klachten.example.nl/"
    handler = UserFactory(handler=True, full_name="Henk de Behandelaar")
    soon = only_decision_due(handler=handler, decision_due=date(2026, 12, 31))  # in 1 day
    overdue = only_decision_due(handler=handler, decision_due=DUE - timedelta(2))
    today = only_decision_due(
        handler=handler, complainant_name="Jantje Geheimnaam", complainant_email="j@example.org"
    )
    other = only_decision_due(decision_due=DUE - timedelta(2))  # another handler's
    assert sweep_on(DUE) == 4

    message = OutboxMessage.objects.exclude(key__startswith="reminder:overdue:").get(
        to=handler.email
    )
    assert message.kind == OutboxKind.REMINDER
    assert message.complaint is None  # about several cases: the reminder rows name them
    assert message.subject == "2 termijnen van klachten vragen uw aandacht"
    assert set(message.reminders.values_list("complaint", flat=True)) == {soon.pk, today.pk}
    # Most urgent first, each with its deadline in Dutch and the link to its case.
    at = [message.body.index(f"Klacht {case.reference}:") for case in (today, soon)]
    assert at == sorted(at)
    for case in (today, soon):
        assert f"https://klachten.example.nl/staff/complaints/{case.reference}/" in message.body
    assert "donderdag 31 december 2026" in message.body
    assert "https://klachten.example.nl/staff/complaints/\n" in message.body  # the work list
    assert overdue.reference not in message.body and other.reference not in message.body
    # The overdue one: in the handler's mail of the day about overdue deadlines.
    late = overdue_mail(DUE, handler)
    assert late.kind == OutboxKind.REMINDER and late.complaint_id == overdue.pk
    assert late.subject == "1 termijn van een klacht is verstreken"
    assert f"Klacht {overdue.reference}:" in late.body and "is 2 dagen te laat" in late.body
    assert f"https://klachten.example.nl/staff/complaints/{overdue.reference}/" in late.body
    assert "https://klachten.example.nl/staff/complaints/\n" in late.body
    assert today.reference not in late.body and other.reference not in late.body
    for mail in (message, late):
        for personal in ("Jantje", "Geheimnaam", "j@example.org"):
            assert personal not in mail.subject + mail.body
    # The other handler's: their own mail of overdue deadlines.
    assert in_overdue_mail(DUE, other, other.handler)
    assert sweep_on(DUE) == 0
    assert OutboxMessage.objects.count() == 3


def test_a_list_of_reminders_links_the_work_list_that_shows_those_cases(settings):
    settings.SITE_URL = "https://klachten.example.nl/"
    desk, other = DepartmentFactory(), DepartmentFactory()
    coordinator = UserFactory(coordinator=True, department=desk)
    manager = UserFactory(manager=True, department=other)
    for department in (desk, other, other):  # overdue for 4 days, without a handler
        only_decision_due(department=department, handler=None, decision_due=DUE - timedelta(4))
    assert sweep_on(DUE) == 3 + 2  # the coordinator all three; the manager their two
    worklist = "https://klachten.example.nl/staff/complaints/"
    to_coordinator = OutboxMessage.objects.get(to=coordinator.email)
    assert f"{worklist}?scope=all\n" in to_coordinator.body
    assert f"{worklist}?scope=department\n" in OutboxMessage.objects.get(to=manager.email).body


def test_each_deadline_kind_gets_its_own_reminder():
    case = ComplaintFactory(
        decision_due=DUE,
        acknowledged_on=None,
        acknowledgement_due=DUE,
        first_contact_due=DUE,
        first_contact_on=None,
        not_handled_notice_due=DUE,
    )
    assert sweep_on(DUE) == 4
    fields = set(Reminder.objects.filter(complaint=case).values_list("due_field", "kind"))
    assert fields == {
        ("decision_due", ReminderKind.ON_THE_DAY),
        ("acknowledgement_due", ReminderKind.ON_THE_DAY),
        ("first_contact_due", ReminderKind.ON_THE_DAY),
        ("not_handled_notice_due", ReminderKind.ON_THE_DAY),
    }


def test_acknowledged_or_contacted_cases_get_no_reminder_for_that_deadline():
    waiting = only_decision_due(
        decision_due=None, acknowledged_on=None, acknowledgement_due=DUE, first_contact_due=DUE
    )
    done = only_decision_due(
        decision_due=None,
        acknowledged_on=DUE - timedelta(3),
        acknowledgement_due=DUE,
        first_contact_due=DUE,
        first_contact_on=DUE - timedelta(2),
    )
    for day in days(BEFORE_5, DUE + timedelta(5)):
        sweep_on(day)
    assert not Reminder.objects.filter(complaint=done).exists()
    assert set(Reminder.objects.filter(complaint=waiting).values_list("due_field", flat=True)) == {
        "acknowledgement_due",
        "first_contact_due",
    }


def test_closed_cases_get_no_reminders():
    ComplaintFactory(
        closed=True,
        decision_due=DUE,
        acknowledged_on=None,
        acknowledgement_due=DUE,
        first_contact_due=DUE,
        not_handled_notice_due=DUE,
    )
    for day in days(BEFORE_5, DUE + timedelta(10)):
        assert sweep_on(day) == 0
    assert not Reminder.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_case_closed_while_reminders_run_gets_no_more():
    case = only_decision_due()
    assert sweep_on(DUE) == 1
    Complaint = type(case)
    Complaint.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    for day in days(DUE + timedelta(1), DUE + timedelta(10)):
        assert sweep_on(day) == 0


def test_running_the_sweep_twice_the_same_day_writes_nothing_new():
    department = DepartmentFactory()
    for due in (BEFORE_1, DUE, DUE + timedelta(1)):
        only_decision_due(decision_due=due, department=department)
    UserFactory(manager=True, department=department)
    today = DUE + timedelta(3)  # 4, 3 and 2 days overdue: 3 overdue and 2 manager reminders
    assert reminder_sweep(today=today) == 5
    assert reminder_sweep(today=today) == 0
    assert Reminder.objects.count() == 2  # the manager's; the overdue ones are in mails
    # A mail of overdue deadlines to each case's handler; one to the manager with both.
    assert OutboxMessage.objects.count() == 4
    assert OutboxMessage.objects.filter(key__startswith="reminder:overdue:").count() == 3
    manager_mail = OutboxMessage.objects.filter(reminders__kind=ReminderKind.MANAGER).distinct()
    assert manager_mail.get().reminders.count() == 2


def test_a_managers_mail_of_several_cases_does_not_promise_a_daily_reminder():
    """A manager is told once per case (DOMAIN.md section 5, reminders): their mail must not
    say it comes every day, as the mail of overdue deadlines does."""
    department = DepartmentFactory()
    for due in (BEFORE_1, DUE):
        only_decision_due(decision_due=due, department=department)
    manager = UserFactory(manager=True, department=department)
    reminder_sweep(today=DUE + timedelta(3))
    body = OutboxMessage.objects.get(to=manager.email).body
    assert "Deze 2 termijnen van klachten vragen uw aandacht" in body
    assert "elke dag" not in body


def test_a_changed_due_date_starts_a_new_series():
    case = only_decision_due()
    sweep_on(BEFORE_1)
    type(case).objects.filter(pk=case.pk).update(decision_due=DUE + timedelta(weeks=4))
    # No reminder for the old date on the day itself; the new date is far away.
    assert sweep_on(DUE) == 0
    assert sweep_on(DUE + timedelta(weeks=4)) == 1


def test_the_manager_is_told_once_after_the_configured_days_and_only_their_department():
    norms = ServiceNorms.current()
    norms.manager_after_days_overdue = 5
    norms.save()
    case = only_decision_due()
    managers = [UserFactory(manager=True, department=case.department) for _ in range(2)]
    UserFactory(manager=True)  # another department
    UserFactory(manager=True, department=case.department, is_active=False)
    for day in days(DUE, DUE + timedelta(12)):
        sweep_on(day)
    told = Reminder.objects.filter(kind=ReminderKind.MANAGER)
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(m.pk for m in managers)
    assert {r.created_at.date() for r in told} == {DUE + timedelta(5)}
    assert set(told.values_list("due_field", flat=True)) == {"decision_due"}


def test_other_deadlines_never_go_to_the_manager():
    case = only_decision_due(
        decision_due=None, acknowledged_on=None, acknowledgement_due=DUE, first_contact_due=DUE
    )
    UserFactory(manager=True, department=case.department)
    for day in days(DUE, DUE + timedelta(10)):
        sweep_on(day)
    assert not Reminder.objects.filter(kind=ReminderKind.MANAGER).exists()


def test_a_case_without_handler_goes_to_the_coordinators_of_its_department():
    department = DepartmentFactory()
    coordinators = [UserFactory(coordinator=True, department=department) for _ in range(2)]
    UserFactory(coordinator=True)  # another department
    case = only_decision_due(department=department, handler=None)
    assert sweep_on(DUE) == 2
    assert sorted(Reminder.objects.values_list("recipient_id", flat=True)) == sorted(
        c.pk for c in coordinators
    )
    assert sweep_on(DUE) == 0
    assert Reminder.objects.filter(complaint=case).count() == 2


def test_a_case_without_handler_in_a_department_without_coordinator_goes_to_every_coordinator():
    """The usual set-up: the coordinators sit at the complaints desk, not in each department."""
    desk = DepartmentFactory()
    coordinators = [UserFactory(coordinator=True, department=desk) for _ in range(2)]
    UserFactory(coordinator=True, department=DepartmentFactory(), is_active=False)
    case = only_decision_due(handler=None)
    assert case.department != desk
    assert sweep_on(DUE) == 2
    assert sorted(Reminder.objects.values_list("recipient_id", flat=True)) == sorted(
        c.pk for c in coordinators
    )
    assert sweep_on(DUE) == 0


def test_a_case_without_handler_or_coordinator_is_skipped():
    only_decision_due(handler=None)
    assert sweep_on(DUE) == 0
    assert not OutboxMessage.objects.exists()


def test_after_three_days_down_the_first_sweep_writes_each_due_reminder_once():
    """Beat and worker off on 28, 29 and 30 December; back on the 31st."""
    before_5_missed = only_decision_due(decision_due=DUE + timedelta(6))  # Tue 5 January
    on_the_day_missed = only_decision_due()  # due Wed 30 December
    manager_missed = only_decision_due(decision_due=DUE - timedelta(4))  # Sat 26 December
    UserFactory(manager=True, department=manager_missed.department)
    ack_missed = only_decision_due(
        decision_due=None, acknowledged_on=None, acknowledgement_due=date(2026, 12, 29)
    )
    far = only_decision_due(decision_due=date(2027, 3, 1))

    for day in days(date(2026, 12, 21), date(2026, 12, 27)):
        sweep_on(day)
    before_downtime = Reminder.objects.count()
    back = date(2026, 12, 31)
    written = sweep_on(back)

    new = Reminder.objects.filter(created_at__date=back)
    keys = defaultdict(list)
    for reminder in new:
        keys[reminder.complaint_id].append(reminder.key.split(":")[3])
    for case in (before_5_missed, on_the_day_missed, manager_missed, ack_missed, far):
        if in_overdue_mail(back, case, case.handler):
            keys[case.pk].append("overdue-2026-12-31")
    # The latest reminder of each case only; missed older ones are superseded, not sent late.
    # Due Tuesday 5 January: 1 working day before is Monday the 4th, 5 before is Monday 28
    # December (New Year's Day is a holiday): on the 31st the 5-day one is current.
    assert keys[before_5_missed.pk] == ["before-5"]
    assert keys[on_the_day_missed.pk] == ["overdue-2026-12-31"]
    assert sorted(keys[manager_missed.pk]) == ["manager", "overdue-2026-12-31"]
    assert keys[ack_missed.pk] == ["overdue-2026-12-31"]
    assert far.pk not in keys
    assert written == new.count() + 3 == 5
    assert Reminder.objects.count() == before_downtime + 2
    # Each once: a mail per reminder row (each case has a handler of its own), and one mail
    # of overdue deadlines per handler and day.
    per_case = OutboxMessage.objects.exclude(key__startswith="reminder:overdue:")
    assert set(per_case.values_list("key", flat=True)) == {
        f"reminder:{key}" for key in Reminder.objects.values_list("key", flat=True)
    }
    assert OutboxMessage.objects.filter(key__startswith=f"reminder:overdue:{back}:").count() == 3
    assert sweep_on(back) == 0


def test_a_missed_5_day_reminder_is_superseded_by_the_1_day_one():
    case = only_decision_due()
    assert sweep_on(BEFORE_1) == 1
    assert written_on(case) == {BEFORE_1: ["before-1"]}


def test_run_sweeps_writes_the_reminders_and_mails_them(smtp_server):
    """Without a broker (a laptop, cron) one command runs every sweep of the beat schedule,
    the outbox last."""
    case = only_decision_due()
    output = io.StringIO()
    with time_machine.travel(f"{DUE.isoformat()} 10:00 +01:00", tick=False):
        call_command("run_sweeps", stdout=output)
        call_command("run_sweeps", stdout=output)

    first, second = output.getvalue().split("complaints.outbox_sweep")[:2]
    assert "complaints.reminder_sweep: 1\n" in first and "complaints.reminder_sweep: 0\n" in second
    assert output.getvalue().count("complaints.outbox_sweep: 1\n") == 1
    assert output.getvalue().count("complaints.outbox_sweep: 0\n") == 1
    assert output.getvalue().strip().endswith("complaints.outbox_sweep: 0")
    assert [m["To"] for m in smtp_server.messages] == [case.handler.email]
    assert case.reference in smtp_server.messages[0]["Subject"]
    assert Reminder.objects.get().message.status == OutboxStatus.SENT


# ---------------------------------------------------------------------------
# Cost: the sweep reads near deadlines through indexes; quiet cases cost nothing each
# ---------------------------------------------------------------------------
def queries_of_a_sweep(today: date) -> int:
    with CaptureQueriesContext(connection) as captured:
        reminder_sweep(today=today)
    return len(captured)


def test_the_sweep_costs_the_same_for_1_or_100_cases_with_nothing_due():
    today = date(2026, 12, 1)
    ServiceNorms.current()  # created by the migration; read once per sweep
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    make = lambda n: [  # noqa: E731
        only_decision_due(
            department=department,
            handler=handler,
            decision_due=date(2027, 2, 1),
            acknowledgement_due=date(2027, 1, 15),
            acknowledged_on=None,
        )
        for _ in range(n)
    ]
    make(1)
    one = queries_of_a_sweep(today)
    make(99)
    hundred = queries_of_a_sweep(today)
    assert hundred == one <= 7  # service norms, decree days, one per deadline (5)
    assert not Reminder.objects.exists()


def test_a_second_sweep_over_100_reminded_cases_costs_a_constant():
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    for _ in range(100):
        only_decision_due(department=department, handler=handler)
    assert reminder_sweep(today=DUE) == 100
    second = queries_of_a_sweep(DUE)
    assert second <= 10  # and the recipients, the keys written, the managers told
    assert Reminder.objects.count() == 100


def test_the_sweep_reads_open_cases_through_the_partial_due_date_indexes():
    """Each of the sweep's queries matches its deadline's partial index (open cases only) and
    uses the due date as a range in it: no read of the whole table."""
    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN output of PostgreSQL")
    from complaints.services.reminders import DEADLINES, open_cases_near

    indexes = {
        "decision_due": "complaint_open_decision_due",
        "acknowledgement_due": "complaint_open_ack_due",
        "first_contact_due": "complaint_open_contact_due",
        "not_handled_notice_due": "complaint_open_notice_due",
        "rung1_due": "complaint_open_rung1_due",
    }
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    for deadline in DEADLINES:
        plan = open_cases_near(deadline, DUE).explain()
        assert indexes[deadline.field] in plan, plan  # an (bitmap) index scan on it
        assert f"Index Cond: ({deadline.field} <= '2026-12-30'::date)" in plan, plan


def test_the_overdue_deadlines_of_a_recipient_come_in_one_mail_a_day_the_longest_first(
    monkeypatch, settings
):
    """One mail a day per recipient with their overdue deadlines (not a ``Reminder`` row per
    case and day): the longest overdue first, ``OVERDUE_LISTED`` of them with their links, the
    number of the others, the work list. Later sweeps of the day leave it; what became overdue
    for them in the meantime is in the next day's mail."""
    from complaints.services import reminders

    settings.SITE_URL = "https://klachten.example.nl/"
    monkeypatch.setattr(reminders, "OVERDUE_LISTED", 3)
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    cases = [
        only_decision_due(department=department, handler=handler, decision_due=DUE - timedelta(n))
        for n in range(1, 6)  # 1 to 5 days overdue
    ]
    assert sweep_on(DUE) == 5
    mail = overdue_mail(DUE, handler)
    assert mail.subject == "5 termijnen van klachten zijn verstreken"
    assert mail.complaint is None  # about several cases
    listed = [case for case in cases if f"Klacht {case.reference}:" in mail.body]
    assert listed == cases[2:]  # 3, 4 and 5 days overdue
    at = [mail.body.index(case.reference) for case in reversed(listed)]
    assert at == sorted(at)  # 5 days first
    assert "En nog 2, hier niet genoemd." in mail.body
    assert "https://klachten.example.nl/staff/complaints/\n" in mail.body
    assert not Reminder.objects.exists()

    assert sweep_on(DUE) == 0  # later that day: nothing new
    # Another case overdue for them (handed over): a mail about that one only, once.
    handed = only_decision_due(department=department, decision_due=DUE - timedelta(9))
    handed.handler = handler
    handed.save()
    assert sweep_on(DUE) == 1
    second = OutboxMessage.objects.get(key=f"reminder:overdue:{DUE}:{handler.pk}:2")
    assert second.subject == "1 termijn van een klacht is verstreken"
    assert "stond niet in uw eerdere mail van vandaag" in second.body
    assert f"Klacht {handed.reference}:" in second.body and second.complaint_id == handed.pk
    assert not any(case.reference in second.body for case in cases)
    assert sweep_on(DUE) == 0
    assert OutboxMessage.objects.count() == 2
    # The next day: all six, in the day's mail.
    assert sweep_on(DUE + timedelta(1)) == 6
    assert overdue_mail(DUE + timedelta(1), handler).subject.startswith("6 ")
    assert OutboxMessage.objects.count() == 3
    assert OverdueMail.objects.count() == 3
    assert sorted(OverdueMail.objects.get(message=second).complaint_ids) == [handed.pk]


def test_overdue_mails_another_sweep_wrote_meanwhile_are_left(monkeypatch):
    """Two sweeps at once: the later one's mail of overdue deadlines fails on the key of the
    day's mail (unique in the outbox) and is left; nothing is written twice."""
    from complaints.services import reminders

    first, second = (UserFactory(handler=True) for _ in range(2))
    only_decision_due(handler=first, department=first.department, decision_due=DUE - timedelta(2))
    only_decision_due(handler=second, department=second.department, decision_due=DUE - timedelta(3))
    mailed = reminders.overdue_mails_of
    other = {}

    def then_another_sweep(today, recipient_ids):
        found = mailed(today, recipient_ids)
        if not other:  # the first sweep's look; the other sweep runs to the end now
            other["written"] = -1
            other["written"] = reminder_sweep(today=DUE)
        return found

    monkeypatch.setattr(reminders, "overdue_mails_of", then_another_sweep)
    assert reminder_sweep(today=DUE) == 0
    assert other["written"] == 2
    assert OutboxMessage.objects.filter(key__startswith="reminder:overdue:").count() == 2


def test_overdue_mails_are_written_in_one_go_and_one_by_one_when_one_is_taken(monkeypatch):
    """The day's mails of overdue deadlines are written in one transaction; if another sweep
    wrote one of them meanwhile, that one is left and the others are written one by one."""
    from complaints.services import reminders

    first, second = (UserFactory(handler=True) for _ in range(2))
    only_decision_due(handler=first, department=first.department, decision_due=DUE - timedelta(2))
    only_decision_due(handler=second, department=second.department, decision_due=DUE - timedelta(3))
    mailed = reminders.overdue_mails_of

    def then_one_written(today, recipient_ids):
        found = mailed(today, recipient_ids)
        message = OutboxMessage.objects.create(
            key=reminders.overdue_mail_key(first.pk, DUE),
            kind=OutboxKind.REMINDER,
            to=first.email,
            subject="by the other sweep",
            body="...",
        )
        OverdueMail.objects.create(message=message, recipient=first, day=DUE, complaint_ids=[])
        return found

    monkeypatch.setattr(reminders, "overdue_mails_of", then_one_written)
    with CaptureQueriesContext(connection) as captured:
        assert reminder_sweep(today=DUE) == 1  # the second handler's deadline
    assert overdue_mail(DUE, first).subject == "by the other sweep"
    assert overdue_mail(DUE, second).subject == "1 termijn van een klacht is verstreken"
    if connection.vendor == "postgresql":  # the ids of the batch (failed), then one by one
        ids = [q["sql"] for q in captured if "nextval" in q["sql"]]
        assert len(ids) == 3, ids


def test_the_overdue_mails_of_a_sweep_are_written_in_one_transaction():
    for _ in range(3):
        handler = UserFactory(handler=True)
        only_decision_due(
            handler=handler, department=handler.department, decision_due=DUE - timedelta(2)
        )
    with CaptureQueriesContext(connection) as captured:
        assert reminder_sweep(today=DUE) == 3
    assert OutboxMessage.objects.filter(key__startswith="reminder:overdue:").count() == 3
    if connection.vendor == "postgresql":  # one COPY after taking the three ids at once
        ids = [q["sql"] for q in captured if "nextval" in q["sql"]]
        assert len(ids) == 1 and "generate_series(1, 3)" in ids[0], ids


def test_the_sweep_turns_the_garbage_collector_back_on(monkeypatch):
    """It is paused while the sweep plans (``collector_paused``), also when there is nothing
    to do or the sweep fails."""
    import gc

    from complaints.services import reminders

    assert reminder_sweep(today=DUE) == 0  # no cases: the early return
    assert gc.isenabled()
    only_decision_due()

    def broken(*args, **kwargs):
        assert not gc.isenabled()  # paused while planning
        raise RuntimeError("planning failed")

    monkeypatch.setattr(reminders, "missing_reminders", broken)
    with pytest.raises(RuntimeError):
        reminder_sweep(today=DUE)
    assert gc.isenabled()


def test_the_reminder_table_keeps_no_index_nothing_reads():
    """A first sweep of the day inserts tens of thousands of rows: each index costs. The key is
    unique by one index, without Django's second (LIKE) index of a ``unique=True`` CharField;
    the foreign keys have none (nothing reads reminders by case, recipient or mail); the
    managers told have a partial index (the sweep reads them)."""
    if connection.vendor != "postgresql":
        pytest.skip("indexes as PostgreSQL keeps them")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
            [Reminder._meta.db_table],
        )
        indexes = dict(cursor.fetchall())
    assert sorted(indexes) == [
        "complaints_reminder_pkey",
        "reminder_key_unique",
        "reminder_manager_due",
    ], indexes
    assert not [name for name, sql in indexes.items() if "pattern_ops" in sql], indexes
    on_key = [name for name, sql in indexes.items() if sql.endswith("(key)")]
    assert on_key == ["reminder_key_unique"], indexes


def test_the_case_recipient_and_mail_of_a_reminder_stay_protected_without_a_database_check():
    """The database checks none of a reminder row's keys (each check locked the row it points
    to, once per reminder: about a quarter of a first sweep of the day at 1,000,000
    complaints); Django still refuses to delete a recipient or a mail that a reminder names
    (PROTECT) and deletes a case's reminders with the case (CASCADE)."""
    from django.db.models import ProtectedError

    handler = UserFactory(handler=True)
    case = only_decision_due(handler=handler, department=handler.department)
    assert sweep_on(DUE) == 1
    reminder = Reminder.objects.get()
    with pytest.raises(ProtectedError):
        handler.delete()
    with pytest.raises(ProtectedError):
        reminder.message.delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT confrelid::regclass::text FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [Reminder._meta.db_table],
            )
            assert cursor.fetchall() == []
    # The mail names the case too (PROTECT): the reminder goes with the case, not the mail.
    OutboxMessage.objects.filter(pk=reminder.message_id).update(complaint=None)
    case.delete()
    assert not Reminder.objects.exists()


# ---------------------------------------------------------------------------
# Set-based writing: the sweep renders each shape of mail once and writes in batches
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("language", ["nl", "en"])
def test_mails_rendered_once_per_shape_are_exactly_the_plain_rendering(language):
    from complaints.services.reminders import (
        DEADLINES,
        Due,
        MailShapes,
        reminder_render,
    )

    with_handler = only_decision_due()
    without = only_decision_due(handler=None)
    coordinator = UserFactory(coordinator=True, full_name="Co Ordinator")
    shapes = MailShapes()
    dues = [
        Due(DEADLINES[0], DUE, ReminderKind.BEFORE, "before-5", 5),
        Due(DEADLINES[0], DUE, ReminderKind.BEFORE, "before-1", 1),
        Due(DEADLINES[1], DUE, ReminderKind.ON_THE_DAY, "on-the-day", 0),
        Due(DEADLINES[0], DUE, ReminderKind.OVERDUE, "overdue-2027-01-01", 1),
        # Two of one sentence but for the number of days and the date (plural in both
        # languages): one shape of a line, the number and the date put in afterwards.
        Due(DEADLINES[0], date(2026, 12, 28), ReminderKind.OVERDUE, "overdue-2027-01-01", 4),
        Due(DEADLINES[0], date(2025, 11, 3), ReminderKind.OVERDUE, "overdue-2027-01-01", 424),
        Due(DEADLINES[4], DUE, ReminderKind.OVERDUE, "overdue-2027-01-04", 4),
        Due(DEADLINES[0], DUE, ReminderKind.MANAGER, "manager", 4),
    ]
    for due in dues:
        for case, recipient in ((with_handler, with_handler.handler), (without, coordinator)):
            for _ in range(2):  # the second comes from the shape rendered the first time
                assert shapes(
                    case=case, due=due, recipient=recipient, language=language
                ) == reminder_render(case=case, due=due, recipient=recipient, language=language)
                # The sentence of a list of reminders, likewise.
                with translation.override(language):
                    plain = render_to_string(
                        "complaints/mail/reminder_line.txt",
                        {
                            **MailShapes.context(due),
                            "reference": case.reference,
                            "handler_name": case.handler.full_name if case.handler else "",
                        },
                    )
                assert shapes.line(case=case, due=due, language=language) == plain.strip()
    assert len(shapes.shapes) == len(dues) * 2  # with and without a handler
    assert len(shapes.lines) == (len(dues) - 1) * 2


def test_a_recipient_with_more_cases_than_a_mail_holds_gets_a_mail_per_part(monkeypatch):
    """Reminders of a case of their own (here: due today, or in 1 working day) in mails of
    ``MAIL_CASES`` cases; the overdue ones in one mail whatever their number."""
    from complaints.services import reminders

    monkeypatch.setattr(reminders, "MAIL_CASES", 7)
    monkeypatch.setattr(reminders, "OVERDUE_LISTED", 4)
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    cases = [
        only_decision_due(department=department, handler=handler, decision_due=due)
        for due in [DUE] * 10 + [date(2026, 12, 31)] * 10
    ]
    late = [
        only_decision_due(department=department, handler=handler, decision_due=DUE - timedelta(n))
        for n in range(1, 16)
    ]
    assert reminder_sweep(today=DUE) == 20 + 15
    assert reminder_sweep(today=DUE) == 0
    for case in cases:
        reminder = Reminder.objects.get(complaint=case)
        assert reminder.message.to == handler.email
        assert case.reference in reminder.message.body
    # 20 cases in mails of 7, 7 and 6, each reminder in one of them; the 15 overdue in one.
    parts = Counter(
        (message.to, message.reminders.count())
        for message in OutboxMessage.objects.prefetch_related("reminders")
    )
    assert parts == {(handler.email, 7): 2, (handler.email, 6): 1, (handler.email, 0): 1}
    # Each says which part it is.
    to_handler = OutboxMessage.objects.filter(reminders__isnull=False).distinct().order_by("pk")
    assert [m.subject.rsplit(" (", 1)[1] for m in to_handler] == [
        "deel 1 van 3)",
        "deel 2 van 3)",
        "deel 3 van 3)",
    ]
    assert Reminder.objects.exclude(message=None).count() == 20
    overdue = overdue_mail(DUE, handler)
    assert overdue.subject == "15 termijnen van klachten zijn verstreken"
    assert sum(case.reference in overdue.body for case in late) == 4
    assert "En nog 11, hier niet genoemd." in overdue.body


def test_reminders_another_sweep_wrote_meanwhile_are_not_written_twice(monkeypatch):
    """The sweep writes what it found missing without looking again nor locking the cases; if
    another sweep wrote some of it in the meantime, the unique keys fail that mail as a whole
    and it locks the cases and decides again."""
    from complaints.services import reminders

    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    UserFactory(manager=True, department=department)
    for n in range(5):
        only_decision_due(department=department, handler=handler, decision_due=DUE - timedelta(n))
    found = reminders.missing_reminders
    other = {}

    def then_another_sweep(*args, **kwargs):
        missing = found(*args, **kwargs)
        if not other:  # the first sweep's look; the other sweep runs to the end now
            other["written"] = -1
            other["written"] = reminder_sweep(today=DUE)
        return missing

    write = reminders.recipient_reminders_write
    again = []

    def counted(**kwargs):
        again.append(write(**kwargs))
        return again[-1]

    monkeypatch.setattr(reminders, "missing_reminders", then_another_sweep)
    monkeypatch.setattr(reminders, "recipient_reminders_write", counted)
    assert reminder_sweep(today=DUE) == 0
    assert other["written"] == 5 + 2  # overdue or due today; the manager from 3 days
    assert Reminder.objects.count() == 1 + 2  # due today; the manager's (overdue: a mail)
    assert OutboxMessage.objects.count() == 3
    # The other sweep wrote without looking again; the first one tried to write both mails,
    # failed on the keys, and looked again: nothing left to write.
    assert again == [0, 0]


def test_a_first_sweep_writes_the_reminders_of_100_cases_with_a_fixed_number_of_queries():
    """Set-based: the reminders of 100 cases are found and written with a handful of queries,
    not several per case: per recipient one mail, all mails with one insert and their
    reminder rows with another."""
    department = DepartmentFactory()
    handler = UserFactory(handler=True, department=department)
    UserFactory(manager=True, department=department)
    for n in range(100):
        only_decision_due(department=department, handler=handler, decision_due=DUE - timedelta(n))
    with CaptureQueriesContext(connection) as captured:
        assert reminder_sweep(today=DUE) == 100 + 97  # overdue and, from 3 days, the manager
    inserts = [q["sql"] for q in captured if q["sql"].startswith("INSERT")]
    if connection.vendor == "postgresql":
        # One COPY per table for all the sweep's mails (complaints.services.bulk_copy;
        # psycopg's copy is not in Django's query log), the mails' after taking their ids from
        # the sequence: the handler's (due today) and the manager's; then the mails of overdue
        # deadlines, the same way, and their records.
        ids = [q["sql"] for q in captured if "nextval" in q["sql"]]
        assert len(ids) == 2, ids
        assert [sql.split(" (")[0] for sql in inserts] == ['INSERT INTO "complaints_overduemail"']
    else:
        # The mails, then the reminders; the mails of overdue deadlines, their records.
        assert len(inserts) == 4, inserts
    assert len(captured) <= 25, [q["sql"][:80] for q in captured]
    # The one due today and the manager's 97; the 99 overdue in the handler's mail of them.
    assert Reminder.objects.exclude(message=None).count() == 1 + 97
    assert OutboxMessage.objects.count() == 3


def test_a_mail_another_sweep_wrote_meanwhile_is_left_and_the_others_are_written(monkeypatch):
    """The sweep writes all its mails in one transaction; another sweep that wrote one of
    them between this one's reading and writing fails it on a unique key. Then mail by mail:
    that recipient's is decided again from the locked cases (nothing left to write), the
    others are written. Every reminder once, in one mail."""
    from complaints.models import OutboxKind
    from complaints.services import reminders

    department = DepartmentFactory()
    handlers = [UserFactory(handler=True, department=department) for _ in range(3)]
    for handler in handlers:
        for _ in range(2):
            only_decision_due(department=department, handler=handler)  # due on DUE
    original = reminders.missing_reminders
    first = []

    def meanwhile(*args, **kwargs):
        missing = original(*args, **kwargs)
        if not first:  # the sweep's reading, not its second look after the failure
            first.append(True)
            mine = handlers[0].pk
            items = [i for found in missing.values() for i in found if i.recipient.pk == mine]
            reminders.reminder_mail_store(items, reminders.MailShapes())  # the other sweep
        return missing

    monkeypatch.setattr(reminders, "missing_reminders", meanwhile)
    assert reminder_sweep(today=DUE) == 4  # the other two handlers' reminders
    keys = Counter(Reminder.objects.values_list("key", flat=True))
    assert len(keys) == 6 and max(keys.values()) == 1
    mails = OutboxMessage.objects.filter(kind=OutboxKind.REMINDER)
    assert sorted(mails.values_list("to", flat=True)) == sorted(h.email for h in handlers)
    assert not Reminder.objects.filter(message=None).exists()


def test_the_mail_of_overdue_deadlines_in_english():
    from complaints.services.reminders import DEADLINES, Due, MailShapes, Planned

    handler = UserFactory(handler=True, full_name="Henk de Behandelaar")
    cases = [only_decision_due(handler=handler) for _ in range(2)]
    items = [
        Planned(
            case, Due(DEADLINES[0], DUE, ReminderKind.OVERDUE, "overdue-2027-01-01", 2), handler, ""
        )
        for case in cases
    ]
    subject, body = MailShapes().overdue(
        items[:1], count=2, worklist="https://k.example.nl/", recipient=handler, language="en"
    )
    assert subject == "2 complaint deadlines have passed"
    assert body.startswith("Dear Henk,\n\nThese 2 deadlines of complaints have passed")
    assert f"Complaint {cases[0].reference}: the decision (Awb 9:11) is 2 days overdue" in body
    assert cases[1].reference not in body
    assert "And 1 more, not listed here." in body
    assert "Your work list: https://k.example.nl/\n" in body
    assert "You get this mail every day while deadlines have passed" in body


def test_the_lists_of_cases_of_old_overdue_mails_are_let_go_after_30_days():
    handler = UserFactory(handler=True)
    case = only_decision_due(handler=handler, department=handler.department)
    start = DUE + timedelta(1)
    for day in (start, start + timedelta(30), start + timedelta(31)):
        assert reminder_sweep(today=day) == 1
    # The first day's list is 31 days old on the last day: gone; its mail stays.
    assert sorted(OverdueMail.objects.values_list("day", flat=True)) == [
        start + timedelta(30),
        start + timedelta(31),
    ]
    assert OutboxMessage.objects.filter(key__startswith="reminder:overdue:").count() == 3
    assert OverdueMail.objects.get(day=start + timedelta(31)).complaint_ids == [case.pk]
