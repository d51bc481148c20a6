"""The review's charts drawn by matplotlib: Agg for PNG, its SVG backend for SVG, no GUI.

Only the object API (`Figure()`), never pyplot, so nothing global is kept between drawings.
The few settings matplotlib reads only from its rcParams are fixed once, at import, to
values that make the output deterministic: the SVG id salt, text kept as text (readable,
searchable, printable) and no date in the metadata.

Colours are Okabe-Ito, told apart by viewers with any common colour blindness, and never
the only sign: every series has a label, low samples a hollow marker, the target a dashed
line with its value written beside it. Fonts: DejaVu Sans, with a CJK font after it for
Chinese labels when one is installed (`fonts-wqy-microhei`); without one, nothing warns.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from collections.abc import Sequence
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.colors import LinearSegmentedColormap, Normalize
from matplotlib.figure import Figure

from web.charts import Chart, MixChart, ThemeChart, TrendChart

#: Okabe-Ito.
BLUE, VERMILLION, ORANGE, SKY, GREEN, GREY, BLACK = (
    "#0072B2",
    "#D55E00",
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#BBBBBB",
    "#000000",
)
CJK_FONTS = ("WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Noto Sans CJK SC", "Noto Sans SC")
#: The page's chart size in inches at 100 dpi (the SVG is scaled by the page anyway).
SIZE = (6.4, 3.4)
SVG_METADATA = {"Date": None, "Creator": "Touchpoint"}
#: Detractor-heavy themes vermillion, promoter-heavy blue, the middle grey.
THEME_COLOURS = LinearSegmentedColormap.from_list("theme_nps", [VERMILLION, "#DDDDDD", BLUE])


#: Where Debian puts the CJK fonts; added by path when matplotlib's font cache predates them.
CJK_FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)


def font_families() -> list[str]:
    installed = {entry.name for entry in font_manager.fontManager.ttflist}
    if not installed.intersection(CJK_FONTS):
        for path in CJK_FONT_FILES:
            if Path(path).exists():
                font_manager.fontManager.addfont(path)
        installed = {entry.name for entry in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *(name for name in CJK_FONTS if name in installed)]


# A CJK font has no bold: matplotlib says so at each bold title; the regular weight is fine.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
matplotlib.rcParams.update(
    {
        "svg.hashsalt": "touchpoint",
        "svg.fonttype": "none",
        "font.family": font_families(),
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)


def draw_svg(chart: Chart) -> str:
    figure = draw(chart, SIZE)
    out = io.StringIO()
    figure.savefig(out, format="svg", metadata=SVG_METADATA)
    return out.getvalue()


def draw_png(chart: Chart, width: int, height: int) -> bytes:
    # Text sized for a slide at 1600 pixels, kept legible in a small image; a hair more than
    # the size asked for, as matplotlib truncates the pixel size it computes.
    dpi = max(100, min(200, width // 8))
    size = ((width + 1e-6) / dpi, (height + 1e-6) / dpi)
    figure = draw(chart, size, dpi=dpi)
    out = io.BytesIO()
    with warnings.catch_warnings():
        # No CJK font installed: the glyphs are boxes, and the SVG (drawn by the reader's
        # browser, with its own fonts) stays right; nothing to warn the reader about.
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font")
        # A thumbnail too small for the labels still draws; the layout simply gives way.
        warnings.filterwarnings("ignore", message="constrained_layout not applied")
        figure.savefig(out, format="png", dpi=dpi, metadata={"Software": "Touchpoint"})
    return out.getvalue()


def draw(chart: Chart, size: tuple[float, float], dpi: int = 100) -> Figure:
    figure = Figure(figsize=size, dpi=dpi, layout="constrained")
    axes = figure.add_subplot()
    if chart.empty:
        _empty(axes, chart)
    elif isinstance(chart, TrendChart):
        _trend(axes, chart)
    elif isinstance(chart, MixChart):
        _mix(axes, chart)
    else:
        _themes(figure, axes, chart)
    axes.set_title(chart.title, loc="left", fontsize=10, fontweight="bold")
    return figure


def _empty(axes: Axes, chart: Chart) -> None:
    """An honest empty state: no axes pretending to a zero, just what is missing."""
    axes.set_axis_off()
    said = {
        TrendChart: "No answers in these periods yet",
        MixChart: "No NPS answers in this period",
        ThemeChart: "No comments with a theme in this period",
    }[type(chart)]
    axes.text(0.5, 0.5, said, ha="center", va="center", color="#444444", gid="empty")


def _nan(value: float | None) -> float:
    return math.nan if value is None else value


def _trend(axes: Axes, chart: TrendChart) -> None:
    points = chart.points
    x = list(range(len(points)))
    scores = [_nan(p.score) for p in points]
    axes.fill_between(
        x,
        [_nan(p.low) for p in points],
        [_nan(p.high) for p in points],
        color=SKY,
        alpha=0.35,
        linewidth=0,
        label="95% interval",
        gid="band",
    )
    axes.plot(x, scores, color=BLUE, marker="o", linewidth=2, label=chart.measure, gid="series")
    low = [(i, p.score) for i, p in enumerate(points) if p.low_sample and p.score is not None]
    if low:
        axes.plot(
            [i for i, _ in low],
            [s for _, s in low],
            linestyle="none",
            marker="o",
            markersize=9,
            markerfacecolor="white",
            markeredgecolor=ORANGE,
            markeredgewidth=2,
            label=f"low sample (n < {chart.min_sample})",
            gid="low-sample",
        )
    for i, point in enumerate(points):
        if point.score is not None:
            text = f"{point.score:+.0f}" if chart.measure == "NPS" else f"{point.score:.0f}%"
            axes.annotate(
                text,
                (i, point.score),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=8,
                gid=f"value-{i}",
            )
    if chart.target is not None:
        axes.axhline(
            chart.target,
            color=VERMILLION,
            linestyle="--",
            linewidth=1.2,
            label=f"target {chart.target:g}",
            gid="target",
        )
    axes.set_xticks(x, [p.period for p in points], rotation=30, ha="right", fontsize=8)
    axes.set_ylim(*_limits(chart))
    axes.set_ylabel(chart.measure + (" (%)" if chart.measure == "CSAT" else ""))
    axes.grid(axis="y", color="#E5E5E5", linewidth=0.6)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


def _limits(chart: TrendChart) -> tuple[float, float]:
    """Room for the band, the labels and the target, within the scale's own range."""
    floor, ceiling = (-100.0, 100.0) if chart.measure == "NPS" else (0.0, 100.0)
    seen = [v for p in chart.points for v in (p.low, p.high, p.score) if v is not None]
    if chart.target is not None:
        seen.append(chart.target)
    low, high = min(seen), max(seen)
    pad = max(5.0, (high - low) * 0.12)
    return max(floor, low - pad), min(ceiling, high + pad)


def _mix(axes: Axes, chart: MixChart) -> None:
    rows = list(reversed(chart.rows))  # first touchpoint at the top
    y = list(range(len(rows)))
    labels = [r.label for r in rows]
    left = [0.0] * len(rows)
    parts: Sequence[tuple[str, str, str, str]] = (
        ("detractors", VERMILLION, "white", "//"),
        ("passives", GREY, BLACK, ""),
        ("promoters", BLUE, "white", ""),
    )
    for name, colour, ink, hatch in parts:
        counts = [getattr(r, name) for r in rows]
        shares = [100 * c / r.n if r.n else 0.0 for c, r in zip(counts, rows, strict=True)]
        bars = axes.barh(
            y,
            shares,
            left=left,
            color=colour,
            edgecolor="white",
            hatch=hatch,
            label=name,
            gid=name,
        )
        axes.bar_label(
            bars,
            labels=[str(c) if share >= 6 else "" for c, share in zip(counts, shares, strict=True)],
            label_type="center",
            color=ink,
            fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": colour, "edgecolor": "none"},
        )
        left = [a + b for a, b in zip(left, shares, strict=True)]
    for i, row in enumerate(rows):
        axes.text(101, i, f"n={row.n}", va="center", fontsize=8)
    axes.set_yticks(y, labels)
    axes.set_xlim(0, 112)
    axes.set_xticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"])
    axes.legend(loc="upper center", bbox_to_anchor=(0.45, -0.12), ncol=3, frameon=False)


def _themes(figure: Figure, axes: Axes, chart: ThemeChart) -> None:
    bars = list(reversed(chart.bars))
    y = list(range(len(bars)))
    scale = Normalize(vmin=-100, vmax=100)
    colours = [THEME_COLOURS(scale(b.nps)) if b.nps is not None else GREY for b in bars]
    drawn = axes.barh(
        y, [b.answers for b in bars], color=colours, edgecolor="#555555", gid="themes"
    )
    axes.bar_label(
        drawn,
        labels=[f"{b.answers} · NPS {'—' if b.nps is None else f'{b.nps:+.0f}'}" for b in bars],
        padding=3,
        fontsize=8,
    )
    axes.set_yticks(y, [b.theme for b in bars])
    axes.set_xlim(0, max(b.answers for b in bars) * 1.35)
    axes.set_xlabel("answers that mention the theme")
    colour_bar = figure.colorbar(
        matplotlib.cm.ScalarMappable(norm=scale, cmap=THEME_COLOURS), ax=axes, shrink=0.8
    )
    colour_bar.set_label("theme NPS")
