"""What the dashboard keeps in the cache: ``kept(key, compute, seconds)``.

Every key is the caller's plus a token of this process, so each process keeps its own copies:
a new release (new templates, new code) never serves what the old one drew or counted, nor
does a test run see an earlier run's in a shared Redis. A cache that is down costs the
computing, never an error page.
"""

import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

log = logging.getLogger(__name__)

PROCESS_TOKEN = uuid.uuid4().hex[:12]
T = TypeVar("T")


def kept(key: str, compute: Callable[[], T], seconds: int) -> T:
    """The value kept under ``key``, or ``compute()`` kept for ``seconds``."""
    key = f"{PROCESS_TOKEN}:{key}"
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 -- the cache is down: compute
        log.warning("cache unreachable; the dashboard is computed without it")
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:  # noqa: BLE001 -- computed again next time
            log.warning("cache unreachable; the dashboard is computed without it")
    return value
