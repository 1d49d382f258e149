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
        ("/staff/complaints/quick-log/", "/staff/complaints/quick-log/"),
    ],
)
def test_the_most_specific_item_is_current(path, current):
    coordinator = UserFactory(coordinator=True)
    items = items_for(coordinator, current_path=path)
    assert [item.url for item in items if item.current] == [current]


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("employee", True),
        ("handler", True),
        ("coordinator", True),
        ("manager", True),
        ("board", False),
        ("functional_admin", False),
    ],
)
def test_the_quick_log_is_in_the_navigation_of_whoever_may_log_rung_1(role, shown):
    user = UserFactory(**{role: True})
    urls = [item.url for item in items_for(user, current_path="/staff/")]
    assert ("/staff/complaints/quick-log/" in urls) is shown
