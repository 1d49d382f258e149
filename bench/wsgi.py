"""The application as the benchmark serves it (bench/run.py starts gunicorn on this module).

Production settings (``config.settings.base`` from the environment), plus two things that
exist only here, never in production (config.wsgi and config.urls do not know them):

- the baseline page ``/__bench__/bare/``: a plain Django view with one primary-key query, the
  yardstick every other figure is divided by (QUALITY.md, section Performance);
- a query count per request in the ``X-Bench-Queries`` response header, counted on the
  database connection of the worker that served the request.
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.db import connections

django_application = get_wsgi_application()
# Resolved per request from settings: the bench routes come first, then the real ones.
settings.ROOT_URLCONF = "bench.urls"


def application(environ, start_response):
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    def start(status, headers, exc_info=None):
        headers.append(("X-Bench-Queries", str(count)))
        return start_response(status, headers, exc_info)

    with connections["default"].execute_wrapper(counter):
        return django_application(environ, start)
