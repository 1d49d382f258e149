"""A token of the release: the same in every process that runs the same code, templates and
translations, another after any change to them. What is kept in a shared cache across
processes (``complaints.page_cache``) is kept under it, so the web workers share what they
drew and a new release never serves what the old one drew.

The token hashes the contents of the project's source files (Python, templates, texts,
translations: about a thousand files, some tens of milliseconds once per process) and the
versions of Django and the Python, read as the process starts (``complaints.apps``).
"""

import functools
import hashlib
import sys

import django
from django.conf import settings

SOURCES = (
    "accounts", "audit", "complaints", "config", "ladder", "reporting", "templates", "locale",
)  # fmt: skip
SUFFIXES = frozenset({".py", ".html", ".txt", ".po", ".mo"})


@functools.cache
def release_token() -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{django.__version__} {sys.version}".encode())
    for top in SOURCES:
        folder = settings.BASE_DIR / top
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
