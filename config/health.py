"""Health endpoint for load balancers and the container health check."""

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return "error"
    return "ok"


def _broker_status() -> str:
    if not settings.REDIS_URL:
        return "not configured"  # tasks run in-process
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1
        )
        client.ping()
        client.close()
    except redis.RedisError:
        return "error"
    return "ok"


@login_not_required
@never_cache
@require_GET
def health(request: HttpRequest) -> JsonResponse:
    """200 while the database answers; 503 when it does not.

    A broker that is down is reported but is not fatal: citizens can still
    submit, and mail waits in the outbox until the broker is back.
    """
    database = _database_status()
    broker = _broker_status()
    healthy = database == "ok"
    status = "ok" if healthy and broker in ("ok", "not configured") else "degraded"
    if not healthy:
        status = "error"
    return JsonResponse(
        {"status": status, "database": database, "broker": broker},
        status=200 if healthy else 503,
    )
