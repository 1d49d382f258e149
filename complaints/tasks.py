"""Celery tasks: load ids, call a service (STYLE.md). No personal data in a message."""

from celery import shared_task


@shared_task(name="complaints.outbox_send")
def outbox_send_task(message_id: int) -> bool:
    """Send one outbox row now. Safe to run twice or after the row was sent: the service
    sends only a pending row it can lock. No longer queued (a commit that writes rows queues
    one sweep: ``outbox_nudge_sweep``); kept for what an earlier release left in the queue."""
    from complaints.services.outbox import outbox_send

    return outbox_send(message_id=message_id)


@shared_task(name="complaints.outbox_sweep")
def outbox_sweep_task() -> int:
    """Send every pending row that is due: queued after a commit that wrote rows
    (``outbox_nudge_sweep``, one for a burst) and by the beat every minute (retries, workers
    that died mid-send, a broker that was down). Safe to run at once on several workers."""
    from complaints.services.outbox import outbox_sweep, outbox_sweep_started

    outbox_sweep_started()  # before it reads the rows: a row written from now queues another
    return outbox_sweep()


@shared_task(name="complaints.reminder_sweep")
def reminder_sweep_task() -> int:
    """Write the deadline reminders that are due today (safe to run twice or at once), and
    those of the ombudsman phase: information requests and overdue recommendations."""
    from django.utils import timezone

    from complaints.services.ombudsman_reminders import ombudsman_reminder_sweep
    from complaints.services.reminders import reminder_sweep

    today = timezone.localdate()
    return reminder_sweep(today=today) + ombudsman_reminder_sweep(today=today)


@shared_task(name="complaints.drafts_sweep")
def drafts_sweep_task() -> int:
    """Delete the files of public-form drafts that were abandoned (never sent)."""
    from complaints.drafts import drafts_sweep

    return drafts_sweep()


@shared_task(name="complaints.orphan_files_sweep")
def orphan_files_sweep_task() -> int:
    """Delete the attachment and letter files that no row names (a rolled-back write)."""
    from complaints.services.orphans import orphan_files_sweep

    return orphan_files_sweep()


@shared_task(name="complaints.retention_sweep")
def retention_sweep_task() -> int:
    """Anonymise the closed cases whose retention period has passed (DOMAIN.md section 7).
    Daily; the first run after downtime catches up, a second run changes nothing."""
    from django.conf import settings
    from django.utils import timezone

    from complaints.services.retention import retention_sweep

    # Stop starting batches well before the soft time limit: a batch is never cut halfway.
    budget = settings.CELERY_TASK_SOFT_TIME_LIMIT * 0.75
    return retention_sweep(today=timezone.localdate(), max_seconds=budget)
