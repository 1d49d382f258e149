"""Run the periodic sweeps once: for a laptop without a broker, or from cron.

With ``REDIS_URL`` set, Celery beat runs these sweeps on its schedule (``CELERY_BEAT_SCHEDULE``);
without it tasks run in-process and nothing runs on a schedule, so call this instead (e.g. every
15 minutes from cron). It runs every task of the beat schedule once, in-process, the outbox
sweep last so that the mail the other sweeps wrote goes out in the same run. Every sweep is safe
to run twice and at the same time as beat.
"""

from django.conf import settings
from django.core.management.base import BaseCommand

OUTBOX_SWEEP = "complaints.outbox_sweep"


class Command(BaseCommand):
    help = "Run every periodic sweep once (reminders, reports, rollups), then send the outbox."

    def handle(self, *args, **options) -> None:
        from config.celery import app

        app.loader.import_default_modules()  # every app's tasks.py (autodiscovery is lazy)
        names = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]
        names = sorted(set(names), key=lambda name: (name == OUTBOX_SWEEP, names.index(name)))
        for name in names:
            result = app.tasks[name].apply()
            # A failing sweep fails the command. The task ran here (apply), so waiting cannot
            # block: without disable_sync_subtasks=False, Celery refuses get() in a process
            # where a worker has run (e.g. the test suite's in-process worker).
            result.get(disable_sync_subtasks=False)
            self.stdout.write(f"{name}: {result.result if result.result is not None else 'done'}")
