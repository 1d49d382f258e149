"""The staff navigation marks exactly one item as the current page."""

import pytest

from accounts.navigation import items_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/staff/", "/staff/"),
        ("/staff/complaints/", "/staff/complaints/"),
        ("/staff/complaints/KL-2026-00001/", "/staff/complaints/"),
        ("/staff/complaints/new/", "/staff/complaints/new/"),
        ("/staff/complaints/outbox/", "/staff/complaints/outbox/"),
        ("/staff/complaints/due/", "/staff/complaints/due/"),
    ],
)
def test_the_most_specific_item_is_current(path, current):
    coordinator = UserFactory(coordinator=True)
    items = items_for(coordinator, current_path=path)
    assert [item.url for item in items if item.current] == [current]
