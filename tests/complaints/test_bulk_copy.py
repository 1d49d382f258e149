"""complaints.services.bulk_copy: rows written with COPY are the rows Django would write."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from complaints.models import OutboxKind, OutboxMessage, Reminder, ReminderKind
from complaints.services.bulk_copy import copy_insert
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")


def message(complaint, key: str) -> dict:
    return {
        "key": key,
        "kind": OutboxKind.REMINDER.value,
        "to": "h@example.nl",
        "subject": "Herinnering",
        "body": "Tekst\n",
        "complaint_id": complaint.pk,
        "language": "nl",
    }


def test_copied_rows_equal_the_rows_django_writes_and_get_their_ids_in_order():
    complaint = ComplaintFactory()
    by_django = OutboxMessage.objects.create(**message(complaint, "reminder:django"))
    ids = copy_insert(OutboxMessage, [message(complaint, f"reminder:copy-{n}") for n in range(3)])
    copied = list(OutboxMessage.objects.filter(pk__in=ids).order_by("pk"))
    assert [row.key for row in copied] == [f"reminder:copy-{n}" for n in range(3)]
    assert [row.pk for row in copied] == ids
    ignore = {"id", "key", "next_attempt_at", "created_at"}
    expected = {k: v for k, v in model_to_dict(by_django).items() if k not in ignore}
    for row in copied:
        assert {k: v for k, v in model_to_dict(row).items() if k not in ignore} == expected
        assert row.created_at is not None and row.next_attempt_at is not None
    # A reminder pointing at a copied message: the foreign keys hold.
    recipient = UserFactory(handler=True)
    copy_insert(
        Reminder,
        [{"key": "k", "complaint_id": complaint.pk, "due_field": "decision_due",
          "due_on": complaint.decision_due, "kind": ReminderKind.OVERDUE.value,
          "recipient_id": recipient.pk, "message_id": ids[0]}],
    )  # fmt: skip
    assert Reminder.objects.get(key="k").message == copied[0]
    # Without asking for the ids: the table's own sequence numbers them.
    assert copy_insert(OutboxMessage, [message(complaint, "reminder:no-id")], ids=False) == []
    assert OutboxMessage.objects.get(key="reminder:no-id").pk > max(ids)


def test_a_key_that_is_there_already_fails_the_whole_transaction():
    complaint = ComplaintFactory()
    OutboxMessage.objects.create(**message(complaint, "reminder:taken"))
    with pytest.raises(IntegrityError, match="duplicate key"), transaction.atomic():
        copy_insert(OutboxMessage, [message(complaint, "reminder:new"),
                                    message(complaint, "reminder:taken")])  # fmt: skip
    assert not OutboxMessage.objects.filter(key="reminder:new").exists()


def test_an_unknown_field_is_refused():
    with pytest.raises(ValueError, match="not a field"):
        copy_insert(OutboxMessage, [{"nonsense": 1}])


def test_rows_given_as_tuples_of_columns_equal_the_rows_given_as_dicts():
    """``columns``: the values in that order, no dict per row (the reminder sweep's rows); the
    fields not named get their defaults, as with dicts."""
    complaint = ComplaintFactory()
    as_dicts = [message(complaint, f"reminder:dict-{n}") for n in range(2)]
    columns = tuple(as_dicts[0])
    as_tuples = [tuple(message(complaint, f"reminder:tuple-{n}").values()) for n in range(2)]
    by_dict = copy_insert(OutboxMessage, as_dicts)
    by_tuple = copy_insert(OutboxMessage, as_tuples, columns=columns)
    assert copy_insert(OutboxMessage, as_tuples[:0], columns=columns) == []
    assert len(by_tuple) == 2 and min(by_tuple) > max(by_dict)
    ignore = {"id", "key", "next_attempt_at", "created_at"}
    rows = [
        {k: v for k, v in model_to_dict(row).items() if k not in ignore}
        for row in OutboxMessage.objects.filter(pk__in=by_dict + by_tuple).order_by("pk")
    ]
    assert rows[0] == rows[1] == rows[2] == rows[3]
    assert rows[0]["status"] == "pending" and rows[0]["attempts"] == 0  # the defaults
    assert list(
        OutboxMessage.objects.filter(pk__in=by_tuple).order_by("pk").values_list("key", flat=True)
    ) == ["reminder:tuple-0", "reminder:tuple-1"]
    # Without ids, as the reminders are written.
    copy_insert(OutboxMessage, [tuple(message(complaint, "reminder:t").values())],
                ids=False, columns=columns)  # fmt: skip
    assert OutboxMessage.objects.get(key="reminder:t").body == "Tekst\n"
    with pytest.raises(ValueError, match="not a field"):
        copy_insert(OutboxMessage, [(1,)], columns=("nonsense",))
