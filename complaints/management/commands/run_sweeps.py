"""Run the periodic sweeps once: for a laptop without a broker, or from cron.

With ``REDIS_URL`` set, Celery beat runs these sweeps on its schedule (``CELERY_BEAT_SCHEDULE``);
without it tasks run in-process and nothing runs on a schedule, so call this instead (e.g. every
15 minutes from cron). Both sweeps are safe to run twice and at the same time as beat.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone


class Command(BaseCommand):
    help = "Write the deadline reminders due today and send the pending outbox messages, once."

    def handle(self, *args, **options) -> None:
        from complaints.services.ombudsman_reminders import ombudsman_reminder_sweep
        from complaints.services.outbox import outbox_sweep
        from complaints.services.reminders import reminder_sweep

        today = timezone.localdate()
        written = reminder_sweep(today=today) + ombudsman_reminder_sweep(today=today)
        self.stdout.write(f"reminders written for {today.isoformat()}: {written}")
        # After the reminders, so the ones just written go out in this same run.
        sent = outbox_sweep()
        self.stdout.write(f"outgoing messages sent: {sent}")
