"""The letter as a PDF on the organisation's letterhead, made with WeasyPrint.

The HTML comes from our own template (``complaints/letters/pdf.html``) with autoescaping on:
every value in it (placeholders, what the handler wrote) is text, never markup. WeasyPrint
may fetch nothing: the logo is put in as a ``data:`` URI, and the fetcher allows only that
scheme, so a letter can never make the server read a file or call a URL.

WeasyPrint needs Pango (``libpango-1.0-0``, ``libpangoft2-1.0-0``) and a font; the Makefile's
``system-deps`` and the Dockerfile install them.
"""

import base64
import mimetypes
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATE = "complaints/letters/pdf.html"
LOGO_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}


@lru_cache(maxsize=4)
def _logo(path: str, mtime: float) -> str:
    file = Path(path)
    mime = LOGO_TYPES.get(file.suffix.lower()) or mimetypes.guess_type(path)[0]
    if mime not in LOGO_TYPES.values():
        return ""
    return f"data:{mime};base64,{base64.b64encode(file.read_bytes()).decode()}"


def logo_data_uri() -> str:
    """The organisation's logo (ORGANISATION_LOGO: an SVG, PNG or JPEG file) as a data URI;
    empty without one."""
    path = Path(settings.ORGANISATION_LOGO) if settings.ORGANISATION_LOGO else None
    if path is None or not path.is_file():
        return ""
    return _logo(str(path), path.stat().st_mtime)


def letter_html(document: dict) -> str:
    """The whole letter as an HTML document for WeasyPrint, in the letter's language."""
    with translation.override(document["language"]):
        return render_to_string(TEMPLATE, {"letter": document, "logo": logo_data_uri()})


def letter_pdf(document: dict) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return HTML(string=letter_html(document), url_fetcher=fetcher).write_pdf()
