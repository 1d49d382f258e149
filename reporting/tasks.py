"""Celery tasks of the read side: each takes ids (or nothing), imports its service inside the
body, and calls it (STYLE.md, Celery)."""

from celery import shared_task


@shared_task(name="reporting.rollups_refresh")
def rollups_refresh_task() -> int:
    from .rollups import rollups_refresh

    return rollups_refresh()


@shared_task(name="reporting.actions_sweep")
def actions_sweep_task() -> int:
    """Remind the owners of overdue improvement actions, once per due date (safe to run
    twice or at once: the outbox keys hold the action and its due date)."""
    from django.utils import timezone

    from .services.learning import actions_remind

    return actions_remind(today=timezone.localdate())


@shared_task(name="reporting.learning_reports_sweep")
def learning_reports_sweep_task() -> int:
    """Make the missing learning reports of the last complete months and quarters (safe to
    run twice: existing reports are left alone, and the mail keys are unique)."""
    from django.utils import timezone

    from .services.reports import learning_reports_sweep

    return learning_reports_sweep(today=timezone.localdate())


# A year as PDF can take minutes; the spreadsheets take seconds.
@shared_task(name="reporting.annual_report_run", soft_time_limit=30 * 60, time_limit=31 * 60)
def annual_report_run_task(run_id: int, language: str = "nl") -> str:
    """Build the file of one annual report run (the id and a language code only)."""
    from .services.annual import annual_report_run

    return annual_report_run(run_id=run_id, language=language).status
