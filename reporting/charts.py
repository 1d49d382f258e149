"""Small charts for the dashboard, drawn as inline SVG by the templates in
templates/reporting/components/. Here only the geometry: plain arithmetic on the figures, no
queries, no chart library. The SVG is a picture for sighted readers (aria-hidden); every chart
is shown with its data table, which is what screen readers read.

Coordinates are in the units of the SVG's viewBox (``WIDTH`` wide); the SVG scales to the
width of the page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH = 640
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 12, 44  # room for the axis labels


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int  # 1-based: the CSS class kl-chart__series--<n>


@dataclass(frozen=True)
class Column:
    """One month: a bar per series, and its label under the axis (or none when crowded)."""

    month: date
    x: float  # centre
    bars: tuple[Bar, ...]
    labelled: bool
    with_year: bool


@dataclass(frozen=True)
class Line:
    series: int
    points: str  # "x,y x,y ..." for <polyline points>
    dots: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Row:
    """One bar of a horizontal bar chart."""

    label: str
    y: float
    width: float
    value: int
    text_x: float  # where the count is written, after the bar
    mid: float  # the vertical middle of the bar, for the texts


@dataclass(frozen=True)
class MonthChart:
    """Months along the x axis, counts up the y axis: columns (bars) or lines."""

    width: int
    height: int
    left: int
    right: float  # x of the plot's right edge
    top: int
    bottom: float  # y of the x axis
    ticks: tuple[Tick, ...]
    columns: tuple[Column, ...]
    lines: tuple[Line, ...]
    series: tuple[str, ...]  # the legend, in series order

    @property
    def label_y(self) -> float:
        return self.bottom + 16


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars, one per row, with the label left of the bar and the count after it."""

    width: int
    height: int
    label_width: int
    bar_height: float
    rows: tuple[Row, ...]


def nice_scale(largest: int, steps: int = 4) -> tuple[int, int]:
    """(top, step): a round step (1, 2 or 5 times a power of ten) so that ``steps`` steps
    reach ``largest``; at least 1."""
    if largest <= 0:
        return steps, 1
    rough = largest / steps
    power = 10 ** math.floor(math.log10(rough)) if rough >= 1 else 1
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    step = max(int(step), 1)
    return step * math.ceil(largest / step), step


def _axis(largest: int, height: int) -> tuple[int, float, tuple[Tick, ...], float]:
    top_value, step = nice_scale(largest)
    bottom = height - BOTTOM
    scale = (bottom - TOP) / top_value
    ticks = tuple(
        Tick(round(bottom - value * scale, 1), value) for value in range(0, top_value + 1, step)
    )
    return top_value, bottom, ticks, scale


def _label_every(count: int) -> int:
    """Label every n-th month so that at most about twelve labels fit under the axis."""
    return max(1, math.ceil(count / 12))


def column_chart(
    months: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    height: int = 240,
) -> MonthChart:
    """Grouped columns: per month one bar per series (``(label, values per month)``)."""
    largest = max((v for _label, values in series for v in values), default=0)
    _top, bottom, ticks, scale = _axis(largest, height)
    right = WIDTH - RIGHT
    slot = (right - LEFT) / max(len(months), 1)
    bar_width = slot * 0.8 / max(len(series), 1)
    every = _label_every(len(months))
    columns = []
    for index, month in enumerate(months):
        start = LEFT + index * slot + slot * 0.1
        bars = tuple(
            Bar(
                x=round(start + number * bar_width, 1),
                y=round(bottom - values[index] * scale, 1),
                width=round(bar_width, 1),
                height=round(values[index] * scale, 1),
                value=values[index],
                series=number + 1,
            )
            for number, (_label, values) in enumerate(series)
        )
        labelled = index % every == 0
        columns.append(
            Column(
                month,
                round(LEFT + (index + 0.5) * slot, 1),
                bars,
                labelled,
                labelled and (index == 0 or month.month <= every),
            )
        )
    return MonthChart(
        WIDTH, height, LEFT, right, TOP, bottom, ticks, tuple(columns), (), _legend(series)
    )


def line_chart(
    months: Sequence[date],
    series: Sequence[tuple[str, Sequence[int]]],
    *,
    height: int = 240,
) -> MonthChart:
    """A line per series over the months, with a dot on each month."""
    largest = max((v for _label, values in series for v in values), default=0)
    _top, bottom, ticks, scale = _axis(largest, height)
    right = WIDTH - RIGHT
    slot = (right - LEFT) / max(len(months), 1)
    xs = [round(LEFT + (index + 0.5) * slot, 1) for index in range(len(months))]
    lines = []
    for number, (_label, values) in enumerate(series):
        dots = tuple((x, round(bottom - v * scale, 1)) for x, v in zip(xs, values, strict=True))
        lines.append(Line(number + 1, " ".join(f"{x},{y}" for x, y in dots), dots))
    every = _label_every(len(months))
    columns = tuple(
        Column(
            month,
            xs[index],
            (),
            index % every == 0,
            index % every == 0 and (index == 0 or month.month <= every),
        )
        for index, month in enumerate(months)
    )
    return MonthChart(
        WIDTH, height, LEFT, right, TOP, bottom, ticks, columns, tuple(lines), _legend(series)
    )


def _legend(series: Sequence[tuple[str, Sequence[int]]]) -> tuple[str, ...]:
    return tuple(str(label) for label, _values in series)


def bar_chart(rows: Sequence[tuple[str, int]], *, label_width: int = 140) -> BarChart:
    """Horizontal bars (``(short label, count)``), longest bar the width of the chart."""
    bar_height, gap = 22, 10
    largest = max((value for _label, value in rows), default=0) or 1
    room = WIDTH - label_width - 56  # room after the longest bar for its count
    shown = []
    for index, (label, value) in enumerate(rows):
        width = round(value / largest * room, 1)
        y = index * (bar_height + gap) + 4
        shown.append(Row(str(label), y, width, value, label_width + width + 6, y + bar_height / 2))
    height = len(rows) * (bar_height + gap) + 4
    return BarChart(WIDTH, height, label_width, bar_height, tuple(shown))
