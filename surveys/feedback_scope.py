"""What the feedback figures of one journey read: its touchpoints under the filters, its
period bounds in its time zone, and the SQL pieces the theme and comment queries share.

A comment counts in the feedback figures once analysed under its current text: `analysed`
set (an edited comment is reset until the worker has analysed it again) and the comment
still there (an erased answer keeps its scores, not its words). So theme rows left from an
earlier text are never counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from journeys.models import Journey, Touchpoint
from journeys.periods import AnyPeriod
from surveys.review_filters import ReviewError, ReviewFilters, answer_conditions

#: The whole journey's key beside the touchpoints' keys.
WHOLE = "*"
#: An answer whose comment the figures may read.
COMMENTED = "a.comment IS NOT NULL AND TRIM(a.comment) <> ''"
#: An answer whose comment's analysis is current.
ANALYSED = f"a.analysed IS NOT NULL AND {COMMENTED}"
#: The scores of a group of answers: answers, promoters, passives, detractors, CSAT
#: answers, satisfied (4 and 5), and negative comments.
SCORE_COLUMNS = (
    "COUNT(*),"
    " SUM(CASE WHEN a.nps >= 9 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN a.nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN a.nps <= 6 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN a.csat IS NOT NULL THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN a.csat >= 4 THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN a.sentiment = 'negative' THEN 1 ELSE 0 END)"
)
#: Unhappy answers first: detractors, then CSAT 1 to 3 (4 and 5 are satisfied).
UNHAPPY_FIRST = "CASE WHEN a.nps <= 6 THEN 0 WHEN a.csat <= 3 THEN 1 ELSE 2 END"
#: No filter: every answer of the journey's touchpoints in the period.
NO_FILTERS = ReviewFilters()


@dataclass(frozen=True)
class FeedbackScope:
    journey: str
    timezone: ZoneInfo
    #: Touchpoint keys by id, in the order they were created, narrowed to the filter's one.
    touchpoints: dict[int, str]

    @property
    def keys(self) -> list[str]:
        """The result keys: every touchpoint, then the whole journey."""
        return [*self.touchpoints.values(), WHOLE]

    def conditions(self, filters: ReviewFilters, period: AnyPeriod) -> tuple[str, list[Any]]:
        start, end = period.bounds(self.timezone)
        return answer_conditions(filters, list(self.touchpoints), start, end)


async def feedback_scope(journey_key: str, filters: ReviewFilters) -> FeedbackScope:
    """LookupError for an unknown journey; ReviewError for a touchpoint it does not have."""
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey {journey_key!r}")
    touchpoints = {
        t.id: t.key for t in await Touchpoint.filter(journey_id=journey.id).order_by("id")
    }
    if filters.touchpoint is not None:
        touchpoints = {i: key for i, key in touchpoints.items() if key == filters.touchpoint}
        if not touchpoints:
            raise ReviewError(
                "touchpoint", f"journey {journey_key!r} has no touchpoint {filters.touchpoint!r}"
            )
    return FeedbackScope(journey.key, ZoneInfo(journey.timezone), touchpoints)
