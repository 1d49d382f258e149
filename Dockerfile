# Klachtenladder: one image for the web server (gunicorn), the Celery worker and beat.
#   docker build -t klachtenladder .
# Configuration comes from the environment at run time (see .env.example and
# docker-compose.yml); nothing secret is baked into the image.

# ------------------------------------------------------------------------------
# Stage 1: front-end packages from the npm registry (never from a CDN)
# ------------------------------------------------------------------------------
FROM node:20-bookworm-slim AS assets
WORKDIR /assets
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# ------------------------------------------------------------------------------
# Stage 2: the Python application
# ------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.base \
    PRIVATE_MEDIA_ROOT=/app/var/private

# gettext (msgfmt) compiles the translations below; Pango and a font are what WeasyPrint
# needs to make the PDF letters (complaints/letters/pdf.py).
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        gettext libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# The processes run as an unprivileged user; the code itself stays owned by root
# (read-only for the app). Only var/ is writable: private files and beat's schedule.
RUN groupadd --system --gid 1000 app \
    && useradd --system --uid 1000 --gid app --home-dir /app --no-create-home --shell /usr/sbin/nologin app

WORKDIR /app

# Runtime dependencies only; test tools (requirements-dev.txt) stay out of the image.
COPY requirements.txt ./
RUN pip install --no-cache-dir -r requirements.txt

COPY --from=assets /assets/node_modules ./node_modules
COPY . .

# Build-time only: throwaway values so the settings load; they are not kept in the image.
RUN DJANGO_SETTINGS_MODULE=config.settings.base \
    SECRET_KEY=build-only-not-a-secret \
    DATABASE_URL=sqlite:////tmp/build.sqlite3 \
    sh -c 'python manage.py compilemessages --ignore=node_modules -v 0 \
        && python manage.py collectstatic --noinput -v 0' \
    && rm -f /tmp/build.sqlite3 \
    && mkdir -p /app/var/private /app/var/beat \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# Workers: GUNICORN_WORKERS, else WEB_CONCURRENCY, else 2. Heartbeat files in memory
# (/dev/shm), logs to stdout/stderr, no control socket (nothing manages it at run time).
CMD ["sh", "-c", "exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers \"${GUNICORN_WORKERS:-${WEB_CONCURRENCY:-2}}\" --worker-tmp-dir /dev/shm --no-control-socket --access-logfile - --error-logfile -"]
