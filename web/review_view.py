"""The review as the page writes it: cells of the figures table, the map's rows, the charts.

Pure: the figures of `surveys.review` in, strings and chart values out, so the table, the
map and the charts say the same numbers the same way, and the tests read them as tables.
Every score carries its n and its interval; a change says whether it is larger than the
noise (the test is `surveys.scoring.change`'s); a target says met or missed in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from journeys.periods import AnyPeriod
from surveys import scoring
from surveys.reports import TouchpointRow
from surveys.review import Figures, Review, TouchpointFigures
from surveys.scoring import Change
from web.charts import MixChart, ScoreMix, TrendChart, TrendPoint

#: Quarters (or months, or weeks) in a trend chart.
TREND_PERIODS = 8
WHOLE_JOURNEY = "whole journey"
_SLUG = re.compile(r"[^A-Za-z0-9_-]+")


def chart_key(key: str) -> str:
    """A touchpoint's key as it appears in a chart's name ("*" is the whole journey)."""
    return "journey" if key == "*" else _SLUG.sub("-", key)


def _change(found: Change | None, unit: str = "") -> dict[str, str]:
    if found is None:
        return {"value": "—", "verdict": ""}
    verdict = "larger than the noise" if found.significant else "within the noise"
    margin = "" if found.margin is None else f" (± {found.margin:.1f})"
    return {"value": f"{found.delta:+.1f}{unit}{margin}", "verdict": verdict}


def _met(found: bool | None) -> str:
    return "—" if found is None else "met" if found else "missed"


def figure_cells(figures: Figures) -> dict[str, Any]:
    """One row of the figures table: every score with its n and its interval."""
    nps, csat, counts = figures.nps, figures.csat, figures.counts
    targets = figures.targets
    return {
        "n": counts.answers,
        "nps": "—" if nps.score is None else f"{nps.score:+.1f}",
        "nps_margin": "" if nps.margin is None else f"± {nps.margin:.1f}",
        "nps_interval": "" if nps.low is None else f"{nps.low:+.1f} to {nps.high:+.1f}",
        "nps_n": nps.n,
        "nps_low_sample": nps.n > 0 and nps.low_sample,
        "csat": "—" if csat.score is None else f"{csat.score:.1f}%",
        "csat_interval": "" if csat.low is None else f"{csat.low:.1f}% to {csat.high:.1f}%",
        "csat_n": csat.n,
        "csat_low_sample": csat.n > 0 and csat.low_sample,
        "mean_csat": "—" if figures.mean_csat is None else f"{figures.mean_csat:.2f}",
        "rate": "—" if figures.response_rate is None else f"{figures.response_rate:.1f}%",
        "sent": "—" if counts.sent is None else counts.sent,
        "responded": "—" if counts.responded is None else counts.responded,
        "nps_change": _change(figures.nps_change),
        "csat_change": _change(figures.csat_change),
        "nps_target": "" if targets.nps is None else f"above {targets.nps:g}",
        "csat_target": "" if targets.csat is None else f"{targets.csat:g}% or more",
        "nps_met": _met(figures.nps_met),
        "csat_met": _met(figures.csat_met),
    }


@dataclass(frozen=True)
class TableRow:
    key: str
    name: str
    stage: str
    group: str | None
    cells: dict[str, Any]


def table_rows(review: Review) -> list[TableRow]:
    """The touchpoints in the journey's order, then the whole journey; with `by`, each
    touchpoint's groups follow it."""
    rows = []
    for found in [*review.touchpoints, review.whole]:
        name = WHOLE_JOURNEY if found.key == "*" else found.name
        rows.append(TableRow(found.key, name, found.stage, None, figure_cells(found.figures)))
    return rows


def breakdown_rows(review: Review) -> list[TableRow]:
    rows = []
    for found in [*review.touchpoints, review.whole]:
        name = WHOLE_JOURNEY if found.key == "*" else found.name
        for value, figures in found.groups.items():
            rows.append(TableRow(found.key, name, found.stage, value, figure_cells(figures)))
    return rows


def map_rows(review: Review) -> list[TouchpointRow]:
    """The review's figures as the rows `web.journey_map` colours its cards by."""
    empty_nps = scoring.nps(0, 0, 0, min_sample=review.min_sample)
    empty_csat = scoring.csat(0, 0, min_sample=review.min_sample)
    rows = []
    for found in review.touchpoints:
        f = found.figures
        rows.append(
            TouchpointRow(
                touchpoint=found.key,
                stage=found.stage,
                nps=f.nps,
                csat=f.csat,
                sent=f.counts.sent or 0,
                responses=f.counts.responded or 0,
                response_rate=f.response_rate,
                previous_nps=f.previous.nps if f.previous else empty_nps,
                previous_csat=f.previous.csat if f.previous else empty_csat,
                nps_change=f.nps_change,
                csat_change=f.csat_change,
                targets=f.targets,
                nps_target_met=f.nps_met,
                csat_target_met=f.csat_met,
            )
        )
    return rows


def _point(period: AnyPeriod, figures: Figures, measure: str) -> TrendPoint:
    score = figures.nps if measure == "NPS" else figures.csat
    return TrendPoint(
        period=str(period),
        score=score.score,
        low=score.low,
        high=score.high,
        n=score.n,
        low_sample=score.n > 0 and score.low_sample,
    )


def trend_charts(
    series: dict[str, list[tuple[AnyPeriod, Figures]]],
    names: dict[str, str],
    min_sample: int,
) -> list[TrendChart]:
    """NPS and CSAT trends per touchpoint and for the whole journey. A measure nobody
    answered in the whole trend is left out, and so is a touchpoint with no answers at all
    (`silent_touchpoints` names them); the whole journey keeps one chart, empty if need be,
    that says so."""
    charts = []
    for key, name in names.items():
        found = series.get(key, [])
        drawn = []
        for measure in ("NPS", "CSAT"):
            points = tuple(_point(period, figures, measure) for period, figures in found)
            if not any(point.n for point in points):
                continue
            last = found[-1][1].targets if found else None
            target = None if last is None else last.nps if measure == "NPS" else last.csat
            drawn.append(
                TrendChart(
                    name=f"trend-{chart_key(key)}-{measure.lower()}",
                    title=f"{name}: {measure} by {_kind(found)}",
                    measure=measure,  # type: ignore[arg-type]
                    points=points,
                    target=target,
                    min_sample=min_sample,
                )
            )
        if not drawn and key == "*":
            points = tuple(_point(period, figures, "NPS") for period, figures in found)
            drawn.append(
                TrendChart(f"trend-{chart_key(key)}-nps", f"{name}: NPS", "NPS", points, None)
            )
        charts.extend(drawn)
    return charts


def silent_touchpoints(
    series: dict[str, list[tuple[AnyPeriod, Figures]]], names: dict[str, str]
) -> list[str]:
    """The touchpoints nobody answered in the whole trend, by name."""
    return [
        name
        for key, name in names.items()
        if key != "*" and not any(f.counts.answers for _, f in series.get(key, []))
    ]


def _kind(found: Sequence[tuple[AnyPeriod, Figures]]) -> str:
    return getattr(found[0][0], "kind", "quarter") if found else "quarter"


def mix_chart(review: Review) -> MixChart:
    rows = [
        ScoreMix(f.name, f.figures.nps.promoters, f.figures.nps.passives, f.figures.nps.detractors)
        for f in review.touchpoints
    ]
    whole = review.whole.figures.nps
    rows.append(ScoreMix(WHOLE_JOURNEY, whole.promoters, whole.passives, whole.detractors))
    return MixChart("mix", f"Promoters, passives and detractors, {review.period}", tuple(rows))


def touchpoint_names(review: Review) -> dict[str, str]:
    names = {found.key: found.name for found in review.touchpoints}
    names["*"] = WHOLE_JOURNEY
    return names


def described_filters(review: Review) -> list[str]:
    """The filters in words, for the page's (and the printout's) header."""
    said = [f"{name} {value}" for name, value in review.filters.as_query().items()]
    if review.by:
        said.append(f"broken down by {review.by}")
    return said


def touchpoint_of(review: Review, key: str) -> TouchpointFigures | None:
    return next((found for found in review.touchpoints if found.key == key), None)
