"""The quarterly review's figures: per touchpoint and period, what the room reads.

For each active touchpoint of a journey (in the definition's order) and for the journey as
a whole (key "*"): invitations sent, answers, response rate, NPS with its adjusted-Wald
interval, CSAT with its Wilson interval, promoters / passives / detractors, mean CSAT,
target met or missed, and the change on the previous period with a verdict on whether it is
larger than the noise (`scoring.change`). Optionally broken down by channel, language,
segment, variant, experiment or any attribute, and narrowed by `ReviewFilters`.

The database sums (`surveys.review_counts`: two grouped queries, however many touchpoints,
periods or breakdown values); this module turns sums into scores. What is counted where:

- An answer counts in the period it was given (`answered_at`), read in the journey's time
  zone; with `count_by="interaction"`, in the period of the interaction it is about.
- The response rate follows the invitations sent in the period (`sent_at`) and how many of
  them were answered, whenever. A breakdown or filter by an attribute has no response rate:
  invitations do not carry attributes.
- Targets come from the journey's current definition, a touchpoint's own over the journey's:
  NPS meets its target when strictly above it, CSAT when at or above it. The whole journey
  and a touchpoint the definition no longer lists are held to the journey's targets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any
from zoneinfo import ZoneInfo

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.periods import AnyPeriod
from journeys.schema import JourneyDefinition, Targets
from surveys import scoring
from surveys.review_counts import (
    NOT_SET,
    Cells,
    Counts,
    attribute_names,
    attribute_values,
    cell_counts,
    distinct_values,
    has_attribute,
    has_value,
    invitations_countable,
)
from surveys.review_filters import (
    BUILT_IN_DIMENSIONS,
    DIMENSION_COLUMNS,
    ReviewError,
    ReviewFilters,
    check_dimension,
)
from surveys.scoring import DEFAULT_MIN_SAMPLE, Change, CsatScore, NpsScore

__all__ = [
    "DEFAULT_MIN_SAMPLE",
    "NOT_SET",
    "NO_FILTERS",
    "WHOLE_JOURNEY",
    "Counts",
    "Figures",
    "Review",
    "TouchpointFigures",
    "check_filters",
    "review_figures",
    "trend",
]

#: The key of the whole journey's figures, beside the touchpoints'.
WHOLE_JOURNEY = "*"
#: The review of every answer (a module-level default, shared and immutable).
NO_FILTERS = ReviewFilters()
#: A message lists what exists when there are at most this many.
_LISTED = 20


@dataclass(frozen=True)
class Figures:
    """The figures of one cell: a touchpoint (or the journey) in a period, perhaps one
    breakdown value of it."""

    counts: Counts
    nps: NpsScore
    csat: CsatScore
    mean_csat: float | None
    response_rate: float | None
    targets: Targets
    nps_met: bool | None
    csat_met: bool | None
    low_sample: bool
    #: The same cell in the previous period (whose own `previous` is None).
    previous: Figures | None
    nps_change: Change | None
    csat_change: Change | None

    @property
    def n(self) -> int:
        """Answers scored: a CSAT-only touchpoint has no NPS answers but does have an n."""
        return max(self.nps.n, self.csat.n)

    def as_dict(self) -> dict[str, Any]:
        """Rounded to one decimal (the mean CSAT to two); every score carries its n."""
        before = self.previous

        def scored(name: str, score: NpsScore | CsatScore, extra: dict[str, Any]) -> dict:
            target = getattr(self.targets, name)
            change = getattr(self, f"{name}_change")
            previous = getattr(before, name) if before else None
            return {
                **score_dict(score),
                **extra,
                "target": rounded(target),
                "target_met": getattr(self, f"{name}_met"),
                "previous": None if previous is None else score_dict(previous),
                "change": None if change is None else rounded_values(asdict(change)),
            }

        return {
            "n": self.n,
            "answers": self.counts.answers,
            "low_sample": self.low_sample,
            "nps": scored("nps", self.nps, {}),
            "csat": scored("csat", self.csat, {"mean": rounded(self.mean_csat, 2)}),
            "response_rate": {
                "sent": self.counts.sent,
                "responses": self.counts.responded,
                "rate": rounded(self.response_rate),
            },
        }


@dataclass(frozen=True)
class TouchpointFigures:
    key: str
    name: str
    stage: str
    figures: Figures
    #: Breakdown value -> figures ({} without a breakdown); NOT_SET for answers without one.
    #: Every touchpoint has the values any answer of the journey has in the period (zero
    #: figures where it has none), so the columns of a table line up.
    groups: dict[str, Figures]

    def as_dict(self) -> dict[str, Any]:
        return {
            "touchpoint": self.key,
            "name": self.name,
            "stage": self.stage,
            **self.figures.as_dict(),
            "groups": {value: found.as_dict() for value, found in self.groups.items()},
        }


@dataclass(frozen=True)
class Review:
    journey: str
    name: str
    timezone: str
    period: AnyPeriod
    filters: ReviewFilters
    by: str | None
    min_sample: int
    touchpoints: list[TouchpointFigures]
    whole: TouchpointFigures

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `GET /api/v1/reports/touchpoints`."""
        start, end = self.period.bounds(ZoneInfo(self.timezone))
        return {
            "journey": self.journey,
            "name": self.name,
            "period": str(self.period),
            "kind": self.period.kind,
            "previous_period": str(self.period.previous()),
            "timezone": self.timezone,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "min_sample": self.min_sample,
            "count_by": self.filters.count_by,
            "filters": self.filters.as_query(),
            "by": self.by,
            "touchpoints": [found.as_dict() for found in self.touchpoints],
            "whole": self.whole.as_dict(),
        }

    def csv_rows(self) -> Iterator[dict[str, object]]:
        """One row per touchpoint, then the whole journey ("*"); with a breakdown, one row
        per touchpoint x breakdown value instead, so no row sums others."""
        for found in [*self.touchpoints, self.whole]:
            if self.by is None:
                yield self._row(found, None, found.figures)
            else:
                for value, figures in found.groups.items():
                    yield self._row(found, value, figures)

    def _row(self, found: TouchpointFigures, value: str | None, f: Figures) -> dict[str, object]:
        before = f.previous
        return {
            "journey": self.journey,
            "period": str(self.period),
            "touchpoint": found.key,
            "name": found.name,
            "stage": found.stage,
            "by": self.by or "",
            "group": value or "",
            "answers": f.counts.answers,
            "sent": f.counts.sent,
            "responded": f.counts.responded,
            "response_rate": rounded(f.response_rate),
            "nps_n": f.nps.n,
            "nps": rounded(f.nps.score),
            "nps_low": rounded(f.nps.low),
            "nps_high": rounded(f.nps.high),
            "promoters": f.nps.promoters,
            "passives": f.nps.passives,
            "detractors": f.nps.detractors,
            "nps_target": rounded(f.targets.nps),
            "nps_target_met": f.nps_met,
            "previous_nps": rounded(before.nps.score) if before else None,
            "nps_change": rounded(f.nps_change.delta) if f.nps_change else None,
            "nps_change_significant": f.nps_change.significant if f.nps_change else None,
            "csat_n": f.csat.n,
            "csat": rounded(f.csat.score),
            "csat_low": rounded(f.csat.low),
            "csat_high": rounded(f.csat.high),
            "satisfied": f.csat.satisfied,
            "mean_csat": rounded(f.mean_csat, 2),
            "csat_target": rounded(f.targets.csat),
            "csat_target_met": f.csat_met,
            "previous_csat": rounded(before.csat.score) if before else None,
            "csat_change": rounded(f.csat_change.delta) if f.csat_change else None,
            "csat_change_significant": f.csat_change.significant if f.csat_change else None,
            "low_sample": f.low_sample,
        }

    def csv_text(self) -> str:
        """The rows as CSV text (a header, then `csv_rows`); empty cells for None."""
        out = io.StringIO()
        rows = list(self.csv_rows())
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()


CSV_COLUMNS = (
    "journey period touchpoint name stage by group answers sent responded response_rate"
    " nps_n nps nps_low nps_high promoters passives detractors nps_target nps_target_met"
    " previous_nps nps_change nps_change_significant csat_n csat csat_low csat_high satisfied"
    " mean_csat csat_target csat_target_met previous_csat csat_change csat_change_significant"
    " low_sample"
).split()


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def rounded_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in values.items()}


def score_dict(score: NpsScore | CsatScore) -> dict[str, Any]:
    internal = ("variance", "adjusted")  # kept for `scoring.change`, not for readers
    return rounded_values({k: v for k, v in asdict(score).items() if k not in internal})


# Figures from counts: pure.


def figures_of(
    counts: Counts, targets: Targets, min_sample: int, previous: Counts | None = None
) -> Figures:
    """Scores, targets and the change on `previous` (the same cell a period earlier)."""
    nps = scoring.nps(counts.promoters, counts.passives, counts.detractors, min_sample=min_sample)
    csat = scoring.csat(counts.satisfied, counts.csat_n, min_sample=min_sample)
    before = None if previous is None else figures_of(previous, targets, min_sample)
    rate = None
    if counts.sent is not None and counts.responded is not None:
        rate = scoring.response_rate(counts.responded, counts.sent)
    return Figures(
        counts=counts,
        nps=nps,
        csat=csat,
        mean_csat=counts.csat_sum / counts.csat_n if counts.csat_n else None,
        response_rate=rate,
        targets=targets,
        nps_met=_met(nps.score, targets.nps, strictly=True),
        csat_met=_met(csat.score, targets.csat, strictly=False),
        low_sample=max(nps.n, csat.n) < min_sample,
        previous=before,
        nps_change=None if before is None else scoring.change(nps, before.nps),
        csat_change=None if before is None else scoring.change(csat, before.csat),
    )


def _met(score: float | None, target: float | None, *, strictly: bool) -> bool | None:
    if score is None or target is None:
        return None
    return score > target if strictly else score >= target


# The journey as the review reads it.


@dataclass(frozen=True)
class _Reviewed:
    journey: Journey
    definition: JourneyDefinition | None
    touchpoints: list[Touchpoint]

    def targets(self, key: str) -> Targets:
        """A touchpoint's own over the journey's; the journey's alone for one its definition
        does not list (yet, or any more), and for the whole journey."""
        if self.definition is None:
            return Targets()
        own = next((t for t in self.definition.touchpoints if t.key == key), None)
        return self.definition.targets_for(own) if own else self.definition.targets

    def journey_targets(self) -> Targets:
        return self.definition.targets if self.definition else Targets()

    def stage(self, key: str) -> str:
        return next(tp.stage for tp in self.touchpoints if tp.key == key)

    def name(self, key: str) -> str:
        own = self.definition and next(
            (t for t in self.definition.touchpoints if t.key == key), None
        )
        return own.display_name("en") if own else key.replace("-", " ")


async def _reviewed(journey_key: str, filters: ReviewFilters) -> _Reviewed:
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    version = await JourneyVersion.get_or_none(journey_id=journey.id, version=journey.version)
    definition = JourneyDefinition.model_validate(version.definition) if version else None
    if filters.touchpoint is not None:
        touchpoints = await Touchpoint.filter(journey_id=journey.id, key=filters.touchpoint)
        if not touchpoints:
            raise ReviewError("touchpoint", await _unknown_touchpoint(journey, filters.touchpoint))
    else:
        touchpoints = await Touchpoint.filter(journey_id=journey.id, active=True).order_by("key")
    order = {tp.key: i for i, tp in enumerate(definition.touchpoints if definition else [])}
    touchpoints.sort(key=lambda tp: order.get(tp.key, len(order)))
    return _Reviewed(journey, definition, touchpoints)


async def _unknown_touchpoint(journey: Journey, key: str) -> str:
    known = await Touchpoint.filter(journey_id=journey.id).order_by("key").values_list("key")
    listed = ", ".join(k for (k,) in known)
    return f"journey {journey.key!r} has no touchpoint {key!r} (it has: {listed})"


class _Sums:
    """The cells summed once over breakdown values and over touchpoints: (touchpoint id or
    "*", period index, breakdown value or None for all of them) -> counts."""

    def __init__(self, cells: Cells, empty: Counts) -> None:
        self.empty = empty
        self.sums: dict[tuple[int | str, int, str | None], Counts] = {}
        for (touchpoint_id, at, group), found in cells.items():
            for key in (
                (touchpoint_id, at, group),
                (touchpoint_id, at, None),
                (WHOLE_JOURNEY, at, group),
                (WHOLE_JOURNEY, at, None),
            ):
                self.sums[key] = self.sums.get(key, empty) + found

    def __call__(self, of: int | str, index: int, value: str | None = None) -> Counts:
        return self.sums.get((of, index, value), self.empty)


def _values(cells: Cells, index: int) -> list[str]:
    """The breakdown values of a period, in order, the answers without one last."""
    found = {group for (_, at, group) in cells if at == index}
    return sorted(found - {NOT_SET}) + ([NOT_SET] if NOT_SET in found else [])


async def review_figures(
    journey_key: str,
    period: AnyPeriod,
    *,
    filters: ReviewFilters = NO_FILTERS,
    by: str | None = None,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> Review:
    """The figures of `period` with the previous period's beside them: two queries."""
    by = check_dimension(by)
    reviewed = await _reviewed(journey_key, filters)
    tz = ZoneInfo(reviewed.journey.timezone)
    ids = [tp.id for tp in reviewed.touchpoints]
    cells = await cell_counts(ids, [period.bounds(tz), period.previous().bounds(tz)], filters, by)
    sums = _Sums(cells, _empty(filters, by))
    values = _values(cells, 0) if by else []

    def figures(key: str, of: int | str) -> TouchpointFigures:
        targets = reviewed.targets(key) if key != WHOLE_JOURNEY else reviewed.journey_targets()

        def one(value: str | None) -> Figures:
            return figures_of(sums(of, 0, value), targets, min_sample, sums(of, 1, value))

        if key == WHOLE_JOURNEY:
            name, stage = reviewed.journey.name, ""
        else:
            name, stage = reviewed.name(key), reviewed.stage(key)
        return TouchpointFigures(key, name, stage, one(None), {v: one(v) for v in values})

    journey = reviewed.journey
    return Review(
        journey=journey.key,
        name=journey.name,
        timezone=journey.timezone,
        period=period,
        filters=filters,
        by=by,
        min_sample=min_sample,
        touchpoints=[figures(tp.key, tp.id) for tp in reviewed.touchpoints],
        whole=figures(WHOLE_JOURNEY, WHOLE_JOURNEY),
    )


def _empty(filters: ReviewFilters, by: str | None) -> Counts:
    """A cell nothing was counted in: no invitations sent, or none countable."""
    if invitations_countable(filters, by):
        return Counts()
    return Counts(sent=None, responded=None)


async def trend(
    journey_key: str,
    periods: list[AnyPeriod],
    *,
    filters: ReviewFilters = NO_FILTERS,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> dict[str, list[tuple[AnyPeriod, Figures]]]:
    """Figures per touchpoint key (and "*") for each of `periods` (of one kind), in the
    order given, each with its change on the period before: one query for answers and one
    for invitations, the periods told apart by a CASE on their bounds."""
    if not periods:
        return {}
    reviewed = await _reviewed(journey_key, filters)
    tz = ZoneInfo(reviewed.journey.timezone)
    wanted = list(dict.fromkeys([*periods, *(p.previous() for p in periods)]))
    index = {p: i for i, p in enumerate(wanted)}
    ids = [tp.id for tp in reviewed.touchpoints]
    cells = await cell_counts(ids, [p.bounds(tz) for p in wanted], filters, None)
    sums = _Sums(cells, _empty(filters, None))

    def series(of: int | str, targets: Targets) -> list[tuple[AnyPeriod, Figures]]:
        return [
            (p, figures_of(sums(of, index[p]), targets, min_sample, sums(of, index[p.previous()])))
            for p in periods
        ]

    found = {tp.key: series(tp.id, reviewed.targets(tp.key)) for tp in reviewed.touchpoints}
    found[WHOLE_JOURNEY] = series(WHOLE_JOURNEY, reviewed.journey_targets())
    return found


async def check_filters(journey_key: str, filters: ReviewFilters, by: str | None) -> None:
    """Refuse what would quietly give an empty review: a touchpoint the journey does not
    have, a segment, channel, variant or experiment none of its answers has, an attribute
    (to filter or break down by) none of its answers carries. LookupError for an unknown
    journey; ReviewError naming the parameter otherwise, listing what exists when short."""
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    touchpoints = await Touchpoint.filter(journey_id=journey.id).values_list("id", "key")
    keys = {key for _, key in touchpoints}
    if filters.touchpoint is not None and filters.touchpoint not in keys:
        raise ReviewError("touchpoint", await _unknown_touchpoint(journey, filters.touchpoint))
    ids = [tp_id for tp_id, _ in touchpoints]
    for name in ("segment", "channel", "variant", "experiment"):
        value = getattr(filters, name)
        if value is not None and not await has_value(DIMENSION_COLUMNS[name], value, ids):
            found = await distinct_values(DIMENSION_COLUMNS[name], ids, limit=_LISTED + 1)
            raise ReviewError(
                name, f"no answer of {journey_key!r} has {name} {value!r}" + _listed(found)
            )
    for name, value in filters.attributes:
        if not await has_attribute(name, None, ids):
            found = await attribute_names(ids, limit=_LISTED + 1)
            raise ReviewError(
                "attribute",
                f"no answer of {journey_key!r} has an attribute {name!r}" + _listed(found),
            )
        if not await has_attribute(name, value, ids):
            found = await attribute_values(name, ids, limit=_LISTED + 1)
            raise ReviewError(
                "attribute", f"no answer of {journey_key!r} has {name} {value!r}" + _listed(found)
            )
    by = check_dimension(by)
    if by is not None and by not in BUILT_IN_DIMENSIONS and not await has_attribute(by, None, ids):
        found = await attribute_names(ids, limit=_LISTED + 1)
        built_in = ", ".join(BUILT_IN_DIMENSIONS)
        raise ReviewError(
            "by",
            f"break down by {built_in} or an attribute; no answer of {journey_key!r} has an"
            f" attribute {by!r}" + _listed(found),
        )


def _listed(found: list[str]) -> str:
    if not found:
        return " (it has none)"
    if len(found) > _LISTED:
        return ""
    return f" (it has: {', '.join(found)})"
