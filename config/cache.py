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

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

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


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClients


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


def versions(keys: Iterable[str], timeout: int | None) -> dict[str, str] | None:
    """The current version under each of ``keys`` (one round trip when all are there; a
    missing one is made, ``add`` so that of two requests at once both read the same); None
    when the cache is down (then nothing is kept)."""
    keys = list(keys)
    try:
        found = cache.get_many(keys)
        for key in keys:
            if found.get(key) is None:
                cache.add(key, uuid.uuid4().hex[:12], timeout)
                found[key] = cache.get(key)
    except Exception:  # noqa: BLE001 -- the cache is down: keep nothing
        return None
    return None if None in found.values() else found


def version_renew(key: str, timeout: int | None, *, without: str) -> None:
    """A new version under ``key``: what was kept under the old one is not used again.
    ``without`` says in the log what goes without the cache when it is down."""
    try:
        cache.set(key, uuid.uuid4().hex[:12], timeout)
    except Exception:  # noqa: BLE001 -- the cache is down: nothing is kept either
        log.warning("cache unreachable; %s", without)
