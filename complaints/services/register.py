"""Registering a complaint (step 1, intake)."""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from accounts.models import User
from complaints.models import CaseEvent, Complaint, EventKind, Party, ReferenceCounter, Theme

from .acknowledgement import acknowledgement_enqueue
from .deadlines import due_dates_compute

REFERENCE_PREFIX = "KL"


def reference_next(year: int) -> str:
    """KL-2026-00042: per year, gapless within committed registrations.

    One statement (an upsert that returns the new number; PostgreSQL and SQLite 3.35+): it
    locks the year's row until the registration commits, so concurrent registrations queue
    here and a rolled-back one gives its number back. Call it as late in the transaction as
    possible: the rest of the transaction holds up every other registration."""
    table = connection.ops.quote_name(ReferenceCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} ("year", "last") VALUES (%s, 1) '  # noqa: S608
            f'ON CONFLICT ("year") DO UPDATE SET "last" = {table}."last" + 1 RETURNING "last"',
            [year],
        )
        (last,) = cursor.fetchone()
    return f"{REFERENCE_PREFIX}-{year}-{last:05d}"


@transaction.atomic
def complaint_register(
    *,
    actor: User,
    fields: dict,
    themes: list[Theme] | tuple = (),
    parties: list[dict] | tuple = (),
) -> Complaint:
    """Register a complaint received by any channel. ``fields`` are Complaint fields
    (validated by the intake form); ``parties`` are dicts of Party fields."""
    if not actor.has_perm("accounts.register_complaint"):
        raise PermissionDenied
    complaint = Complaint(**fields, registered_by=actor)
    due_dates_compute(complaint)
    complaint.reference = reference_next(complaint.received_on.year)  # last: it locks
    complaint.save()
    if themes:
        complaint.themes.set(themes)
    Party.objects.bulk_create([Party(complaint=complaint, **party) for party in parties])
    CaseEvent.record(complaint, actor=actor, kind=EventKind.REGISTERED, to_stage=complaint.stage)
    acknowledgement_enqueue(complaint, registered=True)  # Awb 9:6, by e-mail when we can
    return complaint
