"""
Settings for every environment, read from the environment (django-environ).

Production runs on this module plus environment variables; ``dev`` and ``test`` only
give defaults for a laptop and for the test suite. Nothing exists only in production.
See ``.env.example`` for every variable.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A .env file beside manage.py is read when present; real environment variables win.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# ------------------------------------------------------------------------------
# Core
# ------------------------------------------------------------------------------
SECRET_KEY = env("SECRET_KEY")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_ratelimit",
    "accounts",
    "ladder",
    "complaints",
    "reporting",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Staff pages are closed by default; public views say so with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "accounts.context_processors.organisation",
            ],
        },
    },
]

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:password@host:5432/klachtenladder
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections: reuse a connection for this many seconds, checked before use.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# ------------------------------------------------------------------------------
# Redis, cache and Celery
# ------------------------------------------------------------------------------
# Without REDIS_URL there is no broker: tasks run in-process (eager), so a laptop
# demo needs nothing installed. With it, Redis is the broker and the cache.
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "klachtenladder",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process (runserver) counts its own rate limits: fine for the demo.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged after it ran, and given back when its worker dies.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
# Bounded broker timeouts: a web request must not hang when Redis is down.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": 5,
    "socket_connect_timeout": 2,
    "visibility_timeout": 3600,
    # Redis has no AMQP heartbeat: ping idle connections so a dead broker is noticed.
    "health_check_interval": 25,
}
# A worker that loses the broker stops its running tasks instead of finishing them: with late
# acknowledgement they are delivered again, and our tasks are safe to run twice.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "Europe/Amsterdam"  # beat's clock: the same as TIME_ZONE below
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
# Periodic sweeps over the database (never far-future tasks): safe to run twice, and the
# first run after downtime catches up.
CELERY_BEAT_SCHEDULE: dict = {
    "outbox-sweep": {"task": "complaints.outbox_sweep", "schedule": 60.0},
    "reminder-sweep": {"task": "complaints.reminder_sweep", "schedule": 15 * 60.0},
    "drafts-sweep": {"task": "complaints.drafts_sweep", "schedule": 60 * 60.0},
    # Overdue improvement actions: one reminder per action and due date, however often it runs.
    "actions-sweep": {"task": "reporting.actions_sweep", "schedule": 6 * 60 * 60.0},
    # The dashboards' month rollups: normally refreshed right after each change; this
    # catches a refresh that was lost (broker down, worker killed).
    "rollups-sweep": {"task": "reporting.rollups_refresh", "schedule": 5 * 60.0},
}

# ------------------------------------------------------------------------------
# Accounts and authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60 * 3)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# ------------------------------------------------------------------------------
# E-mail
# ------------------------------------------------------------------------------
# EMAIL_URL, e.g. smtp+tls://user:password@smtp.example.nl:587 or consolemail://
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="klachten@example.nl")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# ------------------------------------------------------------------------------
# Internationalisation: Dutch first, English second
# ------------------------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# ------------------------------------------------------------------------------
# Static files and private files
# ------------------------------------------------------------------------------
# Front-end packages come from the npm registry into node_modules/ at setup
# (`npm ci`, run by the Makefile and the Dockerfile) and are served from there.
NODE_MODULES = BASE_DIR / "node_modules"
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/utrecht", NODE_MODULES / "@utrecht/component-library-css/dist"),
    ("vendor/tokens", NODE_MODULES / "@nl-design-system-unstable/voorbeeld-design-tokens/dist"),
    ("vendor/htmx", NODE_MODULES / "htmx.org/dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Attachments and letters live outside the web root and are only served by
# permission-checked views; there is deliberately no MEDIA_URL route.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")

# ------------------------------------------------------------------------------
# Security (secure by default; dev.py relaxes it for http://127.0.0.1)
# ------------------------------------------------------------------------------
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# The container health check calls /health/ over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env.bool("BEHIND_TLS_PROXY", default=False):
    # Only behind a proxy that sets this header itself and strips it from clients.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Sessions in the database, read through the cache (Redis when configured): one query
# fewer per page, and nothing lost when the cache is flushed.
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# ------------------------------------------------------------------------------
# The organisation (shown in the shells; later on letters)
# ------------------------------------------------------------------------------
ORGANISATION_NAME = env("ORGANISATION_NAME", default="Gemeente Voorbeeld")
ORGANISATION_EMAIL = env("ORGANISATION_EMAIL", default="klachten@example.nl")
ORGANISATION_PHONE = env("ORGANISATION_PHONE", default="14 000")
ORGANISATION_ADDRESS = env("ORGANISATION_ADDRESS", default="Postbus 1, 1000 AA Voorbeeld")
# Letters (complaints.letters): the logo on the letterhead (an SVG, PNG or JPEG file; empty
# for none) and who signs them, by name and job title.
ORGANISATION_LOGO = env("ORGANISATION_LOGO", default=str(BASE_DIR / "static/img/letterhead.svg"))
ORGANISATION_SIGNATORY_NAME = env("ORGANISATION_SIGNATORY_NAME", default="M. de Vries")
ORGANISATION_SIGNATORY_TITLE = env(
    "ORGANISATION_SIGNATORY_TITLE", default="Klachtencoördinator, namens het college"
)
# Where staff open the site: links in mail (reminders) are built on it, without a request.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# Citizens
# ------------------------------------------------------------------------------
# The private status link keeps working this many days after the case is closed (the
# ombudsman term is one year after the outcome letter, so a little longer by default).
STATUS_LINK_DAYS_AFTER_CLOSURE = env.int("STATUS_LINK_DAYS_AFTER_CLOSURE", default=400)
# Rate limits per client address (django-ratelimit syntax: count/period).
PUBLIC_SUBMIT_RATE = env("PUBLIC_SUBMIT_RATE", default="10/h")
STATUS_LINK_RATE = env("STATUS_LINK_RATE", default="30/m")
# django-ratelimit counts in the default cache (Redis when configured, else per process).
# Behind a reverse proxy every request comes from the proxy: name the header in which it
# passes the client's address (e.g. HTTP_X_REAL_IP), or all citizens share one limit.
CLIENT_IP_HEADER = env("CLIENT_IP_HEADER", default="")
RATELIMIT_IP_META_KEY = "complaints.ratelimit.client_address"
# Attachments from citizens: at most this many files, each at most this size.
PUBLIC_MAX_FILES = 5
PUBLIC_MAX_FILE_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Rung 3: where a citizen goes after our decision (Awb 9:12 names it; the status page links to
# it as a plain link, nothing is loaded from it). A municipality with its own ombudsman sets it.
OMBUDSMAN_NAME = env("OMBUDSMAN_NAME", default="Nationale ombudsman")
OMBUDSMAN_URL = env("OMBUDSMAN_URL", default="https://www.nationaleombudsman.nl")

# ------------------------------------------------------------------------------
# Logging: to the console; never personal data (log ids, not names or e-mails)
# ------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint and fontTools log every step of every PDF letter at INFO.
    "loggers": {
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
