"""The reminder sweep under stress (QUALITY.md: concurrency, worker crash).

Two sweeps at once and a worker killed in the middle of a sweep must leave every due reminder
with exactly one Reminder row, in exactly one mail in the outbox: 0 lost, 0 twice. These tests
commit for real (the sweeps run in other threads and in a worker process); tests/conftest.py
puts the seeded reference data back afterwards.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection, connections
from django.utils import timezone

from complaints.models import Complaint, OutboxMessage, Reminder
from complaints.services.reminders import reminder_sweep
from tests.conftest import environment_without_settings, free_port, missing
from tests.factories import ComplaintFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parent.parent.parent
THREADS = 16


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        missing("the reliability tests need PostgreSQL (DATABASE_URL=postgres://...)")


def cases_due(count: int, *, today: date, handlers: int = 1) -> None:
    """``count`` open cases of one department, shared by ``handlers`` handlers: a third due
    today, a third overdue, a third due in 1 working day; some also wait for their
    acknowledgement; a manager to tell."""
    department = DepartmentFactory()
    staff = [UserFactory(handler=True, department=department) for _ in range(handlers)]
    UserFactory(manager=True, department=department)
    dues = (today, today - timedelta(days=4), today + timedelta(days=1))
    for n in range(count):
        ComplaintFactory(
            department=department,
            handler=staff[n % handlers],
            decision_due=dues[n % 3],
            acknowledged_on=None if n % 5 == 0 else today,
            acknowledgement_due=today - timedelta(days=1) if n % 5 == 0 else None,
            first_contact_due=None,
            not_handled_notice_due=None,
        )


@dataclass(frozen=True)
class Expected:
    """What one sweep on an empty table writes: ``total`` reminders (its return value), of
    which ``rows`` as ``Reminder`` rows and the rest (the overdue deadlines) in ``mails``
    mails of overdue deadlines, one per recipient."""

    total: int
    rows: int
    mails: int


def overdue_mails(today: date):
    return OutboxMessage.objects.filter(key__startswith=f"reminder:overdue:{today.isoformat()}:")


def assert_each_reminder_once(expected: Expected, today: date) -> None:
    keys = Counter(Reminder.objects.values_list("key", flat=True))
    assert sum(keys.values()) == expected.rows, "reminders lost or missing"
    assert max(keys.values()) == 1
    # Each reminder in exactly one mail (its foreign key), to its recipient, naming its case;
    # no reminder mail without reminders.
    reminders = Reminder.objects.select_related("message", "recipient", "complaint")
    assert not reminders.filter(message=None).exists(), "a reminder without its mail"
    for reminder in reminders:
        assert reminder.message.to == reminder.recipient.email
        assert reminder.complaint.reference in reminder.message.body
    per_case = OutboxMessage.objects.filter(key__startswith="reminder:").exclude(
        key__startswith="reminder:overdue:"
    )
    assert not per_case.filter(reminders=None).exists(), "a reminder mail without reminders"
    assert set(per_case.values_list("key", flat=True)) <= {f"reminder:{key}" for key in keys}
    # The overdue deadlines: one mail per recipient (its key is unique), naming each of their
    # overdue cases (a handful each here: all listed).
    mails = {mail.to: mail for mail in overdue_mails(today)}
    assert len(mails) == expected.mails, "mails of overdue deadlines lost or missing"
    for case in Complaint.objects.filter(decision_due__lt=today).select_related("handler"):
        assert f"Klacht {case.reference}:" in mails[case.handler.email].body


def expected_count(today: date) -> Expected:
    """What one sweep on an empty table writes (computed by a dry run in a transaction that is
    rolled back, so the numbers come from the rules, not from a guess)."""
    from django.db import transaction

    class DryRun(Exception):
        pass

    found = None
    try:
        with transaction.atomic():
            total = reminder_sweep(today=today)
            found = Expected(total, Reminder.objects.count(), overdue_mails(today).count())
            raise DryRun
    except DryRun:
        pass
    assert not Reminder.objects.exists()
    return found


# ---------------------------------------------------------------------------
# Two (sixteen) sweeps at once
# ---------------------------------------------------------------------------
def test_sixteen_sweeps_at_once_write_each_reminder_once():
    today = date(2026, 12, 30)
    cases_due(30, today=today)
    expected = expected_count(today)
    assert expected.total == 30 + 6 + 10  # each case; 6 acknowledgements; 10 managers (4 days)
    # Per case a row but for the overdue ones (10 decisions, 6 acknowledgements): in one mail.
    assert expected == Expected(total=46, rows=46 - 16, mails=1)

    barrier = threading.Barrier(THREADS)
    results: list[object] = []
    lock = threading.Lock()

    def sweep():
        try:
            barrier.wait(timeout=30)
            outcome = reminder_sweep(today=today)
        except Exception as error:  # noqa: BLE001 - any error fails the test below
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=sweep) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a sweep hung"

    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == expected.total, results
    assert_each_reminder_once(expected, today)


# ---------------------------------------------------------------------------
# A real worker, SIGKILLed in the middle of a sweep
# ---------------------------------------------------------------------------
@pytest.fixture
def throwaway_redis():
    """A redis-server of our own on a free port, without persistence: we may kill its
    workers and throw it away. Never the machine's Redis."""
    server = shutil.which("redis-server")
    if not server:
        missing("redis-server is not installed (apt-get install redis-server)")
    port = free_port()
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail("the throwaway redis-server did not start")
                time.sleep(0.05)
        yield url
    finally:
        client.close()
        process.terminate()
        process.wait(timeout=10)


def test_database_url() -> str:
    """The test database (test_<name>) as a URL, for a worker in another process."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or "5432"
    return f"postgres://{credentials}@{host}:{port}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(broker_url: str, name: str) -> subprocess.Popen:
    env = environment_without_settings(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=test_database_url(),
        REDIS_URL=broker_url,
    )
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "--pool",
            "solo",
            "-n",
            name,
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition, *, timeout: float, process: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"the worker exited while waiting for {what}:\n{process.stdout.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"timed out waiting for {what}:\n{process.stdout.read()}")
        time.sleep(0.005)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("table", "committed"),
    [
        # In the transaction of the reminders' mails: nothing of the sweep is written.
        ("complaints_outboxmessage", "nothing"),
        # In the transaction of the mails of overdue deadlines, after the reminders' commit.
        ("complaints_overduemail", "reminders"),
    ],
)
def test_a_worker_killed_mid_sweep_loses_and_doubles_no_reminder(throwaway_redis, table, committed):
    """The kill lands inside one of the sweep's transactions, for certain: a table the sweep
    writes is locked (``LOCK TABLE ... IN SHARE MODE``, from another connection) until the
    sweep's backend waits for it, and the worker is killed there. Then the lock goes, and a new
    worker's sweep writes what is missing, once."""
    import psycopg

    # The worker's clock is the real one: dates relative to its today.
    today = timezone.localdate()
    cases_due(200, today=today, handlers=20)
    expected = expected_count(today)
    assert expected.rows > 100 and expected.mails == 20

    # A client of the throwaway broker only (the suite's own app runs tasks in-process).
    # Not the current app: the suite's own (eager) app must stay current for the tests after.
    client = Celery("reminder-crash-test", broker=throwaway_redis, set_as_current=False)
    client.conf.task_serializer = "json"
    workers = []
    blocker = psycopg.connect(test_database_url().replace("postgres://", "postgresql://", 1))
    try:
        blocker.execute(f"LOCK TABLE {table} IN SHARE MODE")
        first = start_worker(throwaway_redis, f"crash-1-{os.getpid()}@%h")
        workers.append(first)
        client.send_task("complaints.reminder_sweep")

        def sweep_waits() -> bool:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND wait_event_type = 'Lock'"
                )
                return cursor.fetchone()[0] > 0

        wait_for(sweep_waits, timeout=25, process=first, what="the sweep to wait for the lock")
        first.send_signal(signal.SIGKILL)  # no goodbye: mid-transaction, mid-sweep
        first.wait(timeout=10)
        blocker.rollback()
        left_behind = Reminder.objects.count()
        assert left_behind == (expected.rows if committed == "reminders" else 0)
        assert not overdue_mails(today).exists()

        # What beat does next: run the sweep again, on a new worker.
        second = start_worker(throwaway_redis, f"crash-2-{os.getpid()}@%h")
        workers.append(second)
        client.send_task("complaints.reminder_sweep")
        wait_for(
            lambda: (
                Reminder.objects.count() >= expected.rows
                and overdue_mails(today).count() >= expected.mails
            ),
            timeout=25,
            process=second,
            what="the second sweep",
        )
        # The sweep ends with the last case; give a stray duplicate a moment to show.
        time.sleep(0.3)
        print(f"worker crash: {left_behind} of {expected.rows} reminder rows before the kill")
    finally:
        blocker.close()
        for worker in workers:
            stop(worker)
        client.close()

    assert_each_reminder_once(expected, today)
    assert Complaint.objects.count() == 200
