"""Demo data for `make run`: departments, one member of staff per role and, as features
land, cases in every stage. Each app contributes its part through its own ``demo.py``;
this command lives in the top layer so it may call all of them.

Idempotent: running it again updates the same rows. It refuses to run when DEBUG is
off unless --force is given, because it creates accounts with a published password.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, seed_accounts
from complaints.demo import demo_status_links, seed_complaints


class Command(BaseCommand):
    help = "Load demo data: departments, one member of staff per role, and demo cases."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (never in production)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with "
                "DEBUG on. Use --force for a test or demo environment, never in production."
            )
        with transaction.atomic():
            departments, staff = seed_accounts()
            cases = seed_complaints(departments, staff)
            links = demo_status_links()

        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {len(departments)} departments."))
        if cases:
            self.stdout.write(f"Demo cases: {cases} created.")
        else:
            self.stdout.write("Demo cases: already there, none added.")
        self.stdout.write(f"Sign in at /accounts/login/ with password {DEMO_PASSWORD!r}:")
        width = max(len(str(role)) for role in staff)
        for role, user in staff.items():
            self.stdout.write(f"  {str(role).ljust(width)}  {user.email}")
        if links:
            self.stdout.write("A citizen's private status page (a new link each run):")
            for reference, stage, path in links:
                self.stdout.write(f"  {reference} ({stage})  {path}")
