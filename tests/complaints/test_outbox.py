"""The outbox: one row per key, sent after commit, retried with backoff, failed rows shown to
coordinators with a retry button, and the Awb 9:6 acknowledgement written at registration.

Mail goes through a real local SMTP server (``smtp_server``); Celery runs eagerly in-process
here, so the after-commit nudge sends at once. The real worker is in test_outbox_reliability.
"""

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import (
    CaseEvent,
    Complaint,
    EventKind,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from complaints.services.outbox import (
    BACKOFF,
    MAX_ATTEMPTS,
    message_id_for,
    outbox_enqueue,
    outbox_enqueue_new,
    outbox_retry,
    outbox_send,
    outbox_sweep,
    outbox_sweep_started,
)
from tests.conftest import free_port
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

# A Monday, in Amsterdam time: received the same day, decision due six weeks later.
TODAY = datetime(2026, 3, 9, 10, 0, tzinfo=timezone.get_default_timezone())


@pytest.fixture
def coordinator(user_factory, department):
    return user_factory(coordinator=True, department=department)


@pytest.fixture
def handler(user_factory, department):
    return user_factory(handler=True, department=department)


@pytest.fixture
def smtp_down(settings):
    """SMTP pointed at a port where nothing listens: every attempt is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 2


def register(actor, department, **overrides) -> Complaint:
    fields = {
        "channel": "email",
        "received_on": timezone.localdate(),
        "is_written": True,
        "language": "nl",
        "department": department,
        "complainant_name": "Fatima de Vries",
        "complainant_email": "fatima@example.nl",
        "conduct_description": "Niemand belde terug.",
        **overrides,
    }
    return services.complaint_register(actor=actor, fields=fields)


def enqueue(key: str = "test:1", complaint=None, **overrides) -> OutboxMessage:
    return outbox_enqueue(
        **{
            "key": key,
            "kind": OutboxKind.OTHER,
            "to": "iemand@example.nl",
            "subject": "Onderwerp",
            "body": "Tekst.",
            "complaint": complaint,
            **overrides,
        }
    )


def body(message) -> str:
    return message.get_payload(decode=True).decode(message.get_content_charset())


# ---------------------------------------------------------------------------
# Writing rows
# ---------------------------------------------------------------------------
def test_enqueueing_the_same_key_twice_writes_one_row():
    first = enqueue("ack:KL-2026-00001", subject="Eerste")
    second = enqueue("ack:KL-2026-00001", subject="Tweede")
    assert second.pk == first.pk
    assert list(OutboxMessage.objects.values_list("key", "subject")) == [
        ("ack:KL-2026-00001", "Eerste")
    ]


def test_enqueueing_nudges_a_worker_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue("a")
        enqueue("a")  # the same key: no second nudge
    assert len(callbacks) == 1


class Published(list):
    commit: Callable[[str], None]


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """Tasks published as by the web process in production (not run in-process): the sweeps
    it would have queued, counted; the cache as the tests have it; each row's commit run."""
    from complaints.tasks import outbox_sweep_task

    published = Published()
    conf = outbox_sweep_task.app.conf
    eager, conf.task_always_eager = conf.task_always_eager, False
    monkeypatch.setattr(outbox_sweep_task, "delay", lambda: published.append("sweep"))
    outbox_sweep_started()

    def commit(key: str) -> None:  # a row written and committed
        with django_capture_on_commit_callbacks(execute=True):
            enqueue(key)

    published.commit = commit
    try:
        yield published
    finally:
        conf.task_always_eager = eager


def test_a_burst_of_rows_queues_one_sweep_and_a_row_after_it_started_the_next(queued):
    for number in range(5):  # five commits
        queued.commit(f"burst:{number}")
    assert queued == ["sweep"]
    outbox_sweep_started()  # the worker takes it, before it reads the rows
    queued.commit("after")
    assert queued == ["sweep", "sweep"]


def test_a_sweep_that_could_not_be_queued_is_queued_by_the_next_row(queued, monkeypatch):
    from complaints.tasks import outbox_sweep_task

    def broker_down():
        raise ConnectionError("the broker is down")

    monkeypatch.setattr(outbox_sweep_task, "delay", broker_down)
    queued.commit("while-down")  # saved; the nudge fails quietly
    monkeypatch.setattr(outbox_sweep_task, "delay", lambda: queued.append("sweep"))
    queued.commit("after")
    assert queued == ["sweep"]
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2


def test_without_a_cache_every_row_queues_a_sweep(queued, monkeypatch):
    from django.core.cache import cache

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(cache, "add", down)
    queued.commit("one")
    queued.commit("two")
    assert queued == ["sweep", "sweep"]


def test_enqueueing_many_new_rows_returns_their_ids_and_nudges_one_sweep(
    django_capture_on_commit_callbacks, mailoutbox
):
    """The reminder sweeps write their mails with ``outbox_enqueue_new``: one write for all
    rows (a COPY on PostgreSQL), their ids in order, and one outbox sweep nudged after commit
    rather than a task per row."""

    def row(key: str) -> dict:
        return {"key": key, "kind": OutboxKind.OTHER.value, "to": "iemand@example.nl",
                "subject": "Nieuw", "body": "Tekst."}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = outbox_enqueue_new([row("many:1"), row("many:2"), row("many:3")])
    assert [OutboxMessage.objects.get(pk=pk).key for pk in ids] == ["many:1", "many:2", "many:3"]
    assert len(callbacks) == 1  # one sweep, which (eagerly, here) sent the pending rows
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 3


def test_enqueueing_a_new_row_whose_key_is_there_fails_the_transaction():
    """The callers lock and look first; a key written after all is a bug, not a repeat."""
    enqueue("many:1")
    taken = {"key": "many:1", "kind": OutboxKind.OTHER.value, "to": "iemand@example.nl",
             "subject": "Nieuw", "body": "Tekst."}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        outbox_enqueue_new([taken])
    assert OutboxMessage.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_no_row_and_sends_nothing(smtp_server):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("rolled-back")
        raise RuntimeError("the cause of the message failed")
    assert not OutboxMessage.objects.exists()

    enqueue("committed")  # autocommit: the nudge runs (eagerly) and sends it
    assert [m["Message-ID"] for m in smtp_server.messages] == [message_id_for("committed")]
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


# ---------------------------------------------------------------------------
# Sending
# ---------------------------------------------------------------------------
def test_a_sent_row_carries_a_stable_message_id_and_is_never_sent_again(smtp_server):
    message = enqueue("test:stable", to="klager@example.nl")
    assert outbox_send(message_id=message.pk) is True
    assert outbox_send(message_id=message.pk) is False
    assert outbox_sweep() == 0

    [mail] = smtp_server.messages
    assert mail["Message-ID"] == message_id_for("test:stable")
    assert mail["X-Envelope-To"] == "klager@example.nl"
    assert mail["From"] == "klachten@example.nl"
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None


def test_the_message_id_is_the_same_for_a_key_and_differs_between_keys():
    assert message_id_for("ack:KL-2026-00001") == message_id_for("ack:KL-2026-00001")
    assert message_id_for("ack:KL-2026-00001") != message_id_for("ack:KL-2026-00002")
    assert message_id_for("ack:KL-2026-00001").endswith("@example.nl>")


def test_a_message_for_a_case_is_recorded_on_its_timeline_when_sent(smtp_server):
    complaint = ComplaintFactory()
    message = enqueue("citizen:x", complaint=complaint, kind=OutboxKind.CITIZEN)
    assert not CaseEvent.objects.filter(kind=EventKind.MESSAGE).exists()
    outbox_send(message_id=message.pk)
    event = CaseEvent.objects.get(complaint=complaint, kind=EventKind.MESSAGE)
    assert event.actor is None  # the system
    assert event.note == "Onderwerp"
    assert event.data == {"message": message.pk}


def test_a_deadline_reminder_to_staff_is_not_put_on_the_timeline(smtp_server):
    complaint = ComplaintFactory()
    message = enqueue("reminder:x", complaint=complaint, kind=OutboxKind.REMINDER)
    assert outbox_send(message_id=message.pk)
    assert not CaseEvent.objects.filter(kind=EventKind.MESSAGE).exists()


def test_a_row_not_yet_due_waits(smtp_server):
    message = enqueue()
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_sweep() == 0
    assert outbox_send(message_id=message.pk) is False
    assert outbox_sweep(now=timezone.now() + timedelta(minutes=6)) == 1
    assert len(smtp_server.messages) == 1


def test_smtp_failures_are_retried_with_backoff_and_the_row_fails_after_six_attempts(smtp_down):
    with time_machine.travel(TODAY, tick=False):
        message = enqueue("test:backoff")
    now = TODAY
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert outbox_sweep(now=now - timedelta(seconds=1)) == 0  # not due yet: not tried
        assert OutboxMessage.objects.get().attempts == attempt - 1
        assert outbox_sweep(now=now) == 0  # due: tried, refused
        message.refresh_from_db()
        assert message.attempts == attempt
        assert message.last_error.startswith("ConnectionRefusedError")
        assert "fatima" not in message.last_error
        if attempt < MAX_ATTEMPTS:
            assert message.status == OutboxStatus.PENDING
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at
    assert waits == list(BACKOFF)  # 1 min, 5 min, 30 min, 2 h, 12 h
    assert message.status == OutboxStatus.FAILED
    assert outbox_sweep(now=now + timedelta(days=30)) == 0  # failed rows wait for a person
    assert OutboxMessage.objects.get().attempts == MAX_ATTEMPTS


# ---------------------------------------------------------------------------
# The acknowledgement of receipt at registration (Awb 9:6)
# ---------------------------------------------------------------------------
@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize(
    ("language", "subject", "phrases"),
    [
        ("en", "We received your complaint", ["9 March 2026", "20 April 2026", "What happens"]),
        ("nl", None, ["9 maart 2026", "20 april 2026"]),
    ],
)
def test_registering_a_written_complaint_mails_one_acknowledgement_in_the_complainants_language(
    language, subject, phrases, coordinator, department, smtp_server,
    django_capture_on_commit_callbacks, settings,
):  # fmt: skip
    settings.ORGANISATION_NAME = "Gemeente Teststad"
    with django_capture_on_commit_callbacks(execute=True):
        complaint = register(coordinator, department, language=language)

    message = OutboxMessage.objects.get()
    assert message.key == f"ack:{complaint.reference}"
    assert message.kind == OutboxKind.ACKNOWLEDGEMENT
    assert message.status == OutboxStatus.SENT
    [mail] = smtp_server.messages
    assert mail["X-Envelope-To"] == "fatima@example.nl"
    assert mail["Content-Language"] == language
    assert mail["Message-ID"] == message_id_for(message.key)
    assert complaint.reference in mail["Subject"]
    if subject:
        assert mail["Subject"].startswith(subject)
    text = body(mail)
    assert complaint.reference in text
    assert "Fatima de Vries" in text
    assert "Gemeente Teststad" in text
    for phrase in phrases:
        assert phrase in text  # received on, and the six-week term (Awb 9:11)

    complaint.refresh_from_db()
    assert complaint.decision_due == date(2026, 4, 20)
    assert complaint.acknowledged_on == date(2026, 3, 9)
    event = complaint.events.get(kind=EventKind.ACKNOWLEDGED)
    assert event.actor is None
    assert event.data == {"on": "2026-03-09", "message": message.pk}


def test_the_acknowledgement_keeps_what_the_complainant_typed_as_plain_text(
    coordinator, department, smtp_server, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(coordinator, department, complainant_name="O'Brien <b>&</b>", language="en")
    assert "Dear O'Brien <b>&</b>," in body(smtp_server.messages[0])


@pytest.mark.parametrize(
    "overrides",
    [
        {"complainant_email": ""},  # the handler sends a letter and records it by hand
        {"is_written": False, "channel": "phone"},  # oral: no acknowledgement (Awb 9:6)
    ],
    ids=["no-address", "oral"],
)
def test_no_acknowledgement_is_written_without_an_address_or_for_an_oral_complaint(
    overrides, coordinator, department
):
    complaint = register(coordinator, department, **overrides)
    assert not OutboxMessage.objects.exists()
    assert complaint.acknowledged_on is None


def test_a_date_a_handler_recorded_already_is_kept(coordinator, department, smtp_server):
    complaint = register(coordinator, department)
    services.complaint_acknowledge(
        complaint_id=complaint.pk, actor=coordinator, on=date(2026, 1, 2)
    )
    outbox_sweep()
    complaint.refresh_from_db()
    assert len(smtp_server.messages) == 1
    assert complaint.acknowledged_on == date(2026, 1, 2)


# ---------------------------------------------------------------------------
# The coordinator's page and the retry button
# ---------------------------------------------------------------------------
def fail(
    message: OutboxMessage, error: str = "SMTPServerDisconnected: Connection unexpectedly closed"
):
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=OutboxStatus.FAILED, attempts=MAX_ATTEMPTS, last_error=error
    )


def test_a_failed_message_is_listed_first_with_its_error_and_a_retry_button(
    client, coordinator, smtp_down
):
    complaint = ComplaintFactory()
    sent = enqueue("a-sent-one")
    OutboxMessage.objects.filter(pk=sent.pk).update(
        status=OutboxStatus.SENT, sent_at=timezone.now()
    )
    enqueue("a-waiting-one")
    failed = enqueue("a-failed-one", complaint=complaint, subject="Ontvangstbevestiging")
    for _attempt in range(MAX_ATTEMPTS):
        OutboxMessage.objects.filter(pk=failed.pk).update(next_attempt_at=timezone.now())
        outbox_send(message_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == OutboxStatus.FAILED

    client.force_login(coordinator)
    response = client.get(reverse("complaints:outbox"))
    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [m.key for m in rows] == ["a-failed-one", "a-waiting-one", "a-sent-one"]
    html = response.content.decode()
    assert "ConnectionRefusedError" in html
    assert "Mislukt" in html  # the status in words, not only a colour
    assert reverse("complaints:outbox_retry", args=[failed.pk]) in html
    assert reverse("complaints:outbox_retry", args=[sent.pk]) not in html
    assert complaint.reference in html


def test_the_retry_button_sends_a_failed_message_again(
    client, coordinator, smtp_server, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory()
    message = enqueue("to-retry", complaint=complaint)
    fail(message)
    client.force_login(coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("complaints:outbox_retry", args=[message.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("complaints:outbox")
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [m["Message-ID"] for m in smtp_server.messages] == [message_id_for("to-retry")]
    event = complaint.events.get(kind=EventKind.MESSAGE, name="retry")
    assert event.actor == coordinator
    # A second press on a sent message sends nothing and says why.
    response = client.post(reverse("complaints:outbox_retry", args=[message.pk]), follow=True)
    assert "is al verstuurd" in response.content.decode()
    assert len(smtp_server.messages) == 1


def test_a_retried_message_that_fails_again_starts_a_fresh_series_of_attempts(
    coordinator, smtp_down, django_capture_on_commit_callbacks
):
    message = enqueue("fails-again")
    fail(message)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_retry(message_id=message.pk, actor=coordinator)
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING
    assert message.attempts == 1
    assert message.last_error.startswith("ConnectionRefusedError")


def test_only_coordinators_see_the_page_and_retry(client, handler, smtp_server):
    message = enqueue("not-yours")
    fail(message)
    client.force_login(handler)
    assert client.get(reverse("complaints:outbox")).status_code == 403
    response = client.post(reverse("complaints:outbox_retry", args=[message.pk]))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == OutboxStatus.FAILED
    assert smtp_server.messages == []


def test_the_retry_button_needs_a_post(client, coordinator):
    message = enqueue()
    fail(message)
    client.force_login(coordinator)
    assert client.get(reverse("complaints:outbox_retry", args=[message.pk])).status_code == 405
    assert client.post(reverse("complaints:outbox_retry", args=[999999])).status_code == 404


def test_the_outbox_page_costs_the_same_for_3_messages_as_for_60(
    client, coordinator, django_assert_num_queries
):
    def fill(start, stop):
        for number in range(start, stop):
            message = enqueue(f"m:{number}", complaint=ComplaintFactory() if number % 2 else None)
            if number % 3 == 0:
                fail(message)

    client.force_login(coordinator)
    fill(0, 3)
    with CaptureQueriesContext(connection) as captured:
        few = client.get(reverse("complaints:outbox"))
    assert len(few.context["page"].object_list) == 3
    fill(3, 60)
    with django_assert_num_queries(len(captured)):
        many = client.get(reverse("complaints:outbox"))
    assert len(many.context["page"].object_list) == 50  # 50 a page
    assert len(captured) <= 10


def test_the_outbox_page_is_in_the_coordinators_navigation(client, coordinator, handler):
    client.force_login(coordinator)
    assert reverse("complaints:outbox") in client.get(reverse("staff-home")).content.decode()
    client.force_login(handler)
    assert reverse("complaints:outbox") not in client.get(reverse("staff-home")).content.decode()


# ---------------------------------------------------------------------------
# Concurrent sweeps (PostgreSQL row locks)
# ---------------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_row_once(smtp_server):
    assert connection.vendor == "postgresql"
    keys = [f"sweep:{n}" for n in range(40)]
    for key in keys:
        OutboxMessage.objects.create(
            key=key, kind=OutboxKind.OTHER, to="a@example.nl", subject="S", body="B"
        )
    start = threading.Barrier(4)
    sent, errors = [], []

    def sweep():
        try:
            start.wait()
            sent.append(outbox_sweep())
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sum(sent) == len(keys)
    received = sorted(m["Message-ID"] for m in smtp_server.messages)
    assert received == sorted(message_id_for(key) for key in keys)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.SENT).exists()
