"""Demo data for `make run`: departments, one member of staff per role and, as features
land, cases in every stage. Each app contributes its part through its own ``demo.py``;
this command lives in the top layer so it may call all of them.

Behind those cases, ``reporting.demo.seed_year`` adds a year of history (about 770 cases, bulk
inserted) so the dashboards and reports have something to show; ``--without-year`` leaves it
out. The month rollups of the dashboards are rebuilt at the end.

Idempotent: running it again updates the same rows. It refuses to run when DEBUG is
off unless --force is given, because it creates accounts with a published password.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, seed_accounts
from complaints.demo import demo_status_links, seed_complaints
from reporting.demo import seed_year
from reporting.models import MonthFigures
from reporting.rollups import rollups_rebuild


class Command(BaseCommand):
    help = "Load demo data: departments, one member of staff per role, and demo cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )
        parser.add_argument(
            "--without-year",
            action="store_false",
            dest="year",
            help="Only the cases of the last weeks, not the year of history behind the dashboards.",
        )

    def handle(self, *args, force: bool = False, year: bool = True, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with "
                "DEBUG on. Use --force for a test or demo environment, never in production."
            )
        with transaction.atomic():
            departments, staff = seed_accounts()
            cases = seed_complaints(departments, staff)
            history = seed_year(departments, staff, today=timezone.localdate()) if year else 0
            if cases or history or not MonthFigures.objects.exists():
                rollups_rebuild()  # the bulk inserts bypass the rollups' bookkeeping
            links = demo_status_links()

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(departments)} departments."))
        if cases:
            self.stdout.write(f"Demo cases: {cases} created.")
        else:
            self.stdout.write("Demo cases: already there, none added.")
        if history:
            self.stdout.write(f"A year of history for the dashboards: {history} cases created.")
        self.stdout.write(f"Sign in at /accounts/login/ with password {DEMO_PASSWORD!r}:")
        width = max(len(str(role)) for role in staff)
        for role, user in staff.items():
            self.stdout.write(f"  {str(role).ljust(width)}  {user.email}")
        if links:
            self.stdout.write("A citizen's private status page (a new link each run):")
            for reference, stage, path in links:
                self.stdout.write(f"  {reference} ({stage})  {path}")
