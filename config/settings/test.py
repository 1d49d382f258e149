"""The test suite: PostgreSQL and Redis from the environment, defaulting to the local servers."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-only-insecure-key")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/klachtenladder")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("EMAIL_URL", "smtp://127.0.0.1:25")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# The suite signs in with the password only; tests of two-factor sign-in turn it on.
os.environ.setdefault("MFA_REQUIRED", "false")
# Sessions as long as Django's default (two weeks): tests travel in time with a client signed
# in. The timeout tests set SESSION_IDLE_TIMEOUT and SESSION_ABSOLUTE_TIMEOUT themselves.
os.environ.setdefault("SESSION_IDLE_TIMEOUT", str(14 * 24 * 60 * 60))
os.environ.setdefault("SESSION_ABSOLUTE_TIMEOUT", str(14 * 24 * 60 * 60))

# pytest-xdist (make test runs the suite in parallel): each worker process gets a Redis
# database of its own (gw0 the given one, gw1 the one below, ...), so a test's Celery worker
# never takes another test's task; pytest-django already gives each its own PostgreSQL
# database. A process a test starts inherits the adjusted REDIS_URL and the marker, so the
# shift happens once.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and not os.environ.get("KLACHTENLADDER_XDIST_SHIFTED"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    _shift = int(_XDIST_WORKER.removeprefix("gw"))
    os.environ["REDIS_URL"] = f"{_base}/{(int(_db or 0) - _shift) % 16}"
    os.environ["KLACHTENLADDER_XDIST_SHIFTED"] = "1"

from .base import *  # noqa: E402, F403

# Unit tests run tasks in-process; integration tests start a real worker themselves.
CELERY_TASK_ALWAYS_EAGER = True
# Each test gets an empty cache of its own; tests that need Redis use it directly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# Fast hashing: the tests log in many times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Mail goes to django.core.mail.outbox unless a test points it at a real SMTP server.
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Attachments written by tests go to the system temp folder, not into the checkout.
# (One folder per xdist worker: the drafts sweep, run in a time-travelling test, would
# otherwise delete the draft files of a test running beside it.)
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / "-".join(
    filter(None, ["klachtenladder-test-private", _XDIST_WORKER])
)

# WhiteNoise serves the collected files in production; here Django's staticfiles
# serves them straight from the source folders.
# (runserver_nostatic would stop runserver from serving them, so it goes too.)
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "whitenoise.runserver_nostatic"]  # noqa: F405
