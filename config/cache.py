"""Django's Redis cache, with one ``redis.Redis`` client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call; each
one copies about a thousand response callbacks (redis-py 5+), about 0.2 ms. A signed-in page
makes a few cache calls (the session, rate limits), the public form's last step six: the
client is made once per pool and process here instead. A ``redis.Redis`` holds no connection
of its own (its pool does, and the pool reconnects after a fork), so sharing it is what
redis-py intends.
"""

import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import transaction

log = logging.getLogger(__name__)
T = TypeVar("T")

# Django's ``incr`` asks EXISTS and then INCRBY: two round trips for every rate-limited request
# (django-ratelimit: ``add``, then ``incr`` once the key is there). The same, in one: a missing
# key is not made (Django's contract: ValueError), an existing one keeps its expiry.
INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end
return false
"""


class ReusedClients(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}
        self._incr_scripts: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def incr(self, key, delta):
        client = self.get_client(key, write=True)
        script = self._incr_scripts.get(id(client))
        if script is None:  # EVALSHA, loaded again by redis-py if the server forgot it
            script = self._incr_scripts[id(client)] = client.register_script(INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def write_many(self, sets: list[tuple], adds: list[tuple]) -> list[bool]:
        """Django's ``set`` of each of ``sets`` and ``add`` of each of ``adds`` (key, value,
        timeout: made and converted by the cache), in one round trip (a pipeline); what each
        add did."""
        pipe = self.get_client(write=True).pipeline(transaction=False)
        for key, value, timeout in sets:
            if timeout == 0:
                pipe.delete(key)
            else:
                pipe.set(key, self._serializer.dumps(value), ex=timeout)
        for key, value, timeout in adds:
            pipe.set(key, self._serializer.dumps(value), ex=timeout, nx=True)
        return [bool(added) for added in pipe.execute()[len(sets) :]]


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClients

    def write_many(self, sets: dict, adds: dict) -> dict[str, bool]:
        """``set`` each of ``sets`` and ``add`` each of ``adds`` (key: (value, timeout)) in one
        round trip; what each add did (True: it made the key)."""

        def made(writes: dict) -> list[tuple]:
            return [
                (self.make_and_validate_key(key), value, self.get_backend_timeout(timeout))
                for key, (value, timeout) in writes.items()
            ]

        added = self._cache.write_many(made(sets), made(adds))
        return dict(zip(adds, added, strict=True))


def kept(key: str, compute: Callable[[], T], seconds: int, *, without: str) -> T:
    """The value kept in the cache under ``key``, or ``compute()`` kept for ``seconds``. A
    cache that is down costs the computing, never an error: ``without`` says in the log what
    then goes without it."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001 -- the cache is down: compute
        log.warning("cache unreachable; %s", without)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, seconds)
        except Exception:  # noqa: BLE001 -- computed again next time
            log.warning("cache unreachable; %s", without)
    return value


# A version is a random token under a key: what is kept under it is used until the version is
# renewed (``version_renew``), after which it is never read again and expires.


def _new_version() -> str:
    return uuid.uuid4().hex[:12]


def versions(keys: Iterable[str], timeout: int | None) -> dict[str, str] | None:
    """The current version under each of ``keys`` (one round trip when all are there; a
    missing one is made, ``add`` so that of two requests at once both read the same); None
    when the cache is down (then nothing is kept)."""
    keys = list(keys)
    try:
        found = cache.get_many(keys)
        for key in keys:
            if found.get(key) is None:
                cache.add(key, _new_version(), timeout)
                found[key] = cache.get(key)
    except Exception:  # noqa: BLE001 -- the cache is down: keep nothing
        return None
    return None if None in found.values() else found


def current_version(key: str, timeout: int | None) -> str | None:
    """The current version under ``key`` (``versions``, for one key)."""
    found = versions([key], timeout)
    return found[key] if found else None


def version_renew(key: str, timeout: int | None, *, without: str) -> None:
    """A new version under ``key``: what was kept under the old one is not used again.
    ``without`` says in the log what goes without the cache when it is down."""
    try:
        cache.set(key, _new_version(), timeout)
    except Exception:  # noqa: BLE001 -- the cache is down: nothing is kept either
        log.warning("cache unreachable; %s", without)


# ---------------------------------------------------------------------------
# Writes after commit, in one round trip
# ---------------------------------------------------------------------------
# What a transaction tells the cache when it commits (the new version of what it changed, the
# key of a nudge to a worker: ``complaints.page_cache``, ``reporting.figures``,
# ``reporting.rollups``, ``complaints.services.outbox``) is sent in one round trip, after the
# commit: a registration on the public form made four round trips then, about 0.6 ms of its
# 9, now one of about 0.2 (bench/query-plans.md). Within a transaction a key is written once
# (the last value; an ``add`` asked twice is sent once, and each of its callers told). What was
# asked inside a savepoint that is rolled back is still sent when the transaction had asked for
# something before it: a version renewed or a worker nudged once too often, which is harmless.


class _AfterCommit:
    """The cache writes of one transaction, sent when it commits."""

    def __init__(self) -> None:
        self.sets: dict[str, tuple] = {}
        self.adds: dict[str, tuple] = {}
        self.then: dict[str, list[Callable[[bool | None], None]]] = {}
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        _write(self.sets, self.adds, self.then)


def _write(sets: dict, adds: dict, then: dict) -> None:
    try:
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            added = backend.write_many(sets, adds)
        else:  # the in-process cache of ``make run`` and the tests: one by one
            for key, (value, timeout) in sets.items():
                backend.set(key, value, timeout)
            added = {key: backend.add(key, *value_timeout) for key, value_timeout in adds.items()}
    except Exception:  # noqa: BLE001 -- the cache is down: each caller is told (None)
        log.warning("cache unreachable; %s not renewed, %s not added", list(sets), list(adds))
        added = dict.fromkeys(adds)
    for key, callers in then.items():
        for caller in callers:
            caller(added[key])


def _pending() -> _AfterCommit | None:
    """The writes of the current transaction (registered with ``on_commit`` at the first);
    None outside a transaction."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return None
    for _savepoints, call, _robust in connection.run_on_commit:
        # (One sent already stays listed when a test ran the hooks of a transaction that
        # does not end: ``captureOnCommitCallbacks(execute=True)``.)
        if isinstance(call, _AfterCommit) and not call.sent:
            return call
    writes = _AfterCommit()
    transaction.on_commit(writes)
    return writes


def version_renew_after_commit(key: str, timeout: int | None) -> None:
    """``version_renew`` when the current transaction commits (now, outside one)."""
    value = _new_version()
    writes = _pending()
    if writes is None:
        _write({key: (value, timeout)}, {}, {})
    else:
        writes.sets[key] = (value, timeout)


def add_after_commit(key: str, value, timeout: int, then: Callable[[bool | None], None]) -> None:
    """``cache.add(key, value, timeout)`` when the current transaction commits (now, outside
    one), then ``then(added)``: True when this add made the key, False when it was there, None
    when the cache is down."""
    writes = _pending()
    if writes is None:
        _write({}, {key: (value, timeout)}, {key: [then]})
        return
    writes.adds.setdefault(key, (value, timeout))
    callers = writes.then.setdefault(key, [])
    if then not in callers:
        callers.append(then)
