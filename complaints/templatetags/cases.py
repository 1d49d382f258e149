from datetime import date, datetime

from django import template
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.inclusion_tag("components/due.html")
def due(day: date | None, today: date, is_open: bool = True) -> dict:
    """A due date in words and colour (never colour alone)."""
    if day is None:
        return {"day": None}
    if not is_open:
        return {"day": day, "words": "", "tone": "neutral"}
    days = (day - today).days
    if days > 0:
        words = ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
        tone = "warning" if days <= 5 else "neutral"
    elif days == 0:
        words, tone = _("due today"), "warning"
    else:
        words = ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        tone = "danger"
    return {"day": day, "words": words, "tone": tone}


@register.filter
def field_value(complaint, name: str):
    """The display value of a field of the case, for the section summaries."""
    display = getattr(complaint, f"get_{name}_display", None)
    value = display() if display else getattr(complaint, name)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime):
        return date_format(localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value)
    return value


@register.filter
def get_item(mapping: dict, key: str):
    return mapping.get(key)


@register.filter
def label_of(instance, name: str) -> str:
    """The verbose name of a model field, capitalised."""
    return str(instance._meta.get_field(name).verbose_name).capitalize()
