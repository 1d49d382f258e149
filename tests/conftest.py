"""Shared fixtures. Real PostgreSQL, Redis, SMTP and Chromium; no mocks of our own code.

With CI=true a missing service fails the test instead of skipping it (QUALITY.md).
"""

import os
import re
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

from tests.factories import DepartmentFactory, UserFactory

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """A service the test needs is not there: fail in CI, skip on a laptop."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: a missing service is a failure)")
    pytest.skip(reason)


# The variables config/settings/base.py reads. config/settings/test.py sets some of them
# in os.environ, and a developer's shell may set others: a subprocess that loads other
# settings must start without them.
SETTINGS_VARIABLES = frozenset(
    re.findall(
        r"""env(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""",
        (ROOT / "config" / "settings" / "base.py").read_text(encoding="utf-8"),
    )
)


def environment_without_settings(**overrides: str) -> dict[str, str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE is set for the browser tests only (tests/e2e/conftest.py).
    dropped = SETTINGS_VARIABLES | {"DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(overrides)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis (REDIS_URL), checked to answer."""
    from django.conf import settings

    url = settings.REDIS_URL
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.close()
    except redis.RedisError as error:
        missing(f"Redis at {url} does not answer: {error}")
    return url


# ---------------------------------------------------------------------------
# A real SMTP server that records every message
# ---------------------------------------------------------------------------
@dataclass
class SmtpRecorder:
    host: str
    port: int
    messages: list[Message] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            message = message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def bodies(self) -> list[str]:
        return [
            part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            for message in self.messages
            for part in message.walk()
            if part.get_content_type() == "text/plain"
        ]


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpRecorder]:
    """Start a local SMTP server and point Django's SMTP backend at it."""
    recorder = SmtpRecorder(host="127.0.0.1", port=free_port())
    controller = Controller(recorder, hostname=recorder.host, port=recorder.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = recorder.host
    settings.EMAIL_PORT = recorder.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield recorder
    finally:
        controller.stop()


# ---------------------------------------------------------------------------
# Reference data after a transactional test
# ---------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def reference_data(request) -> None:
    """A transactional test (``django_db(transaction=True)``) ends with a flush of every
    table. The flush re-runs post_migrate, which restores the roles, but not the rows a
    data migration seeded (the 22 norms, the themes, the decree days, the letter texts, the
    causes): put those back."""
    marker = request.node.get_closest_marker("django_db")
    if not marker or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    import_module("complaints.migrations.0002_norms_and_themes").seed(apps, None)
    import_module("complaints.migrations.0009_seed_ombudsmen").seed(apps, None)
    import_module("complaints.migrations.0010_letters").seed(apps, None)
    import_module("ladder.migrations.0002_seed_equal_days_and_norms").seed(apps, None)
    import_module("reporting.migrations.0002_seed_causes").seed(apps, None)


@pytest.fixture(autouse=True)
def kept_figures_forgotten() -> Iterator[None]:
    """The dashboard and the worklist keep figures, rows and the list of themes in the cache
    under a version that a save renews (``reporting.figures.now_version``), the case page
    itself under tokens (``complaints.page_cache``), the public form its desk, decree days and
    norms (``intake_setup``). A test's saves are rolled back, the version it left is not, and
    the tests of a process share one cache: renewed after each test, so no later test is shown
    what this one kept."""
    yield
    from complaints.page_cache import case_pages_changed
    from complaints.services.public import intake_setup_changed
    from reporting.figures import open_now_changed

    open_now_changed()
    case_pages_changed()  # the kept case pages (complaints.page_cache), likewise
    intake_setup_changed()  # the public form's desk, decree days and norms, likewise


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------
@pytest.fixture
def user_factory():
    return UserFactory


# The department and its handler most tests work with; a module that needs other ones defines
# its own fixtures of these names.
@pytest.fixture
def department():
    return DepartmentFactory(code="bz", name="Burgerzaken")


@pytest.fixture
def handler(department):
    return UserFactory(handler=True, department=department, full_name="Hamza El Amrani")
