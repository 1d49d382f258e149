"""Many people acting on one case at the same moment (QUALITY.md, "concurrency").

Real threads, each with its own PostgreSQL connection, released together by a barrier.
The services lock the case row, so exactly one wins and every other gets a clean
StaleAction ("someone else changed this case"), never an error or a second event.
"""

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from django.db import close_old_connections, connection, connections
from django.utils import timezone

from accounts.models import User
from complaints import services
from complaints.models import CaseEvent, Complaint, EventKind, Stage
from complaints.services import StaleAction
from tests.complaints.cases import ALLOWED, NOTE, case_in
from tests.conftest import missing
from tests.factories import DepartmentFactory, UserFactory

# These tests commit for real; tests/conftest.py puts the seeded reference data back.
pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 16
TRIALS = 20


@pytest.fixture(autouse=True)
def postgresql():
    if connection.vendor != "postgresql":
        missing("the concurrency tests need PostgreSQL (DATABASE_URL=postgres://...)")


def race(actions: list[Callable[[], object]]) -> Counter:
    """Run the actions at once, one thread each; count what each one ended in."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(action):
        close_old_connections()
        try:
            barrier.wait(timeout=30)
            action()
            outcome = "ok"
        except StaleAction:
            outcome = "stale"
        except Exception as error:  # noqa: BLE001 - any other outcome fails the test
            outcome = f"{type(error).__name__}: {error}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return Counter(outcomes)


@pytest.fixture
def department():
    return DepartmentFactory(code="bz")


@pytest.fixture
def actors(department) -> list[int]:
    """Two handlers and a coordinator of the department (ids: each thread loads its own)."""
    return [
        UserFactory(handler=True, department=department).pk,
        UserFactory(handler=True, department=department).pk,
        UserFactory(coordinator=True, department=department).pk,
    ]


def move(complaint_id: int, name: str, actor_id: int) -> None:
    services.complaint_transition(
        complaint_id=complaint_id,
        name=name,
        actor=User.objects.get(pk=actor_id),
        expected_stage=Stage.EXPLORE,
        note=NOTE,
    )


def edit(complaint_id: int, version: int, actor_id: int, index: int) -> None:
    services.complaint_update(
        complaint_id=complaint_id,
        actor=User.objects.get(pk=actor_id),
        expected_version=version,
        fields={"underlying_problem": f"Versie {index}"},
    )


def test_one_of_sixteen_simultaneous_moves_wins_every_time(department, actors):
    moves = [name for (stage, name) in ALLOWED if stage == Stage.EXPLORE]
    for trial in range(TRIALS):
        case = case_in(Stage.EXPLORE, department)
        version = case.version

        outcomes = race(
            [
                partial(move, case.pk, moves[i % len(moves)], actors[i % len(actors)])
                for i in range(THREADS)
            ]
        )

        assert outcomes == Counter(ok=1, stale=THREADS - 1), f"trial {trial}: {outcomes}"
        case.refresh_from_db()
        events = CaseEvent.objects.filter(complaint=case, kind=EventKind.TRANSITION)
        assert events.count() == 1
        (event,) = events
        assert (event.from_stage, event.to_stage) == (Stage.EXPLORE, case.stage)
        assert ALLOWED[(Stage.EXPLORE, event.name)] == case.stage
        assert case.version == version + 1


def test_one_of_sixteen_edits_of_the_same_page_wins(department, actors):
    for trial in range(TRIALS):
        case = case_in(Stage.EXPLORE, department)
        version = case.version

        outcomes = race(
            [partial(edit, case.pk, version, actors[i % len(actors)], i) for i in range(THREADS)]
        )

        assert outcomes == Counter(ok=1, stale=THREADS - 1), f"trial {trial}: {outcomes}"
        case.refresh_from_db()
        assert case.version == version + 1
        assert CaseEvent.objects.filter(complaint=case, kind=EventKind.EDITED).count() == 1


def test_simultaneous_registrations_get_consecutive_unique_references(department, actors):
    received_on = timezone.localdate() - timedelta(days=1)

    def register(index: int):
        def act():
            services.complaint_register(
                actor=User.objects.get(pk=actors[index % len(actors)]),
                fields={
                    "channel": "email",
                    "received_on": received_on,
                    "is_written": True,
                    "language": "nl",
                    "department": department,
                    "complainant_name": f"Klager {index}",
                    "conduct_description": "Niemand belde terug.",
                },
            )

        return act

    for _trial in range(3):
        outcomes = race([register(index) for index in range(THREADS)])
        assert outcomes == Counter(ok=THREADS)

    references = sorted(Complaint.objects.values_list("reference", flat=True))
    year = received_on.year
    assert references == [f"KL-{year}-{n:05d}" for n in range(1, 3 * THREADS + 1)]
