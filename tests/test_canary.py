"""The canary (issue 9, point 6; DOMAIN.md section 7): personal data never reaches the logs
or the broker.

A unique string is put into every personal field a citizen fills in (name, e-mail, phone,
address, needs, what happened, where, who, the wish, a file's name, later information) and
into a sign-in with a wrong password. The case then goes the whole way: the public form, the
acknowledgement (failing once at the mail server, whose refusal names the address, then
sent), the status page, the staff case page and attachment download, a data-subject export,
every periodic sweep months later (reminders, reports, rollups, outbox) and, years later,
retention. Meanwhile every log record of every logger (formatted, with its traceback) and
every task sent to Celery (its name, arguments and options: what goes into a broker message)
is collected; the canary must be in none of them.

The suite runs tasks in-process (``CELERY_TASK_ALWAYS_EAGER``), so the tasks are caught at
``Task.apply_async``, before Celery decides between the broker and running them here; their
arguments are what the broker would carry. Kombu's ``Producer.publish`` is watched too, for a
message that does go to a broker.
"""

import io
import logging
import re
import smtplib
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery.app.task import Task
from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from kombu.messaging import Producer
from PIL import Image

from complaints.models import Complaint, OutboxKind, OutboxMessage, OutboxStatus
from complaints.services.outbox import outbox_sweep
from complaints.services.retention import retention_sweep
from tests.factories import DepartmentFactory, UserFactory

CANARY = "Kw7canaryZq"
EMAIL = f"{CANARY.lower()}@example.nl"
ZONE = ZoneInfo(settings.TIME_ZONE)

ABOUT = {
    "complainant_name": f"Fatima {CANARY}-name",
    "complainant_email": EMAIL,
    "complainant_phone": "06 1234 5678",  # digits only; the e-mail and name carry the canary
    "preferred_contact": "email",
    "complainant_address": f"{CANARY}-straat 1\n1234 AB Voorbeeld",
    "complainant_needs": f"{CANARY}-needs: graag in grote letters",
}
WHAT = {
    "conduct_description": f"{CANARY}-what: aan de balie werd ik weggestuurd.",
    "conduct_date": "2026-11-20",
    "conduct_department": "",
    "conduct_place": f"{CANARY}-place",
    "persons": f"{CANARY}-persons",
}
WISH = {"desired_outcome": f"{CANARY}-wish: excuses."}


class Sink(logging.Handler):
    """Every record that passes its logger's level, as a handler would write it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def caught(monkeypatch):
    """(log lines, task messages, attach) collected while the test runs; ``attach()`` puts
    the sink back after something configured logging again (see the test)."""
    sink = Sink()

    def attach():
        if sink not in logging.getLogger().handlers:
            logging.getLogger().addHandler(sink)

    attach()
    messages: list[str] = []
    apply_async = Task.apply_async
    publish = Producer.publish

    def watched_apply_async(task, args=None, kwargs=None, *rest, **options):
        messages.append(repr((task.name, args, kwargs, rest, options)))
        return apply_async(task, args, kwargs, *rest, **options)

    def watched_publish(producer, body, *rest, **options):
        messages.append(repr((body, rest, options)))
        return publish(producer, body, *rest, **options)

    monkeypatch.setattr(Task, "apply_async", watched_apply_async)
    monkeypatch.setattr(Producer, "publish", watched_publish)
    try:
        yield sink.lines, messages, attach
    finally:
        logging.getLogger().removeHandler(sink)


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient, naming the address as real servers do."""

    def send_messages(self, email_messages):
        recipient = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({recipient: (550, f"<{recipient}> unknown".encode())})


def at(day: date, hour: int = 10):
    return time_machine.travel(datetime.combine(day, time(hour), tzinfo=ZONE), tick=False)


def form_url(step: int) -> str:
    return reverse("complaint_form", args=[step])


def attachment():
    file = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(file, "PNG")
    file.seek(0)
    file.name = f"{CANARY}-foto.png"
    return file


@pytest.mark.django_db(transaction=True)
def test_personal_data_never_reaches_a_log_line_or_a_task_message(
    client, caught, settings, mailoutbox
):
    lines, messages, attach = caught
    citizen = Client()
    desk = DepartmentFactory(code="kl", name="Klachtenbureau", receives_public_complaints=True)
    handler = UserFactory(handler=True, department=desk)
    coordinator = UserFactory(coordinator=True, department=desk)

    with at(date(2026, 11, 23)):
        # A citizen complains; the mail server refuses the acknowledgement once.
        settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
        assert citizen.post(form_url(1), ABOUT).status_code == 302
        assert citizen.post(form_url(2), WHAT).status_code == 302
        assert citizen.post(form_url(3), {**WISH, "files": [attachment()]}).status_code == 302
        key = citizen.get(form_url(4)).context["form"]["key"].value()
        sent = citizen.post(form_url(4), {"key": key, "website": ""})
        assert sent.status_code == 302
        complaint = Complaint.objects.get()
        ack = OutboxMessage.objects.get(kind=OutboxKind.ACKNOWLEDGEMENT)
        assert ack.attempts >= 1 and ack.last_error  # refused, and the refusal was counted
        token = re.search(r"/status/([^/\s]+)/", ack.body).group(1)

        # The mail server takes it the next time.
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        OutboxMessage.objects.filter(pk=ack.pk).update(next_attempt_at=timezone.now())
        outbox_sweep()
        ack.refresh_from_db()
        assert ack.status == OutboxStatus.SENT

        # The citizen reads the status page and adds something; a wrong address is refused.
        assert citizen.get(reverse("status", args=[token])).status_code == 200
        citizen.post(
            reverse("status_information", args=[token]),
            {"text": f"{CANARY}-later: nog een foto", "files": [attachment()]},
        )
        asked = {"reference": complaint.reference, "email": EMAIL}
        assert citizen.post(reverse("status_request"), asked).status_code == 302
        # A new link replaces the old one; it went out at once (the outbox keeps no link).
        token = re.search(r"/status/([^/\s]+)/", mailoutbox[-1].body).group(1)

        # Someone tries to sign in with the complainant's address until locked out.
        for _ in range(settings.AXES_FAILURE_LIMIT + 1):
            client.post(reverse("accounts:login"), {"username": EMAIL, "password": CANARY})

        # Staff read the case and its file, and a coordinator exports the person's data.
        client.force_login(handler)
        page = client.get(reverse("complaints:case", args=[complaint.reference]))
        assert page.status_code == 200 and CANARY in page.content.decode()
        first = complaint.attachments.order_by("pk").first()
        download = client.get(
            reverse("complaints:attachment", args=[complaint.reference, first.pk])
        )
        assert download.status_code == 200
        client.force_login(coordinator)
        export = client.post(reverse("privacy:subject_export"), {"email": EMAIL})
        assert export.status_code == 200 and export["Content-Type"] == "application/zip"

    # Months later every periodic sweep runs (reminders, reports, rollups, the outbox).
    with at(date(2027, 3, 1), hour=7):
        call_command("run_sweeps")
        # run_sweeps loads every tasks module through Celery's Django fix-up, which runs
        # django.setup() and so the logging configuration again: the root's handlers are new.
        attach()
        # Then the citizen withdraws the complaint; years later its retention period is over.
        withdrawn = citizen.post(
            reverse("status_withdraw", args=[token]), {"reason": f"{CANARY}-withdraw"}
        )
        assert withdrawn.status_code == 302
        complaint.refresh_from_db()
        assert complaint.closure_reason == "withdrawn"

    with at(date(2033, 3, 2)):
        assert retention_sweep(today=date(2033, 3, 2)) == 1

    # The watch worked: there were log lines and task messages to look in.
    assert lines and messages
    assert any(complaint.reference in line for line in lines)  # a reference is not personal
    leaks = [text for text in lines + messages if CANARY.lower() in text.lower()]
    assert leaks == []
