"""The review's charts: what each one shows, in words and numbers, and its SVG and PNG.

Pure: a chart is a frozen value (`TrendChart`, `MixChart`, `ThemeChart`) built from figures
by the page; `inline_svg`, `svg` and `png` turn it into text or bytes. The drawing itself is
matplotlib's (`web/chart_drawing.py`), on the object API with no GUI, so no global pyplot
state is shared between requests; one lock keeps matplotlib's font caches to one thread at
a time. The SVG is cleaned for the page (`web/chart_svg.py`): a title and description,
ids unique per chart, no inline style (the console's Content-Security-Policy forbids it).

Each chart also gives its numbers as a table (`table`), which the page prints under it:
the chart is never the only place a figure is written, and colour is never the only sign
(every series is labelled, low samples have their own marker, the target line is named).

Drawing is deterministic: the same chart gives the same bytes, so `ChartCache` can keep
what was drawn, keyed by the page's context and a digest of the chart's own data.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Literal, TypeVar

Measure = Literal["NPS", "CSAT"]
Format = Literal["svg", "png"]
#: PNG size for slides: 16:9 at 1600 pixels wide.
PNG_WIDTH, PNG_HEIGHT = 1600, 900
MIN_PNG_SIDE, MAX_PNG_SIDE = 100, 4000


@dataclass(frozen=True)
class TrendPoint:
    period: str
    score: float | None
    low: float | None
    high: float | None
    n: int
    low_sample: bool


@dataclass(frozen=True)
class TrendChart:
    """A score per period, oldest first, with its 95% interval band and the target line."""

    name: str
    title: str
    measure: Measure
    points: tuple[TrendPoint, ...]
    target: float | None
    min_sample: int = 30

    @property
    def empty(self) -> bool:
        return all(point.score is None for point in self.points)

    def description(self) -> str:
        if self.empty:
            return f"{self.title}: no answers in these periods."
        said = "; ".join(
            f"{p.period} {_score(self.measure, p.score)} "
            f"(n={p.n}, 95% interval {_score(self.measure, p.low)} to "
            f"{_score(self.measure, p.high)}{', low sample' if p.low_sample else ''})"
            for p in self.points
            if p.score is not None
        )
        target = "" if self.target is None else f" Target: {_target(self.measure, self.target)}."
        return f"{self.title}. {said}.{target}"

    def table(self) -> Table:
        return Table(
            caption=self.title,
            headers=("period", self.measure, "95% interval", "n"),
            rows=tuple(
                (
                    p.period,
                    _score(self.measure, p.score) + (" *" if p.low_sample and p.n else ""),
                    ""
                    if p.low is None
                    else f"{_score(self.measure, p.low)} to {_score(self.measure, p.high)}",
                    str(p.n),
                )
                for p in self.points
            ),
        )


@dataclass(frozen=True)
class ScoreMix:
    label: str
    promoters: int
    passives: int
    detractors: int

    @property
    def n(self) -> int:
        return self.promoters + self.passives + self.detractors


@dataclass(frozen=True)
class MixChart:
    """Promoters, passives and detractors per touchpoint, as shares with their counts."""

    name: str
    title: str
    rows: tuple[ScoreMix, ...]

    @property
    def empty(self) -> bool:
        return all(row.n == 0 for row in self.rows)

    def description(self) -> str:
        if self.empty:
            return f"{self.title}: no NPS answers."
        said = "; ".join(
            f"{r.label}: {r.detractors} detractors, {r.passives} passives, "
            f"{r.promoters} promoters (n={r.n})"
            for r in self.rows
        )
        return f"{self.title}. {said}."

    def table(self) -> Table:
        return Table(
            caption=self.title,
            headers=("touchpoint", "detractors", "passives", "promoters", "n"),
            rows=tuple(
                (
                    r.label,
                    _count(r.detractors, r.n),
                    _count(r.passives, r.n),
                    _count(r.promoters, r.n),
                    str(r.n),
                )
                for r in self.rows
            ),
        )


@dataclass(frozen=True)
class ThemeBar:
    theme: str
    answers: int
    nps: float | None


@dataclass(frozen=True)
class ThemeChart:
    """The themes customers wrote about most, with how many and their NPS."""

    name: str
    title: str
    bars: tuple[ThemeBar, ...]

    @property
    def empty(self) -> bool:
        return not any(bar.answers for bar in self.bars)

    def description(self) -> str:
        if self.empty:
            return f"{self.title}: no comments with a theme."
        said = "; ".join(
            f"{b.theme}: {b.answers} answers, NPS {_score('NPS', b.nps)}" for b in self.bars
        )
        return f"{self.title}. {said}."

    def table(self) -> Table:
        return Table(
            caption=self.title,
            headers=("theme", "answers", "NPS"),
            rows=tuple((b.theme, str(b.answers), _score("NPS", b.nps)) for b in self.bars),
        )


Chart = TrendChart | MixChart | ThemeChart


@dataclass(frozen=True)
class Table:
    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _score(measure: str, value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if measure == "NPS" else f"{value:.1f}%"


def _target(measure: str, value: float) -> str:
    return f"NPS above {value:g}" if measure == "NPS" else f"CSAT {value:g}% or more"


def _count(count: int, n: int) -> str:
    return f"{count} ({100 * count / n:.0f}%)" if n else "0"


def digest(chart: Chart) -> str:
    """A short digest of everything the chart draws: equal data, equal digest."""
    return hashlib.sha256(repr(chart).encode()).hexdigest()[:16]


_DRAWING = threading.Lock()


def svg(chart: Chart) -> str:
    """The chart as a standalone SVG file (for download), sized in points."""
    from web import chart_drawing, chart_svg

    with _DRAWING:
        raw = chart_drawing.draw_svg(chart)
    return chart_svg.clean(raw, chart.name, chart.title, chart.description(), standalone=True)


def inline_svg(chart: Chart) -> str:
    """The chart as an <svg> element for the page: it scales with its box."""
    from web import chart_drawing, chart_svg

    with _DRAWING:
        raw = chart_drawing.draw_svg(chart)
    return chart_svg.clean(raw, chart.name, chart.title, chart.description(), standalone=False)


def png(chart: Chart, width: int = PNG_WIDTH, height: int = PNG_HEIGHT) -> bytes:
    """The chart as a PNG of exactly width x height pixels, for slides."""
    from web import chart_drawing

    if not (MIN_PNG_SIDE <= width <= MAX_PNG_SIDE and MIN_PNG_SIDE <= height <= MAX_PNG_SIDE):
        raise ValueError(
            f"a PNG is {MIN_PNG_SIDE} to {MAX_PNG_SIDE} pixels a side, not {width}x{height}"
        )
    with _DRAWING:
        return chart_drawing.draw_png(chart, width, height)


T = TypeVar("T")


class ChartCache:
    """A small LRU of drawn charts, so a reload of the page does not draw them again.

    The key is the caller's context (journey, period, filters) with the chart's digest, so
    new answers (new data, new digest) are drawn afresh and old entries fall out."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()
        self.drawn = 0

    def get(self, key: Hashable, draw: Callable[[], T]) -> T:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]  # type: ignore[return-value]
        found = draw()
        with self._lock:
            self.drawn += 1
            self._entries[key] = found
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


#: The process's cache of drawn charts.
cache = ChartCache()


def cached_svg(context: Hashable, chart: Chart, *, inline: bool = True) -> str:
    draw = inline_svg if inline else svg
    return cache.get(
        (context, chart.name, digest(chart), "inline" if inline else "svg"), lambda: draw(chart)
    )


def cached_png(
    context: Hashable, chart: Chart, width: int = PNG_WIDTH, height: int = PNG_HEIGHT
) -> bytes:
    key = (context, chart.name, digest(chart), "png", width, height)
    return cache.get(key, lambda: png(chart, width, height))
