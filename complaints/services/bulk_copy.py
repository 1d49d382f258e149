"""Many new rows of a model written with PostgreSQL's ``COPY`` (psycopg's ``Cursor.copy``);
``bulk_create`` on other databases (SQLite, ``make run``).

For the reminder sweeps, which write tens of thousands of outbox and reminder rows at the
first run of a day: ``bulk_create`` prepares every value of every object through its field
(about 20 µs a row here) and psycopg then quotes them as arrays in Python; ``COPY`` takes plain
tuples. The ids are taken from the table's sequence first, so the caller can point other rows
at them (or, when the caller needs none, by the column's default). The rows must be new: a
unique key already there fails the whole transaction (no ``ON CONFLICT`` in ``COPY``), which is
what the sweeps want, as they lock and check first.

Values are what Django would write: the given ones, else the field's default; ``auto_now`` and
``auto_now_add`` fields get the time of the call. Only plain fields (text, numbers, dates,
booleans, foreign keys by ``<name>_id``): enough for the outbox and the reminders.
"""

from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone


def copy_insert(model: type[models.Model], rows: Sequence[dict], *, ids: bool = True) -> list[int]:
    """Insert ``rows`` (dicts of field attnames to values) into ``model``'s table; return
    their new ids, in order (``ids=False``: none, and one query less)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        created = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in created] if ids else []
    meta = model._meta
    now = timezone.now()
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    defaults = {}
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            defaults[field.attname] = now
        else:
            defaults[field.attname] = field.get_default()
    unknown = {name for row in rows for name in row} - set(defaults)
    if unknown:
        raise ValueError(f"not a field of {meta.label}: {sorted(unknown)}")
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk.column
    columns = [field.column for field in fields]
    names = [field.attname for field in fields]
    with connection.cursor() as cursor:
        new_ids: list[int] = []
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk, len(rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            columns.insert(0, pk)
        sql = f"COPY {table} ({', '.join(quote(name) for name in columns)}) FROM STDIN"
        # Errors as Django's (IntegrityError for a key that is there), as from any query.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            if ids:
                for id_, row in zip(new_ids, rows, strict=True):
                    copy.write_row((id_, *(row.get(name, defaults[name]) for name in names)))
            else:
                for row in rows:
                    copy.write_row(tuple(row.get(name, defaults[name]) for name in names))
    return new_ids
