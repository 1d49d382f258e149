"""Keep the citizens' status tokens out of the logs.

A status link is ``/status/<token>/...``: whoever has the token reads the case. Django logs
the path of a 404, a 400 or a refused CSRF check (``Not Found: /status/<token>/``), runserver
logs every request line, and gunicorn's access log writes the request line and the Referer
(a status page's own form posts carry it).

The redaction happens where a record is made (the log record factory), so it holds for every
logger and every handler, including gunicorn's own and a test's: the token in the message and
in its arguments becomes ``[redacted]`` before anything formats the record.
"""

import logging
import logging.config
import re
from collections.abc import MutableMapping

# The token is URL-safe base64 (complaints/services/status_links.py); anything up to the
# next slash, query, space or quote is redacted, whatever it looks like.
STATUS_TOKEN = re.compile(r"(/status/)[^/?#\s\"']+")


def redact(text: str) -> str:
    return STATUS_TOKEN.sub(r"\1[redacted]", text)


def redact_record(record: logging.LogRecord) -> None:
    if isinstance(record.msg, str):
        record.msg = redact(record.msg)
    args = record.args
    if isinstance(args, tuple):
        record.args = tuple(redact(arg) if isinstance(arg, str) else arg for arg in args)
    elif isinstance(args, MutableMapping):
        # gunicorn's access log passes its own dict subclass: change it in place.
        for key, value in list(args.items()):
            if isinstance(value, str):
                args[key] = redact(value)


class RedactStatusTokens(logging.Filter):
    """The same redaction as a filter, for a handler configured outside this project."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install_record_factory() -> None:
    """Every record made from now on is redacted; installing twice changes nothing."""
    make = logging.getLogRecordFactory()
    if getattr(make, "redacts_status_tokens", False):
        return

    def redacting_factory(*args, **kwargs) -> logging.LogRecord:
        record = make(*args, **kwargs)
        redact_record(record)
        return record

    redacting_factory.redacts_status_tokens = True
    logging.setLogRecordFactory(redacting_factory)


def configure(config: dict) -> None:
    """LOGGING_CONFIG (settings): Django's dictConfig, then the redacting record factory."""
    install_record_factory()
    logging.config.dictConfig(config)
