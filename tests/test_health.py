"""The health endpoint reports the database and the broker."""

import pytest

from tests.conftest import free_port

pytestmark = pytest.mark.django_db


def test_health_reports_database_and_broker_ok(client, settings, redis_url):
    settings.REDIS_URL = redis_url
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_a_broker_that_is_down_is_reported_but_not_fatal(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "error"}


def test_without_a_broker_tasks_run_in_process(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/health/").json()["broker"] == "not configured"


def test_a_database_that_is_down_answers_503(client, monkeypatch):
    from django.db import connection

    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "error"


def test_health_needs_no_account(client):
    assert client.get("/health/").status_code in (200, 503)
