"""Validators of the case's fields that a form shows as a message on the field."""

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def from_1900(moment: datetime) -> None:
    """A moment typed by a user (a contact, a hearing) in 1900 or later. The browser's date
    field takes year 1; in the Dutch time zone that is a moment before year 1 in UTC, which
    PostgreSQL stores but psycopg cannot read back: the case could no longer be opened."""
    if moment < EARLIEST:
        raise ValidationError(_("Give a date in 1900 or later."), code="min_value")
