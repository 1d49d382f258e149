"""The annual report as a background job: a run is requested in the app, a Celery task builds
the file (reporting.annual), reports its progress on the run, and stores the file in private
storage. The command line (``manage.py annual_report``) writes the same file directly."""

from __future__ import annotations

import logging
import tempfile

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from reporting.annual import FORMATS, annual_report_write, file_name
from reporting.models import AnnualReportRun, RunStatus

log = logging.getLogger(__name__)

PRODUCE = "accounts.produce_annual_report"


@transaction.atomic
def annual_report_request(
    *, actor: User, year: int, file_format: str, language: str = "nl"
) -> AnnualReportRun:
    """Queue a run; the task starts after commit (ids and the language only)."""
    if not actor.has_perm(PRODUCE):
        raise PermissionDenied
    if file_format not in FORMATS:
        raise ValueError(f"Unknown format: {file_format!r}")
    run = AnnualReportRun.objects.create(year=year, format=file_format, requested_by=actor)

    def queue() -> None:
        from reporting.tasks import annual_report_run_task

        try:
            annual_report_run_task.delay(run.pk, language)
        except Exception:  # the broker is down: say so on the run page
            log.warning("Could not queue annual report run %s", run.pk, exc_info=True)
            AnnualReportRun.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.FAILED,
                error=str(_("The job could not be started. Try again in a few minutes.")),
                finished_at=timezone.now(),
            )

    transaction.on_commit(queue)
    return run


def annual_report_run(*, run_id: int, language: str = "nl") -> AnnualReportRun:
    """Build the file of a queued run. A run that is not queued (done, failed, or taken by
    another worker) is left alone, so a task delivered twice builds once."""
    taken = AnnualReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, progress=0
    )
    run = AnnualReportRun.objects.get(pk=run_id)
    if not taken:
        return run

    last = [0]

    def progress(percent: int) -> None:
        # One small UPDATE per step; 100 is written with the file below.
        if percent > last[0] and percent < 100:
            last[0] = percent
            AnnualReportRun.objects.filter(pk=run_id).update(progress=percent)

    try:
        with tempfile.TemporaryFile() as out, translation.override(language):
            annual_report_write(year=run.year, file_format=run.format, out=out, progress=progress)
            out.seek(0)
            run.file.save(file_name(run.year, run.format), File(out), save=False)
    except Exception as error:
        log.exception("Annual report run %s failed", run_id)
        AnnualReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            error=str(
                _(
                    "The report could not be made (%(error)s). Try again, or ask the "
                    "functional administrator to look at the log."
                )
                % {"error": type(error).__name__}
            ),
            finished_at=timezone.now(),
        )
    else:
        run.status = RunStatus.DONE
        run.progress = 100
        run.finished_at = timezone.now()
        run.save(update_fields=["file", "status", "progress", "finished_at"])
    run.refresh_from_db()
    return run
