"""The benchmark data set: ``python manage.py seed_bench --complaints 100000``.

Fills an empty database quickly (see reporting/bench_data.py) for bench/run.py. It refuses a
database with anything that is not bench data (cases of other departments, other accounts),
and one that has bench data already unless --reset. Like seed_demo it creates accounts with a
published password, so with DEBUG off it also needs --force (a benchmark database, never
production).
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reporting.bench_data import BENCH_PASSWORD, bench_reset, bench_seed, bench_state


class Command(BaseCommand):
    help = "Fill an empty database with the benchmark data set (N complaints over 20 years)."

    def add_arguments(self, parser):
        parser.add_argument("--complaints", type=int, required=True, help="How many cases.")
        parser.add_argument(
            "--reset", action="store_true", help="Empty the bench data of this database first."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run with DEBUG off (a benchmark database)."
        )
        parser.add_argument(
            "--tokens-file",
            type=Path,
            help="Write the log-ins and the status-link tokens here (JSON), for bench/run.py.",
        )

    def handle(self, *args, complaints: int, reset: bool, force: bool, tokens_file, **options):
        if complaints < 1:
            raise CommandError("--complaints must be at least 1.")
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_bench creates accounts with a published password; with DEBUG off it "
                "needs --force (a benchmark database, never production)."
            )
        state = bench_state()
        if state.other_complaints or state.other_users:
            raise CommandError(
                f"This database holds data that is not bench data ({state.other_complaints} "
                f"cases, {state.other_users} accounts): use an empty database."
            )
        if state.bench_complaints or state.submitted:
            if not reset:
                raise CommandError(
                    f"This database holds bench data already ({state.bench_complaints} cases): "
                    "use --reset to replace it."
                )
            bench_reset()
        self.stdout.write(f"Seeding {complaints} complaints ...")
        seeded = bench_seed(
            complaints=complaints, today=timezone.localdate(), log=self.stdout.write
        )
        if tokens_file:
            tokens_file.parent.mkdir(parents=True, exist_ok=True)
            tokens_file.write_text(
                json.dumps(
                    {
                        "complaints": seeded.complaints,
                        "handler": seeded.handler_email,
                        "manager": seeded.manager_email,
                        "password": BENCH_PASSWORD,
                        "department_id": seeded.department_id,
                        "status_tokens": seeded.tokens,
                        "seconds": seeded.seconds,
                    },
                    indent=1,
                ),
                encoding="utf-8",
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {complaints} complaints in {seeded.seconds['total']:.1f} s. "
                f"Log in as {seeded.handler_email} or {seeded.manager_email} "
                f"(password {BENCH_PASSWORD})."
            )
        )
