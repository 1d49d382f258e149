"""The benchmark harness end to end at 1,000 complaints, a few requests per page (issue 10).

Not a timed test: it checks that bench/run.py seeds (or reuses) its own database, starts
gunicorn, drives every page from a separate process, times the jobs and writes a table with a
figure in every row. The first run seeds ``kl_bench_1000`` (about a minute); later runs reuse it.
"""

import re
import subprocess
import sys

import pytest

from reporting.bench_data import year_plans
from tests.conftest import ROOT, environment_without_settings

pytestmark = pytest.mark.integration

PAGES = ("bare Django page", "handler worklist", "case page", "manager dashboard",
         "public form submission", "citizen status page")  # fmt: skip
NUMBER = r"[\d,]+(?:\.\d+)?"


def test_the_years_of_the_bench_data_add_up_and_grow():
    from datetime import date

    plans = year_plans(100_000, date(2026, 12, 1))

    assert len(plans) == 20
    assert sum(p.count for p in plans) == 100_000
    assert plans[0].year == 2007 and plans[-1].year == 2026
    assert plans[-2].count > 2.5 * plans[0].count  # intake grows over the years


@pytest.mark.django_db
def test_a_reset_empties_the_reminders_whose_case_key_the_database_does_not_check():
    """``TRUNCATE ... CASCADE`` follows the foreign keys the database knows; a reminder's key
    to its case is Django's only (complaints.models.outbox.Reminder)."""
    from django.db import connection

    from complaints.models import Reminder
    from complaints.services.reminders import reminder_sweep
    from reporting.bench_data import bench_reset
    from tests.factories import ComplaintFactory

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE of PostgreSQL")
    case = ComplaintFactory()
    assert reminder_sweep(today=case.decision_due) >= 1
    with connection.cursor() as cursor:  # the test's transaction: the checks done, as at commit
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    bench_reset()
    assert not Reminder.objects.exists()


@pytest.mark.django_db
def test_what_earlier_runs_submitted_on_the_public_form_is_deleted_and_nothing_else():
    """Each run sends 300 complaints on the public form; the next run starts without them
    (``bench_submissions_forget``), so they do not pile up in what the pages and the sweep
    measure. The seeded cases and other departments' are left alone."""
    import uuid

    from complaints.models import CaseEvent, Complaint, OutboxMessage, StatusLink
    from complaints.services.public import complaint_submit
    from reporting.bench_data import BENCH_CODE_PREFIX, bench_submissions_forget
    from tests.factories import ComplaintFactory, DepartmentFactory

    desk = DepartmentFactory(code=f"{BENCH_CODE_PREFIX}00", receives_public_complaints=True)
    seeded = ComplaintFactory(department=desk)
    fields = {"complainant_name": "Bench Burger 1", "complainant_email": "b1@example.nl",
              "conduct_description": "Niet teruggebeld.", "language": "nl"}  # fmt: skip
    sent = [complaint_submit(key=uuid.uuid4(), fields=fields).complaint for _ in range(2)]
    assert OutboxMessage.objects.filter(complaint__in=sent).count() == 2

    assert bench_submissions_forget() == 2
    assert list(Complaint.objects.all()) == [seeded]
    assert not OutboxMessage.objects.exists()
    assert not StatusLink.objects.exists()
    assert not CaseEvent.objects.exclude(complaint=seeded).exists()
    assert bench_submissions_forget() == 0


def test_the_harness_runs_end_to_end_and_fills_every_row(tmp_path, redis_url, settings):
    database = settings.DATABASES["default"]
    host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
    server = f"postgres://{database['USER']}@{host}:{port}/postgres"
    env = environment_without_settings(BENCH_DATABASE_URL=server, BENCH_REDIS_URL=redis_url)
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]

    result = subprocess.run(
        [sys.executable, "bench/run.py", "--complaints", "1000", "--quick",
         "--output", str(tmp_path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    [written] = tmp_path.glob("*-1000-quick.md")
    text = written.read_text(encoding="utf-8")
    for page in PAGES:
        row = next((line for line in text.splitlines() if line.startswith(f"| {page}")), None)
        assert row is not None, f"no row for {page}"
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        # req/s, p50, p95 and the query count are numbers
        for cell in (cells[1], cells[3], cells[4], cells[6]):
            assert re.fullmatch(NUMBER, cell), f"{page}: {cells}"
        assert "errors" not in cells[-1], f"{page}: {cells[-1]}"
    for run in ("first run ever", "first run of an ordinary day"):
        assert re.search(
            rf"\| reminder sweep, {run} .*: wrote \d+ reminders"
            rf"(?: in \d+ mails)?(?: \([\d.,]+ ms each\))? "
            rf"\| {NUMBER} s \|",
            text,
        ), run
    assert re.search(
        rf"\| reminder sweep, run again .*: wrote \d+ reminders \| {NUMBER} s \|", text
    )
    assert re.search(rf"\| annual report \d{{4}} .*\| ({NUMBER} s|not available) \|", text)
    assert "Machine:" in text and "PostgreSQL" in text
    # The bare page twice (before and after the pages): the faster is the baseline.
    assert re.search(rf"again after them: {NUMBER} req/s and {NUMBER} req/s;", text)
