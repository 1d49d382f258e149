"""Path converters of the case pages."""

from django.urls import register_converter


class ReferenceConverter:
    """A case reference in a URL (``KL-2026-00042``): any text without a slash, as ``str``,
    but never a NUL character, which PostgreSQL cannot compare (a look-up with one failed with a
    server error instead of answering "not found")."""

    regex = "[^/\x00]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


# ``<ref:reference>``; registered once, when the first URLconf that uses it is imported.
register_converter(ReferenceConverter, "ref")
