"""The Redis cache (config/cache.py): Django's, with its redis clients made once."""

import uuid

import pytest
from django.conf import settings

from config.cache import RedisCache


@pytest.fixture
def redis_cache():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        pytest.skip("no Redis (REDIS_URL) here")
    return RedisCache(url, {"KEY_PREFIX": f"test-cache-{uuid.uuid4().hex}"})


def test_the_cache_reuses_one_client_and_works_as_djangos(redis_cache):
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=True) is client
    assert redis_cache._cache.get_client(write=False) is client  # one server: one pool
    assert redis_cache.add("k", 1, timeout=10)
    assert not redis_cache.add("k", 2, timeout=10)
    assert redis_cache.incr("k") == 2
    redis_cache.set_many({"a": "x", "b": {"nested": [1, 2]}})
    assert redis_cache.get_many(["a", "b"]) == {"a": "x", "b": {"nested": [1, 2]}}
    redis_cache.delete_many(["k", "a", "b"])
    assert redis_cache.get("k") is None


def test_incr_is_one_round_trip_raises_for_a_missing_key_and_keeps_the_expiry(redis_cache):
    """Django's contract, in one command (a script) instead of EXISTS and INCRBY."""
    client = redis_cache._cache.get_client(write=True)
    with pytest.raises(ValueError):
        redis_cache.incr("missing")
    assert redis_cache.get("missing") is None  # not made
    redis_cache.add("counted", 1, timeout=100)
    sent = []
    original = client.execute_command

    def counting(*args, **kwargs):
        sent.append(args[0])
        return original(*args, **kwargs)

    client.execute_command = counting
    try:
        assert redis_cache.incr("counted", 5) == 6
    finally:
        del client.execute_command
    assert sent == ["EVALSHA"]
    assert redis_cache.get("counted") == 6
    key = redis_cache.make_and_validate_key("counted")
    assert 90 < client.ttl(key) <= 100
    client.script_flush()  # the server forgot the script (a restart): loaded again
    assert redis_cache.incr("counted") == 7
