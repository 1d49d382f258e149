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
