"""Formatting the dashboard's figures: shares as whole percent with their counts, days and
averages in the reader's number format, and a dash where there is nothing to show."""

from functools import lru_cache

from django import template
from django.template.loader import render_to_string
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from reporting.charts import BarChart, MonthChart
from reporting.ladder_metrics import Ratio

register = template.Library()

NOTHING = "\N{EN DASH}"  # a dash: nothing to divide, nothing counted


@register.filter
def share(ratio: Ratio | None) -> str:
    """42% (21 of 50); a dash when there is nothing to divide."""
    if ratio is None or ratio.percent is None:
        return NOTHING
    return _("%(percent)s%% (%(part)s of %(whole)s)") % {
        "percent": number_format(ratio.percent),
        "part": number_format(ratio.part),
        "whole": number_format(ratio.whole),
    }


@register.filter
def percent(ratio: Ratio | None) -> str:
    """42%; a dash when there is nothing to divide."""
    if ratio is None or ratio.percent is None:
        return NOTHING
    return _("%(percent)s%%") % {"percent": number_format(ratio.percent)}


@register.filter
def figure(value: float | None, decimals: int = 1) -> str:
    """A number with at most ``decimals`` decimals (none for a whole number); a dash for
    ``None``."""
    if value is None:
        return NOTHING
    if float(value).is_integer():
        return number_format(int(value))
    return number_format(round(value, decimals), decimal_pos=decimals)


CHART_TEMPLATES = {
    MonthChart: "reporting/components/month_chart.html",
    BarChart: "reporting/components/bar_chart.html",
}


@register.simple_tag
def chart(chart: MonthChart | BarChart, series: int = 1) -> SafeString:
    """The chart as SVG (templates/reporting/components/). A chart is a frozen value of its
    figures, so the same chart in the same language is drawn once per process and then
    remembered: drawing the dashboard's four charts was about a fifth of its time."""
    return _drawn(chart, series, get_language())


@lru_cache(maxsize=256)
def _drawn(chart: MonthChart | BarChart, series: int, language: str) -> SafeString:
    return render_to_string(CHART_TEMPLATES[type(chart)], {"chart": chart, "series": series})
