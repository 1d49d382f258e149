"""
Settings for every environment, read from the environment (django-environ).

Production runs on this module plus environment variables; ``dev`` and ``test`` only
give defaults for a laptop and for the test suite. Nothing exists only in production.
See ``.env.example`` for every variable.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF
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
    "csp",
    # Two-factor sign-in (TOTP and recovery codes) and failed-login throttling (below, under
    # "Accounts and authentication").
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "accounts",
    "ladder",
    "complaints",
    "reporting",
    # The read audit (DOMAIN.md section 7): who viewed, downloaded or exported what.
    "audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy with a fresh nonce per request (request.csp_nonce).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.DutchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Idle and absolute session timeouts (SESSION_IDLE_TIMEOUT, SESSION_ABSOLUTE_TIMEOUT).
    "accounts.middleware.SessionTimeoutMiddleware",
    # After signing in again, back to the page the user was on, not to the action they posted
    # (and the whole browser to sign in for an htmx request).
    "accounts.middleware.SignInAgainMiddleware",
    # Staff pages are closed by default; public views say so with @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # ...and, when MFA_REQUIRED, need the second factor too (enrolment or the code first).
    "accounts.middleware.MFARequiredMiddleware",
    # Cache-Control: private, no-store on staff pages and the citizens' form and status pages.
    "config.middleware.PrivatePagesNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Turns a sign-in refused by django-axes (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
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
                "accounts.context_processors.typed_before_sign_out",
            ],
        },
    },
]
# Django's widget templates, the commonest written out in Python (same HTML, a fraction of
# the cost: config/form_renderer.py).
FORM_RENDERER = "config.form_renderer.FormRenderer"

# ------------------------------------------------------------------------------
# Database
# ------------------------------------------------------------------------------
# DATABASE_URL, e.g. postgres://user:password@host:5432/klachtenladder
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections: reuse a connection for this many seconds, checked before use.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Prepared statements: PostgreSQL plans a query once per connection, not on every request.
    # The case page's query of the case and its relations took 3.4 ms to plan and 0.3 ms to
    # run at 1,000,000 complaints (bench/query-plans.md). That needs the parameters sent apart
    # from the SQL (server-side binding: the same text for every case), and psycopg prepares a
    # statement after DATABASE_PREPARE_THRESHOLD runs on a connection. Empty turns it off: for
    # a connection pooler in transaction mode that does not keep prepared statements (PgBouncer
    # before 1.21, or without max_prepared_statements).
    _prepare = env("DATABASE_PREPARE_THRESHOLD", default="2")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        server_side_binding=True, prepare_threshold=int(_prepare) if _prepare else None
    )

# ------------------------------------------------------------------------------
# Redis, cache and Celery
# ------------------------------------------------------------------------------
# Without REDIS_URL there is no broker: tasks run in-process (eager), so a laptop
# demo needs nothing installed. With it, Redis is the broker and the cache.
REDIS_URL = env("REDIS_URL", default="")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, reusing its redis clients (config/cache.py).
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "klachtenladder",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    # django-ratelimit 4.1 lists only django-redis as "supported"; Django's own RedisCache
    # is shared between processes and increments atomically (Redis INCR), which is all the
    # rate limits need. The check's warning is therefore wrong for this backend.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
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
    # The dashboards' month rollups: normally refreshed within seconds of a change; this
    # catches a refresh that was lost (broker down, worker killed).
    "rollups-sweep": {"task": "reporting.rollups_refresh", "schedule": 5 * 60.0},
    # Monthly and quarterly learning reports: makes the missing ones of the last complete
    # periods (and catches up after downtime); a second run writes nothing.
    "learning-reports-sweep": {
        "task": "reporting.learning_reports_sweep",
        "schedule": 24 * 60 * 60.0,
    },
    # Retention (DOMAIN.md section 7): anonymises the closed cases whose period has passed;
    # the first run after downtime does all that came due, a second run nothing.
    "retention-sweep": {"task": "complaints.retention_sweep", "schedule": 24 * 60 * 60.0},
    # Files that no row names (written before a transaction rolled back).
    "orphan-files-sweep": {
        "task": "complaints.orphan_files_sweep",
        "schedule": 24 * 60 * 60.0,
    },
}

# ------------------------------------------------------------------------------
# Accounts and authentication
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# AxesStandaloneBackend first: it refuses a locked-out e-mail address and client address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, with the permissions read in one query (accounts/backends.py).
    "accounts.backends.ModelBackend",
]
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
# Two-factor sign-in (accounts/mfa.py): every member of staff enrols an authenticator app
# (TOTP) and gets 10 recovery codes; until the code is given, staff pages send them to it.
# dev.py and test.py turn it off (the demo log-ins have no phone).
MFA_REQUIRED = env.bool("MFA_REQUIRED", default=True)
MFA_RECOVERY_CODES = 10
# The issuer shown in the authenticator app beside the e-mail address.
OTP_TOTP_ISSUER = env("MFA_ISSUER", default="Klachtenladder")
# Wrong codes: after each one the next try waits twice as long (1 s, 2 s, 4 s, ... times this
# factor), per device and across sessions (django-otp's throttling).
OTP_TOTP_THROTTLE_FACTOR = env.int("MFA_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = OTP_TOTP_THROTTLE_FACTOR
# The admin never shows a user's secret key or its QR code.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# Failed-login throttling (django-axes): this many failures for one e-mail address from one
# client address lock that pair out for the cool-off, whether or not the account exists.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
# The e-mail address as the sign-in compares it (any case), so case changes do not reset it.
AXES_USERNAME_CALLABLE = "accounts.throttling.attempted_email"
# The same client address as the public rate limits (CLIENT_IP_HEADER behind a proxy).
AXES_CLIENT_IP_CALLABLE = "complaints.ratelimit.client_address"
AXES_LOCKOUT_CALLABLE = "accounts.throttling.locked_out"
# Successful sign-ins are not logged by axes (no table of who signed in when from where).
AXES_DISABLE_ACCESS_LOG = True
# Sessions: signed out after this many seconds without a request (idle), and this many after
# signing in whatever happens (absolute), both checked by accounts/middleware.py, which writes
# the time of the last request to the session at most once a minute (not on every request).
# The stored session and its cookie expire at the absolute timeout at the latest.
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_ABSOLUTE_TIMEOUT = env.int("SESSION_ABSOLUTE_TIMEOUT", default=10 * 60 * 60)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_TIMEOUT

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
# Content Security Policy (django-csp): everything from our own origin, inline scripts and
# styles only with the request's nonce (templates: nonce="{{ request.csp_nonce }}"), never
# 'unsafe-inline' or 'unsafe-eval' (htmx runs with allowEval off, see staff_base.html). Style
# attributes are therefore blocked: use classes in static/css. Images may be data: URIs: the
# letter page shows the letterhead logo inline, as the PDF does (complaints/letters/pdf.py);
# an image never runs script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

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
# Retention (DOMAIN.md section 7): the personal data of a closed case is removed this many
# years after its closure (complaints.services.retention), the statistics stay. Per closure
# reason it can differ: RETENTION_YEARS_BY_REASON=withdrawn=1,not_handled=2 (reasons:
# resolved, judged, not_handled, forwarded, withdrawn); the others use RETENTION_YEARS.
RETENTION_YEARS = env.int("RETENTION_YEARS", default=5)
RETENTION_YEARS_BY_REASON = {
    reason: int(years)
    for reason, years in env.dict("RETENTION_YEARS_BY_REASON", default={}).items()
}
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
# config.log_filters redacts citizens' status tokens (/status/<token>/) from every record,
# whoever logs it (Django's 404 and CSRF warnings, runserver, gunicorn's access log).
LOGGING_CONFIG = "config.log_filters.configure"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's default handlers go (a second console copy under DEBUG, and mail to ADMINS
        # with the request's POST data): its records reach the console above.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
        # WeasyPrint and fontTools log every step of every PDF letter at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes: failed sign-ins and lockouts (WARNING, the address and e-mail masked),
        # not every successful sign-in and start-up.
        "axes": {"level": "WARNING"},
    },
}
