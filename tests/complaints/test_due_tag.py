"""``{% due %}`` writes its markup in Python (the worklist shows one per row): it gives what the
template it replaced gave, in both languages, for every kind of due date."""

import datetime

import pytest
from django.template import Context, Template
from django.utils.translation import gettext, ngettext, override

# The former components/due.html, with the context its inclusion tag computed.
FORMER = Template(
    "{% load i18n %}{% if day %}"
    '<span class="kl-due kl-due--{{ tone }}"><time datetime="{{ day|date:\'Y-m-d\' }}">'
    '{{ day|date:"j F Y" }}</time>{% if words %} <span class="kl-due__words">({{ words }})'
    "</span>{% endif %}</span>"
    '{% else %}<span class="kl-muted">{% translate "no legal term" %}</span>{% endif %}'
)
TAG = Template("{% load cases %}{% due day today is_open %}")
TODAY = datetime.date(2026, 3, 2)


def former(day, is_open):
    if day is None:
        context = {"day": None}
    elif not is_open:
        context = {"day": day, "words": "", "tone": "neutral"}
    else:
        days = (day - TODAY).days
        if days > 0:
            words = ngettext("due in %(n)d day", "due in %(n)d days", days) % {"n": days}
            tone = "warning" if days <= 5 else "neutral"
        elif days == 0:
            words, tone = gettext("due today"), "warning"
        else:
            words = ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
            tone = "danger"
        context = {"day": day, "words": words, "tone": tone}
    return FORMER.render(Context(context))


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("is_open", [True, False])
@pytest.mark.parametrize("offset", [None, -400, -1, 0, 1, 5, 6, 45])
def test_the_due_tag_gives_the_markup_of_its_former_template(language, is_open, offset):
    day = None if offset is None else TODAY + datetime.timedelta(days=offset)
    with override(language):
        shown = TAG.render(Context({"day": day, "today": TODAY, "is_open": is_open}))
        assert shown == former(day, is_open)
