"""Database functions for the read side: day counts, medians and periods, on PostgreSQL (the
suite and production) and SQLite (the laptop demo).

Reports compute their figures in the database (STYLE.md: no dashboard loads cases into
Python); these are the pieces Django does not ship.
"""

from datetime import date, datetime, time, timedelta

from django.db import connections
from django.db.models import Aggregate, FloatField, Func, IntegerField
from django.utils import timezone


class DaysBetween(Func):
    """Calendar days from ``start`` to ``end`` (two dates), as an integer."""

    output_field = IntegerField()
    arity = 2
    # PostgreSQL (and the SQL standard's date arithmetic): date - date is a number of days.
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def __init__(self, start, end, **extra):
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler,
            connection,
            template="CAST(julianday(%(expressions)s) AS INTEGER)",
            arg_joiner=") - julianday(",
            **extra_context,
        )


class Median(Aggregate):
    """PostgreSQL's continuous median (an ordered-set aggregate; FILTER works with it).
    Use only where ``has_median`` says so."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()
    arity = 1


def has_median(using: str) -> bool:
    """Whether the database behind the alias ``using`` has ``percentile_cont``."""
    return connections[using].vendor == "postgresql"


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The days ``start`` to ``end`` (both included) as an aware [from, until) range in local
    time (settings.TIME_ZONE): a range on an indexed datetime column needs no function on the
    column, and a moment just after local midnight counts on its local day."""
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(start, time.min), zone),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min), zone),
    )
