from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from complaints.links import case_paths

register = template.Library()


@register.simple_tag
def due(day: date | None, today: date, is_open: bool = True) -> str:
    """A due date in words and colour (never colour alone). Written out here rather than in
    a template: the worklist shows one per row (bench/query-plans.md)."""
    if not day:
        return format_html('<span class="kl-muted">{}</span>', _("no legal term"))
    words, tone = _due_words(day, today) if is_open else ("", "neutral")
    if words:
        words = format_html(' <span class="kl-due__words">({})</span>', words)
    if type(day) is date:
        iso, long = day.isoformat(), _long_date(day, get_language())
    else:  # a datetime: shown in the current time zone, as the date filter does
        iso, long = date_filter(day, "Y-m-d"), date_filter(day, "j F Y")
    return format_html(
        '<span class="kl-due kl-due--{}"><time datetime="{}">{}</time>{}</span>',
        tone,
        iso,
        long,
        words,
    )


# A row of the worklist (worklist.html). Written out here rather than as a {% for %} in the
# template: 50 rows of 7 cells were about half the page's time (bench/query-plans.md); the
# links by complaints.links.case_paths.
WORKLIST_ROW = (
    "<tr>\n"
    '      <td><a class="utrecht-link" href="{href}">{reference}</a></td>\n'
    "      <td>{name}</td>\n"
    "      <td>{stage}</td>\n"
    "      <td>{rung}</td>\n"
    "      <td>{department}</td>\n"
    "      <td>{handler}</td>\n"
    "      <td>{due}</td>\n"
    "    </tr>\n"
)


@register.simple_tag
def worklist_rows(rows, today: date) -> SafeString:
    """The worklist's table rows: ``rows`` are dicts of the worklist's ``ROW_VALUES`` (no
    model instances: a ``Complaint`` runs django-fsm's and the rollups' hooks when it is made)."""
    from complaints.models import Stage
    from complaints.models.choices import OPEN_STAGES

    stages = {value: str(label) for value, label in Stage.choices}
    unassigned = _("unassigned")
    case_path = case_paths()
    html = []
    for row in rows:
        html.append(
            WORKLIST_ROW.format(
                href=escape(case_path(row["reference"])),
                reference=escape(row["reference"]),
                name=escape(row["complainant_name"]),
                stage=escape(stages.get(row["stage"], row["stage"])),
                rung=row["rung"],
                department=escape(row["department__name"]),
                handler=escape(row["handler__full_name"] or unassigned),
                due=due(row["decision_due"], today, row["stage"] in OPEN_STAGES),
            )
        )
    return mark_safe("".join(html))  # noqa: S308 -- every value above is escaped


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    """``{{ day|date:"j F Y" }}`` (the month's name in ``language``, the active language)."""
    return date_filter(day, "j F Y")


def _due_words(day: date, today: date) -> tuple[str, str]:
    days = (day - today).days
    if days > 0:
        words = ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
        return words, "warning" if days <= 5 else "neutral"
    if days == 0:
        return _("due today"), "warning"
    return ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}, "danger"


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
