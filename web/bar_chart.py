"""A small bar chart of counts per day, drawn as SVG rectangles by the template (pure).

Server-rendered with no script: each bar is a `<rect>` with its height computed here, and
the same numbers are written beside the chart as text, so a screen reader and a printout
read what the eye sees.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

#: The drawing's height in SVG units, and the room kept under the bars for the day labels.
HEIGHT = 60
BAR_WIDTH = 22
GAP = 6


@dataclass(frozen=True)
class Bar:
    day: date
    count: int
    x: int
    y: int
    height: int

    @property
    def label(self) -> str:
        return f"{self.day:%a %d %b}: {self.count}"


@dataclass(frozen=True)
class BarChart:
    bars: tuple[Bar, ...]
    width: int
    height: int
    total: int
    peak: int


def daily_bars(days: Sequence[date], counts: Mapping[date, int]) -> BarChart:
    """One bar per day in `days`, scaled so the busiest day fills the height; a day with
    answers always shows at least a sliver, so one answer is never drawn as none."""
    peak = max((counts.get(day, 0) for day in days), default=0)
    bars = []
    for index, day in enumerate(days):
        count = counts.get(day, 0)
        height = 0 if not count else max(2, round(HEIGHT * count / peak))
        bars.append(Bar(day, count, index * (BAR_WIDTH + GAP), HEIGHT - height, height))
    width = max(len(days) * (BAR_WIDTH + GAP) - GAP, 0)
    return BarChart(tuple(bars), width, HEIGHT, sum(b.count for b in bars), peak)
