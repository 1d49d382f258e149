import html
from datetime import date, datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import date_format
from django.utils.html import format_html
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
    language = get_language()
    if type(day) is date:
        iso, long = day.isoformat(), _long_date(day, language)
    else:  # a datetime: shown in the current time zone, as the date filter does
        iso, long = date_filter(day, "Y-m-d"), date_filter(day, "j F Y")
    tone, words = _due_words((day - today).days, language) if is_open else ("neutral", "")
    # What format_html gives, without its per-argument escaping machinery (a fifth of the
    # worklist's rows): the words and the date escaped here, the tone one of three names.
    return mark_safe(  # noqa: S308 -- the date and the words are escaped
        f'<span class="kl-due kl-due--{tone}"><time datetime="{html.escape(iso)}">'
        f"{html.escape(long)}</time>{words}</span>"
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
    # html.escape: what django.utils.html.escape gives for a str, without its lazy-string
    # wrapper (350 calls a page).
    text = html.escape
    written = []
    for row in rows:
        reference = text(row["reference"])
        written.append(
            WORKLIST_ROW.format(
                href=text(case_path(row["reference"])),
                reference=reference,
                name=text(row["complainant_name"]),
                stage=text(stages.get(row["stage"], row["stage"])),
                rung=row["rung"],
                department=text(row["department__name"]),
                handler=text(row["handler__full_name"] or unassigned),
                due=due(row["decision_due"], today, row["stage"] in OPEN_STAGES),
            )
        )
    return mark_safe("".join(written))  # noqa: S308 -- every value above is escaped


@lru_cache(maxsize=4096)
def _long_date(day: date, language: str) -> str:
    """``{{ day|date:"j F Y" }}`` (the month's name in ``language``, the active language)."""
    return date_filter(day, "j F Y")


@lru_cache(maxsize=4096)
def _due_words(days: int, language: str) -> tuple[str, str]:
    """The tone and the words, as HTML, of a due date ``days`` from today, in ``language``
    (the active language: the key of the cache)."""
    if days > 0:
        words = ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
        tone = "warning" if days <= 5 else "neutral"
    elif days == 0:
        words, tone = _("due today"), "warning"
    else:
        words = ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        tone = "danger"
    return tone, f' <span class="kl-due__words">({html.escape(words)})</span>'


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


@register.simple_tag
def section_rows(complaint, fields, hidden_fields) -> SafeString:
    """The rows of a section's summary on the case page (section.html): a label and the value
    of each field, or, for a field in ``hidden_fields`` (special-category data, DOMAIN.md
    section 7), the label only, never the value. Written out here rather than as a {% for %}
    in the template: the six sections' 33 rows were a tenth of the page's time."""
    only = html.escape(_("Only the assigned handler sees this"))
    empty = "\N{EN DASH}"
    rows = []
    for name in fields:
        label = html.escape(label_of(complaint, name))
        if name in hidden_fields:
            rows.append(f'<div><dt>{label}</dt><dd class="kl-muted">{only}</dd></div>')
        else:
            value = linebreaksbr(field_value(complaint, name) or empty)  # escaped, as {{ }}
            rows.append(f"<div><dt>{label}</dt><dd>{value}</dd></div>")
    return mark_safe("\n      ".join(rows))  # noqa: S308 -- labels and values are escaped
