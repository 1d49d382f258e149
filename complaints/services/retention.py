"""Retention: the personal data of closed cases is removed after a period per closure reason
(DOMAIN.md section 7, issue 9), keeping the statistics.

``retention_sweep`` runs daily (``CELERY_BEAT_SCHEDULE`` "retention-sweep", or
``manage.py run_sweeps``). A case is due when it is closed, its personal data is still held
(``anonymised_at`` is empty) and its closing day plus the period of its closure reason
(``RETENTION_YEARS_BY_REASON``, else ``RETENTION_YEARS``, default five years) is today or
earlier. The selection is that condition, not "closed exactly N years ago", so the first run
after downtime does everything that came due meanwhile, and a second run finds nothing.

It works in batches of cases, each in one transaction that locks its case rows with
``skip_locked``: two sweeps at once take different cases. Each batch is a fixed number of
set-based queries (one update per table over the batch's ids); only the timeline events are
rewritten row by row in Python (their ``data`` is filtered key by key), in one bulk update.
A sweep stopped halfway leaves whole batches done; the next run does the rest. The partial
index ``complaint_retention_due`` holds only the closed cases not yet anonymised, so finding
them does not grow with the history that is already anonymised.

What goes, and what stays:

- the case: the complainant's name, contact details and needs, and every free text that the
  complainant or a handler wrote about them (what happened and where, the desired outcome, the
  problem behind it, the hearing, the solution, the notes on satisfaction, postponement,
  consent and closure). Kept: reference, dates, stage, rung, channel, language, closure
  reason, department, handler, themes, the 9:4 checklist (yes/no), the 9:8 ground, the
  competent body a case was forwarded to (an organisation, not a person);
- parties: name, contact details and the link to an employee complained about; the role stays;
- complaint parts: the description and reasoning; the number, judgment and norms stay;
- contact moments (with whom, summary), notes, requests to reopen (the reason);
- attachments: the files are deleted from storage and the citizen's file name blanked; type,
  size and dates stay;
- letters: the recipient, subject, sections and text, and the PDF file; kind, status, dates
  and the content hash stay (a sent letter is otherwise never changed: this is the exception);
- outgoing messages of the case: address, subject, body and last error; one still waiting is
  marked failed, as it can no longer be sent;
- the timeline: every event's note, the names in the name of party and attachment events, and
  every value in ``data`` but numbers, yes/no and a short list of codes and dates
  (``KEPT_DATA``);
- status links are deleted (the status page then answers like for any unknown link);
- the survey comment (the rating stays); the ombudsman phase's free text (summary, response,
  findings' notes, information requests); the ombudsman's reference and outcome stay.

Kept on purpose: lessons (``reporting.Lesson``) and ombudsman recommendations are the
organisation's learning, written by staff about the organisation; they carry no contact
details. The month rollups (``reporting.MonthFigures``) count only what is kept, and the case
is updated without ``save()`` so no month is even marked dirty.

Logged per run: how many cases and their references (never names). Each case gets one
``anonymised`` event on its timeline.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from time import monotonic

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from complaints.models import (
    Attachment,
    CaseEvent,
    ClosureReason,
    Complaint,
    ComplaintPart,
    ContactMoment,
    EventKind,
    InformationRequest,
    Letter,
    Note,
    OmbudsmanCase,
    OmbudsmanFinding,
    OutboxMessage,
    OutboxStatus,
    Party,
    ReopenRequest,
    Stage,
    StatusLink,
    SurveyResponse,
)
from complaints.models.records import private_storage

log = logging.getLogger(__name__)

BATCH = 200
# What a required text field holds once its personal content is gone.
REMOVED = "[…]"
ANONYMISED = "anonymised"

# Timeline event data: numbers, yes/no and empty values always stay; a string, list or object
# only under one of these keys (codes, dates, ids, field names: never what someone wrote).
# Anything else (a party's name, file names, a staff member's name) goes.
KEPT_DATA = frozenset(
    {
        "answered_on",
        "attachments",
        "changes",
        "closure_reason",
        "content_hash",
        "demo",
        "due_on",
        "fields",
        "from_status",
        "judgment",
        "letter_kind",
        "on",
        "outcome",
        "outcome_on",
        "response_on",
        "role",
        "rung1",
        "status",
    }
)
# Events whose ``name`` is not an action but a person's or a file's name.
NAMED_EVENTS = (EventKind.PARTY, EventKind.ATTACHMENT)

COMPLAINT_BLANKED = {
    "complainant_name": REMOVED,
    "complainant_email": "",
    "complainant_phone": "",
    "complainant_address": "",
    "complainant_needs": "",
    "conduct_description": REMOVED,
    "conduct_place": "",
    "desired_outcome": "",
    "underlying_problem": "",
    "hearing_parties": "",
    "hearing_report": "",
    "solution": "",
    "satisfaction_note": "",
    "postponement_reason": "",
    "extension_consent_note": "",
    "closure_note": "",
}


# ---------------------------------------------------------------------------
# The periods
# ---------------------------------------------------------------------------
def retention_years() -> dict[str, int]:
    """Years of retention per closure reason, from the settings; refuses unknown reasons so a
    typing error never silently keeps (or removes) data."""
    default = int(settings.RETENTION_YEARS)
    by_reason = {str(k): int(v) for k, v in settings.RETENTION_YEARS_BY_REASON.items()}
    unknown = set(by_reason) - set(ClosureReason.values)
    if unknown:
        raise ImproperlyConfigured(
            "RETENTION_YEARS_BY_REASON names unknown closure reasons: "
            + ", ".join(sorted(unknown))
            + " (known: "
            + ", ".join(ClosureReason.values)
            + ")"
        )
    if default < 0 or any(years < 0 for years in by_reason.values()):
        raise ImproperlyConfigured("Retention periods cannot be negative.")
    return {reason: by_reason.get(reason, default) for reason in ClosureReason.values}


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _closed_before(day: date) -> datetime:
    """The start of the (local) day after ``day``: closed on ``day`` or earlier is before it."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def retention_due(*, today: date):
    """The closed cases whose personal data is still held and whose period has passed:
    closed on or before ``today`` minus the period of their closure reason."""
    bounds = {
        reason: _closed_before(years_before(today, years))
        for reason, years in retention_years().items()
    }
    per_reason = Q()
    for reason, bound in bounds.items():
        per_reason |= Q(closure_reason=reason, closed_at__lt=bound)
    # The latest bound as well: one range scan of the partial index, then the reasons.
    return Complaint.objects.filter(
        per_reason,
        stage=Stage.CLOSED,
        closed_at__lt=max(bounds.values()),
        anonymised_at__isnull=True,
    )


# ---------------------------------------------------------------------------
# The sweep
# ---------------------------------------------------------------------------
def retention_sweep(
    *, today: date, batch_size: int = BATCH, max_seconds: float | None = None
) -> int:
    """Anonymise every closed case whose retention period has passed by ``today``; returns
    how many. Safe to run twice or at once (see the module docstring). With ``max_seconds``
    no new batch starts after that time (a first run over years of history stops cleanly
    within the task's time limit; the next run goes on where it stopped)."""
    due = retention_due(today=today)
    total = 0
    started = monotonic()
    while True:
        with transaction.atomic():
            rows = list(
                due.select_for_update(skip_locked=True)
                .order_by("closed_at", "pk")
                .values_list("pk", "reference")[:batch_size]
            )
            if not rows:
                break
            ids = [pk for pk, _ in rows]
            _anonymise(ids)
        references = [reference for _, reference in rows]
        log.info(
            "retention: personal data removed from %s cases: %s",
            len(references),
            ", ".join(references),
        )
        total += len(rows)
        if max_seconds is not None and monotonic() - started >= max_seconds:
            log.warning(
                "retention: stopped after %s s; cases still due go in the next run", max_seconds
            )
            break
    log.info("retention: sweep for %s done, %s cases anonymised", today.isoformat(), total)
    return total


def _anonymise(ids: list[int]) -> None:
    """Remove the personal data of the locked cases ``ids`` (the caller's transaction)."""
    now = timezone.now()
    _delete_files(ids)

    Complaint.objects.filter(pk__in=ids).update(
        **COMPLAINT_BLANKED, anonymised_at=now, version=F("version") + 1, updated_at=now
    )
    Party.objects.filter(complaint_id__in=ids).update(
        name=REMOVED, email="", phone="", address="", employee=None
    )
    ComplaintPart.objects.filter(complaint_id__in=ids).update(description=REMOVED, reasoning="")
    ContactMoment.objects.filter(complaint_id__in=ids).update(with_whom=REMOVED, summary=REMOVED)
    Note.objects.filter(complaint_id__in=ids).update(text=REMOVED)
    ReopenRequest.objects.filter(complaint_id__in=ids).update(reason=REMOVED)
    SurveyResponse.objects.filter(complaint_id__in=ids).update(comment="")
    StatusLink.objects.filter(complaint_id__in=ids).delete()
    Attachment.objects.filter(complaint_id__in=ids).update(file="", original_name="")
    # A sent letter refuses every change through save(); this update is the one exception.
    Letter.objects.filter(complaint_id__in=ids).update(
        recipient_name=REMOVED,
        recipient_email="",
        recipient_address="",
        subject=REMOVED,
        sections=[],
        body_text="",
        pdf="",
    )
    messages = OutboxMessage.objects.filter(complaint_id__in=ids)
    messages.filter(status=OutboxStatus.PENDING).update(status=OutboxStatus.FAILED)
    messages.update(to="", subject=REMOVED, body="", last_error="")
    OmbudsmanCase.objects.filter(complaint_id__in=ids).update(outcome_summary="", response="")
    OmbudsmanFinding.objects.filter(ombudsman_case__complaint_id__in=ids).update(note="")
    InformationRequest.objects.filter(ombudsman_case__complaint_id__in=ids).update(
        question=REMOVED, documents_sent=""
    )
    _anonymise_events(ids)
    CaseEvent.objects.bulk_create(
        CaseEvent(complaint_id=pk, actor=None, kind=EventKind.ANONYMISED, name=ANONYMISED)
        for pk in ids
    )


def _delete_files(ids: list[int]) -> None:
    """Delete the attachments' and letters' files. Inside the transaction, before the rows
    forget them: if the batch rolls back, the next run blanks rows whose files are gone
    already (deleting a missing file is fine); the other order could leave files nobody
    points at."""
    storage = private_storage()
    names = list(
        Attachment.objects.filter(complaint_id__in=ids)
        .exclude(file="")
        .values_list("file", flat=True)
    )
    names += (
        Letter.objects.filter(complaint_id__in=ids).exclude(pdf="").values_list("pdf", flat=True)
    )
    for name in names:
        storage.delete(name)


def _kept(data: dict) -> dict:
    return {
        key: value
        for key, value in data.items()
        if value is None or isinstance(value, bool | int | float) or key in KEPT_DATA
    }


def _anonymise_events(ids: list[int]) -> None:
    """Blank every event's note, the names of party and attachment events, and the personal
    values in ``data``. Case events are append-only for the application (``CaseEvent.save``
    refuses); this query-level update is the one exception the retention rule needs."""
    events = CaseEvent.objects.filter(complaint_id__in=ids)
    events.exclude(note="").update(note="")
    events.filter(kind__in=NAMED_EVENTS).exclude(name="").update(name="")
    changed = []
    for pk, data in events.values_list("pk", "data").iterator(chunk_size=2000):
        kept = _kept(data or {})
        if kept != data:
            changed.append(CaseEvent(pk=pk, data=kept))
    CaseEvent.objects.bulk_update(changed, ["data"], batch_size=500)
