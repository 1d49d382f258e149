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


def copy_insert(
    model: type[models.Model],
    rows: Sequence[dict] | Sequence[tuple],
    *,
    ids: bool = True,
    columns: Sequence[str] = (),
) -> list[int]:
    """Insert ``rows`` (dicts of field attnames to values) into ``model``'s table; return
    their new ids, in order (``ids=False``: none, and one query less). ``columns``: the rows
    are tuples of the values of these attnames, in this order (the other fields get their
    defaults): no dict per row, for the tens of thousands of a first sweep of the day."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        if columns:
            rows = [dict(zip(columns, row, strict=True)) for row in rows]
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
    unknown = set(columns or {name for row in rows for name in row}) - set(defaults)
    if unknown:
        raise ValueError(f"not a field of {meta.label}: {sorted(unknown)}")
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk.column
    names = [field.attname for field in fields]
    if columns:  # the given ones first, in their order; the others' defaults after them
        names = [*columns, *(name for name in names if name not in columns)]
        tail = tuple(defaults[name] for name in names[len(columns) :])
    by_name = {field.attname: field.column for field in fields}
    columns_sql = [by_name[name] for name in names]
    with connection.cursor() as cursor:
        new_ids: list[int] = []
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk, len(rows)],
            )
            new_ids = [row[0] for row in cursor.fetchall()]
            columns_sql.insert(0, pk)
        sql = f"COPY {table} ({', '.join(quote(name) for name in columns_sql)}) FROM STDIN"
        # Errors as Django's (IntegrityError for a key that is there), as from any query.
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            if columns:
                write = copy.write_row
                if ids:
                    for id_, row in zip(new_ids, rows, strict=True):
                        write((id_, *row, *tail))
                else:
                    for row in rows:
                        write(row + tail)
            elif ids:
                for id_, row in zip(new_ids, rows, strict=True):
                    copy.write_row((id_, *(row.get(name, defaults[name]) for name in names)))
            else:
                for row in rows:
                    copy.write_row(tuple(row.get(name, defaults[name]) for name in names))
    return new_ids
