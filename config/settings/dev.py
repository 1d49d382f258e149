"""Defaults for a laptop: SQLite, no broker (tasks in-process), mail to the console."""

import os

# Defaults only: a value in the environment or in .env still wins.
os.environ.setdefault("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DATABASE_URL", "sqlite:///db.sqlite3")
os.environ.setdefault("EMAIL_URL", "consolemail://")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
# The demo log-ins have no phone: sign in with the password only (MFA_REQUIRED=true to try it).
os.environ.setdefault("MFA_REQUIRED", "false")

from .base import *  # noqa: F403
from .base import BASE_DIR, DATABASES

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["NAME"] = str(BASE_DIR / DATABASES["default"]["NAME"])
    # SQLite locks the whole file; short-lived connections avoid surprises in runserver.
    DATABASES["default"]["CONN_MAX_AGE"] = 0

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# WhiteNoise serves the collected files in production; here Django's staticfiles
# serves them straight from the source folders.
# (runserver_nostatic would stop runserver from serving them, so it goes too.)
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
INSTALLED_APPS = [a for a in INSTALLED_APPS if a != "whitenoise.runserver_nostatic"]  # noqa: F405
