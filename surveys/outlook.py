"""The quarter under way, per touchpoint: the chance of ending it on target and the answers
still needed to tell a change from noise (`surveys.forecast`), from the review's figures.

The usual volume is the previous four quarters' answers per day (those quarters that had
any answers; a touchpoint newer than that goes by its own pace this quarter), times the days
left in the quarter, days counted in the journey's time zone. The same four quarters, summed,
centre the forecast's prior. The answers needed compare with the previous quarter's n.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from journeys.models import Journey
from journeys.periods import AnyPeriod, period_containing, periods_ending
from journeys.schema import Targets
from surveys.forecast import (
    Outlook,
    answers_needed,
    csat_variance,
    expected_remaining,
    nps_variance,
    outlook,
)
from surveys.review import NO_FILTERS, WHOLE_JOURNEY, Figures, trend
from surveys.review_counts import Counts
from surveys.review_filters import ReviewFilters

#: How many earlier quarters give the usual volume and the prior.
HISTORY = 4
_DAY = timedelta(days=1)


@dataclass(frozen=True)
class TouchpointOutlook:
    key: str
    period: AnyPeriod
    days_elapsed: float
    days_left: float
    targets: Targets
    outlook: Outlook
    #: The change, in points, the answers needed are counted for.
    delta: float
    nps_answers_needed: int | None
    csat_answers_needed: int | None

    def as_dict(self) -> dict[str, object]:
        return {
            "touchpoint": self.key,
            "period": str(self.period),
            "days_elapsed": round(self.days_elapsed, 1),
            "days_left": round(self.days_left, 1),
            "targets": {"nps": self.targets.nps, "csat": self.targets.csat},
            **self.outlook.as_dict(),
            "delta": self.delta,
            "nps_answers_needed": self.nps_answers_needed,
            "csat_answers_needed": self.csat_answers_needed,
        }


async def quarter_outlook(
    journey_key: str,
    now: datetime,
    *,
    filters: ReviewFilters = NO_FILTERS,
    delta: float = 5.0,
) -> dict[str, TouchpointOutlook]:
    """Per touchpoint key (and "*" for the whole journey), where the quarter containing
    `now` is heading. LookupError for an unknown journey."""
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    tz = ZoneInfo(journey.timezone)
    quarter = period_containing(now, tz, "quarter")
    history = periods_ending(quarter.previous(), HISTORY)
    found = await trend(journey_key, [*history, quarter], filters=filters)
    start, end = quarter.bounds(tz)
    elapsed, left = (now - start) / _DAY, (end - now) / _DAY
    lengths = [_days(p, tz) for p in history]
    return {
        key: _touchpoint(key, quarter, series, lengths, elapsed, left, delta)
        for key, series in found.items()
    }


def _days(period: AnyPeriod, tz: ZoneInfo) -> float:
    start, end = period.bounds(tz)
    return (end - start) / _DAY


def _touchpoint(
    key: str,
    quarter: AnyPeriod,
    series: list[tuple[AnyPeriod, Figures]],
    lengths: list[float],
    elapsed: float,
    left: float,
    delta: float,
) -> TouchpointOutlook:
    *before, (_, now) = series
    counts = now.counts
    summed = Counts(sent=None, responded=None)
    nps_before = csat_before = 0
    nps_days = csat_days = 0.0
    for (_, figures), days in zip(before, lengths, strict=True):
        summed = summed + figures.counts
        if figures.nps.n:
            nps_before, nps_days = nps_before + figures.nps.n, nps_days + days
        if figures.csat.n:
            csat_before, csat_days = csat_before + figures.csat.n, csat_days + days
    if not nps_days:  # nothing before: the touchpoint's own pace so far
        nps_before, nps_days = now.nps.n, elapsed
    if not csat_days:
        csat_before, csat_days = now.csat.n, elapsed
    found = outlook(
        counts,
        remaining_nps=expected_remaining(nps_before, nps_days, left),
        remaining_csat=expected_remaining(csat_before, csat_days, left),
        nps_target=now.targets.nps,
        csat_target=now.targets.csat,
        history=summed,
    )
    previous = now.previous
    nps_variation = nps_variance(counts.promoters, counts.passives, counts.detractors)
    csat_variation = csat_variance(counts.satisfied, counts.csat_n)
    if previous is not None:
        earlier = previous.counts
        nps_variation = nps_variation or nps_variance(
            earlier.promoters, earlier.passives, earlier.detractors
        )
        csat_variation = csat_variation or csat_variance(earlier.satisfied, earlier.csat_n)
    return TouchpointOutlook(
        key=key,
        period=quarter,
        days_elapsed=elapsed,
        days_left=left,
        targets=now.targets,
        outlook=found,
        delta=delta,
        nps_answers_needed=answers_needed(
            nps_variation, now.nps.n, previous.nps.n if previous else 0, delta=delta
        ),
        csat_answers_needed=answers_needed(
            csat_variation, now.csat.n, previous.csat.n if previous else 0, delta=delta
        ),
    )


__all__ = ["WHOLE_JOURNEY", "TouchpointOutlook", "quarter_outlook"]
