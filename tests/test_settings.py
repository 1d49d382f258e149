"""Settings come from the environment (django-environ); dev and test only add defaults."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import environment_without_settings

ROOT = Path(__file__).resolve().parent.parent

DUMP = """
import json, django
from django.conf import settings
django.setup()
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": db["NAME"], "host": db.get("HOST"), "port": db.get("PORT"),
    "user": db.get("USER"), "conn_max_age": db["CONN_MAX_AGE"],
    "conn_health_checks": db["CONN_HEALTH_CHECKS"], "options": db.get("OPTIONS", {}),
    "secret_key": settings.SECRET_KEY, "allowed_hosts": settings.ALLOWED_HOSTS,
    "debug": settings.DEBUG, "redis_url": settings.REDIS_URL,
    "broker": settings.CELERY_BROKER_URL, "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "cache": settings.CACHES["default"]["BACKEND"],
    "email_backend": settings.EMAIL_BACKEND, "email_host": settings.EMAIL_HOST,
    "email_port": settings.EMAIL_PORT, "email_user": settings.EMAIL_HOST_USER,
    "email_tls": settings.EMAIL_USE_TLS, "from": settings.DEFAULT_FROM_EMAIL,
    "language": settings.LANGUAGE_CODE, "ssl_redirect": settings.SECURE_SSL_REDIRECT,
}))
"""


def load(module: str, **variables: str) -> dict:
    env = environment_without_settings(**variables, DJANGO_SETTINGS_MODULE=module)
    result = subprocess.run(
        [sys.executable, "-c", DUMP], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr)
    return json.loads(result.stdout)


def test_production_settings_come_from_the_environment():
    loaded = load(
        "config.settings.base",
        SECRET_KEY="s3cret-from-env",
        DATABASE_URL="postgres://klacht:pw@db.internal:5433/klachten",
        REDIS_URL="redis://redis.internal:6379/2",
        ALLOWED_HOSTS="klachten.example.nl,www.example.nl",
        EMAIL_URL="smtp+tls://mailer:pw@smtp.example.nl:587",
        DEFAULT_FROM_EMAIL="klachten@example.nl",
    )
    assert loaded["engine"] == "django.db.backends.postgresql"
    assert (loaded["name"], loaded["host"], loaded["port"], loaded["user"]) == (
        "klachten",
        "db.internal",
        5433,
        "klacht",
    )
    assert loaded["secret_key"] == "s3cret-from-env"
    assert loaded["allowed_hosts"] == ["klachten.example.nl", "www.example.nl"]
    assert loaded["broker"] == "redis://redis.internal:6379/2"
    assert loaded["eager"] is False, "with a broker, tasks go to the worker"
    assert loaded["cache"] == "config.cache.RedisCache"
    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["email_host"], loaded["email_port"], loaded["email_user"]) == (
        "smtp.example.nl",
        587,
        "mailer",
    )
    assert loaded["email_tls"] is True
    assert loaded["from"] == "klachten@example.nl"
    assert loaded["debug"] is False
    assert loaded["ssl_redirect"] is True
    assert loaded["language"] == "nl"


def test_database_connections_are_persistent():
    loaded = load(
        "config.settings.base",
        SECRET_KEY="x",
        DATABASE_URL="postgres://u@h/d",
        CONN_MAX_AGE="120",
    )
    assert loaded["conn_max_age"] == 120
    assert loaded["conn_health_checks"] is True
    assert (
        load("config.settings.base", SECRET_KEY="x", DATABASE_URL="postgres://u@h/d")[
            "conn_max_age"
        ]
        == 60
    )


def test_postgresql_queries_are_prepared_unless_turned_off():
    """Parameters apart from the SQL and a statement prepared after two runs on a connection
    (planning the case page's query cost ten times running it); off for a pooler that cannot
    keep prepared statements; never on SQLite, which knows neither option."""
    postgres = {"SECRET_KEY": "x", "DATABASE_URL": "postgres://u@h/d"}
    assert load("config.settings.base", **postgres)["options"] == {
        "server_side_binding": True,
        "prepare_threshold": 2,
    }
    assert (
        load("config.settings.base", **postgres, DATABASE_PREPARE_THRESHOLD="0")["options"][
            "prepare_threshold"
        ]
        == 0
    )
    off = load("config.settings.base", **postgres, DATABASE_PREPARE_THRESHOLD="")["options"]
    assert off == {"server_side_binding": True, "prepare_threshold": None}
    assert load("config.settings.dev")["options"] == {}


def test_the_suite_runs_with_prepared_statements(db):
    """What production runs: the whole suite's queries go through server-side binding, so a
    query PostgreSQL cannot type without the values written in fails here first."""
    from django.db import connection

    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT %s::int + 1", [1])
        assert cursor.fetchone() == (2,)
    raw = connection.connection
    assert raw.prepare_threshold == 2
    assert type(connection.cursor().cursor).__name__ == "ServerBindingCursor"


def test_production_settings_refuse_to_start_without_a_secret_key():
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load("config.settings.base", DATABASE_URL="postgres://u@h/d")


def test_without_a_broker_tasks_run_in_process():
    loaded = load("config.settings.base", SECRET_KEY="x", DATABASE_URL="postgres://u@h/d")
    assert loaded["redis_url"] == ""
    assert loaded["eager"] is True
    assert loaded["broker"] == "memory://"
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"


def test_dev_defaults_to_sqlite_and_the_console_but_the_environment_wins():
    loaded = load("config.settings.dev")
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["name"].endswith("db.sqlite3")
    assert loaded["eager"] is True
    assert loaded["email_backend"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["debug"] is True

    overridden = load("config.settings.dev", DATABASE_URL="postgres://u@h/other")
    assert overridden["engine"] == "django.db.backends.postgresql"
    assert overridden["name"] == "other"
