"""What a user typed into a form the page can no longer take, shown back to copy."""

from django.forms import CharField


def typed_texts(form, *, stored=None) -> list[tuple]:
    """What was typed into a bound form's visible text fields, as (label, text), for the
    "Not saved: what you typed" panel (``components/unsaved.html``); a field whose text
    ``stored`` (an object with attributes of the field names) holds already is left out."""
    if not form.is_bound:
        return []
    texts = []
    for name, field in form.fields.items():
        value = form.data.get(form.add_prefix(name), "")
        if (
            isinstance(field, CharField)
            and not field.widget.is_hidden
            and isinstance(value, str)
            and value.strip()
            and comparable(value) != comparable(getattr(stored, name, None))
        ):
            texts.append((field.label or name, value))
    return texts


def comparable(value) -> str:
    """A text as a browser posts it and as it is stored compare: line ends and outer space."""
    return str(value or "").replace("\r\n", "\n").strip()
