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


# ---------------------------------------------------------------------------
# Writes after commit (version renewals, nudges' keys): one round trip
# ---------------------------------------------------------------------------
@pytest.fixture
def redis_default(settings):
    """The default cache is Redis (the tests' is in-process), under a prefix of its own."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        pytest.skip("no Redis (REDIS_URL) here")
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-after-{uuid.uuid4().hex}",
        }
    }
    from django.core.cache import caches

    backend = caches["default"]
    client = backend._cache.get_client(write=True)
    trips = []
    pipeline, execute = client.pipeline, client.execute_command

    def counted_pipeline(*args, **kwargs):
        trips.append("pipeline")
        return pipeline(*args, **kwargs)

    def counted_command(*args, **kwargs):
        trips.append(args[0])
        return execute(*args, **kwargs)

    client.pipeline, client.execute_command = counted_pipeline, counted_command
    backend.trips = trips
    yield backend
    del client.pipeline, client.execute_command


@pytest.mark.django_db
def test_a_transactions_cache_writes_go_after_its_commit_in_one_round_trip(
    redis_default, django_capture_on_commit_callbacks
):
    from config.cache import add_after_commit, version_renew_after_commit

    told = []
    with django_capture_on_commit_callbacks(execute=True) as hooks:
        version_renew_after_commit("version-a", 60)
        version_renew_after_commit("version-b", None)
        version_renew_after_commit("version-a", 60)  # once: the last value
        add_after_commit("nudge", 1, 30, then=told.append)
        add_after_commit("nudge", 1, 30, then=told.append)  # the same caller: told once
        assert redis_default.trips == []  # nothing sent before the commit
    assert len(hooks) == 1
    assert redis_default.trips == ["pipeline"]
    assert told == [True]
    assert redis_default.get("version-a") and redis_default.get("version-b")
    client = redis_default._cache.get_client(write=True)
    assert 50 < client.ttl(redis_default.make_and_validate_key("version-a")) <= 60
    assert client.ttl(redis_default.make_and_validate_key("version-b")) == -1  # no expiry
    with django_capture_on_commit_callbacks(execute=True):
        add_after_commit("nudge", 1, 30, then=told.append)
    assert told == [True, False]  # there already: a sweep is queued


@pytest.mark.django_db
def test_with_the_cache_down_each_caller_is_told_and_nothing_fails(
    redis_default, django_capture_on_commit_callbacks, monkeypatch
):
    from config.cache import add_after_commit, version_renew_after_commit

    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    monkeypatch.setattr(redis_default, "write_many", down)
    told = []
    with django_capture_on_commit_callbacks(execute=True):
        version_renew_after_commit("version-a", 60)
        add_after_commit("nudge", 1, 30, then=told.append)
    assert told == [None]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_writes_are_made_at_once(redis_default):
    from config.cache import add_after_commit, version_renew_after_commit

    told = []
    version_renew_after_commit("version-a", 60)
    assert redis_default.get("version-a")
    add_after_commit("nudge", 1, 30, then=told.append)
    assert told == [True]
