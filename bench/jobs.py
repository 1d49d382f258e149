"""What bench/run.py asks of the bench database, run with the bench's environment:

    python bench/jobs.py state             what the database holds (JSON)
    python bench/jobs.py forget_submissions
                                           delete what earlier runs sent on the public
                                           form (JSON: how many)
    python bench/jobs.py info TOKENS.json  the pages to drive: case references, URLs (JSON)
    python bench/jobs.py sweep             time one reminder sweep (JSON)
    python bench/jobs.py annual YEAR PATH  time the annual report of YEAR, if it exists (JSON)
    python bench/jobs.py timed YEAR PATH   the sweep's first run of a day (from the seeded
                                           state; and after yesterday's run), a run after it,
                                           and the annual report (JSON); the reminders of
                                           earlier runs deleted first

The jobs are timed inside the process (Django's start-up is not counted).
"""

import json
import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django

django.setup()

from django.core.management import call_command, get_commands  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.db.models.functions import ExtractYear  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from complaints.models import OPEN_STAGES, Complaint  # noqa: E402
from reporting.bench_data import bench_state  # noqa: E402

CASES_TO_VISIT = 200


def state(tokens_path: str = "") -> dict:
    """What the database holds; ``tokens_matched``: the status tokens of the tokens file open
    a link in it (another checkout may have seeded the same database since, with new ones)."""
    from django.db.migrations.executor import MigrationExecutor

    from complaints.services.status_links import status_link_find

    executor = MigrationExecutor(connection)
    migrated = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    try:
        found = bench_state().__dict__
        tokens = []
        if tokens_path and Path(tokens_path).exists():
            seeded = json.loads(Path(tokens_path).read_text(encoding="utf-8"))
            tokens = seeded.get("status_tokens", [])[:3]
        found["tokens_matched"] = bool(tokens) and all(status_link_find(t) for t in tokens)
    except Exception as error:  # noqa: BLE001 -- not migrated yet
        found = {"error": repr(error)}
    return {**found, "migrated": migrated}


def url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def info(tokens_path: str) -> dict:
    seeded = json.loads(Path(tokens_path).read_text(encoding="utf-8"))
    handler = User.objects.get(email=seeded["handler"])
    references = list(
        Complaint.objects.filter(department_id=handler.department_id, stage__in=OPEN_STAGES)
        .order_by("?")
        .values_list("reference", flat=True)[:CASES_TO_VISIT]
    )
    busiest = (
        Complaint.objects.filter(received_on__year__lt=timezone.localdate().year)
        .annotate(year=ExtractYear("received_on"))
        .values("year")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "case_references": references,
        "dashboard_url": url_or_none("reporting:dashboard"),
        "bare_pk": handler.department_id,
        "busiest_year": busiest["year"] if busiest else timezone.localdate().year,
        "busiest_year_count": busiest["n"] if busiest else 0,
        "annual_report": "annual_report" in get_commands(),
        "postgres": postgres,
        "django": django.get_version(),
        "complaints_total": Complaint.objects.count(),
        "open_total": Complaint.objects.filter(stage__in=OPEN_STAGES).count(),
    }


def forget_submissions() -> dict:
    from reporting.bench_data import bench_submissions_forget

    deleted = bench_submissions_forget()
    with connection.cursor() as cursor:  # the partial indexes of the open cases, cleaned
        cursor.execute(f"VACUUM ANALYZE {Complaint._meta.db_table}")
    return {"deleted": deleted}


def sweep(days_ago: int = 0) -> dict:
    """One reminder sweep for today (or ``days_ago`` days before), timed."""
    from complaints.models import OutboxKind, OutboxMessage
    from complaints.services.reminders import reminder_sweep

    mails = OutboxMessage.objects.filter(kind=OutboxKind.REMINDER)
    before = mails.count()
    started = time.perf_counter()
    written = reminder_sweep(today=timezone.localdate() - timedelta(days=int(days_ago)))
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "written": written, "mails": mails.count() - before}


def reminders_forget() -> None:
    """Back to the seeded state: no reminders and no reminder mails. Otherwise the "first run"
    of a second bench run on the same day finds the day's reminders written by the first (and
    the managers told) and times a fraction of the work: 0.75 s for 1,520 reminders instead of
    about 6 s for 88,000 at 1,000,000 complaints. Only on bench data (``bench_state``)."""
    from complaints.models import OutboxKind

    found = bench_state()
    if found.other_complaints or found.other_users or not found.bench_complaints:
        raise SystemExit("not a bench database: its reminders are left alone")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM complaints_reminder")
        cursor.execute("DELETE FROM complaints_overduemail")
        cursor.execute(
            "DELETE FROM complaints_outboxmessage WHERE kind = %s", [OutboxKind.REMINDER]
        )
        # The mails of overdue deadlines are outbox rows (their key is their record): both
        # tables vacuumed, so that a run does not read the dead rows of the runs before.
        cursor.execute("VACUUM ANALYZE complaints_reminder")
        cursor.execute("VACUUM ANALYZE complaints_outboxmessage")


def timed(year: str, path: str) -> dict:
    """The reminder sweep's first run of a day twice, and a run after it; then the annual
    report: one start-up for all.

    - ``sweep``: from the seeded state, no reminder ever sent: every reminder that is due is
      written, the one-off ones (a manager told once per case, "5 days before") of every open
      case included: what a first run after switching the system on costs;
    - ``sweep_day``: an ordinary day: yesterday's run done first (not timed), as a system that
      runs every day has it; today's run writes what came due today, mostly the daily overdue
      reminders;
    - ``sweep_again``: a run after that, nothing new."""
    reminders_forget()
    sweep(days_ago=1)
    day = sweep()
    again = sweep()
    reminders_forget()
    first = sweep()
    return {"sweep": first, "sweep_day": day, "sweep_again": again, "annual": annual(year, path)}


def annual(year: str, path: str) -> dict:
    if "annual_report" not in get_commands():
        return {"seconds": None, "note": "not available"}
    started = time.perf_counter()
    call_command("annual_report", "--year", year, "--format", "csv", "--output", path)
    return {"seconds": time.perf_counter() - started}


if __name__ == "__main__":
    command, *arguments = sys.argv[1:]
    result = {
        "state": state,
        "forget_submissions": forget_submissions,
        "info": info,
        "sweep": sweep,
        "annual": annual,
        "timed": timed,
    }[command](*arguments)
    print(json.dumps(result))
