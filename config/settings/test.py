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

from .base import *  # noqa: F403

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
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / "klachtenladder-test-private"

# WhiteNoise serves the collected files in production; here Django's staticfiles
# serves them straight from the source folders.
# (runserver_nostatic would stop runserver from serving them, so it goes too.)
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "whitenoise.runserver_nostatic"]  # noqa: F405
