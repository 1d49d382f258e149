"""What the dashboard keeps in the cache: ``kept(key, compute, seconds)``.

Every key is the caller's plus a token of this process, so each process keeps its own copies:
a new release (new templates, new code) never serves what the old one drew or counted, nor
does a test run see an earlier run's in a shared Redis. A cache that is down costs the
computing, never an error page.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from config.cache import kept as cache_kept

PROCESS_TOKEN = uuid.uuid4().hex[:12]
T = TypeVar("T")


def kept(key: str, compute: Callable[[], T], seconds: int) -> T:
    """The value kept under ``key``, or ``compute()`` kept for ``seconds``."""
    return cache_kept(
        f"{PROCESS_TOKEN}:{key}", compute, seconds, without="the dashboard is computed"
    )
