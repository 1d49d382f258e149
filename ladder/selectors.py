"""Reads of the deadline configuration, in the shape ``ladder.deadlines`` takes."""

from datetime import date

from .models import EqualDay, ServiceNorms


def equal_days() -> frozenset[date]:
    """The decree days the admin maintains (they replace ``KNOWN_EQUAL_DAYS``)."""
    return frozenset(EqualDay.objects.values_list("day", flat=True))


def service_norms() -> ServiceNorms:
    return ServiceNorms.current()


def years_without_equal_days(today: date) -> list[int]:
    """Next year, when no decree day is on record for it yet (decrees come every three
    years and name at least one day per year): the admin warns about it."""
    next_year = today.year + 1
    if EqualDay.objects.filter(day__year=next_year).exists():
        return []
    return [next_year]
