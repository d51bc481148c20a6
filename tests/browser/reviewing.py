"""Quarters of answers for the review page in the browser: the shop's `use` and
`after-sales` touchpoints over the last five quarters, drifting, with comments, themes and
sentiment in English and Chinese, written straight through the ORM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from journeys.models import Touchpoint
from journeys.periods import current_period, periods_ending
from tests.browser.live import LiveServer
from tests.surveys.comment_factories import written

#: Any 16 characters: the answers count as analysed.
ANALYSED = "0123456789abcdef"
#: Per quarter, oldest first: (promoters, passives, detractors) at `use`.
USE = [(20, 8, 6), (22, 10, 5), (18, 9, 9), (14, 8, 14), (9, 4, 12)]


def a_year_of_answers(live: LiveServer) -> None:
    async def fill() -> None:
        use = await Touchpoint.get(journey__key="shop", key="use")
        care = await Touchpoint.get(journey__key="shop", key="after-sales")
        quarters = periods_ending(current_period(datetime.now(UTC), UTC), len(USE))
        for quarter, (promoters, passives, detractors) in zip(quarters, USE, strict=True):
            start, _ = quarter.bounds(UTC)
            at = min(start + timedelta(days=10), datetime.now(UTC) - timedelta(hours=1))
            await written(use, promoters, nps=10, csat=5, answered_at=at, segment="A")
            await written(use, passives, nps=8, csat=4, answered_at=at, segment="B")
            await written(
                use,
                detractors,
                nps=3,
                csat=2,
                answered_at=at,
                comment="The parcel sat at the depot for four days.",
                themes=("delivery", "waiting time"),
                sentiment="negative",
                analysed=ANALYSED,
                terms="parcel depot four days",
                segment="B",
            )
            await written(
                use,
                2,
                nps=9,
                csat=5,
                answered_at=at,
                comment="送货很快，包装很好。",
                themes=("delivery", "packaging"),
                sentiment="positive",
                analysed=ANALYSED,
                terms="送货 很快 包装 很好",
                locale="zh-CN",
                segment="A",
            )
            await written(care, 12, nps=9, csat=5, answered_at=at)
            await written(
                care,
                4,
                nps=5,
                csat=2,
                answered_at=at,
                comment="It took three emails to get an answer.",
                themes=("staff", "waiting time"),
                sentiment="negative",
                analysed=ANALYSED,
                terms="three emails answer",
            )
            await written(
                care,
                2,
                nps=4,
                csat=2,
                answered_at=at,
                comment="客服回复太慢。",
                themes=("staff", "waiting time"),
                sentiment="negative",
                analysed=ANALYSED,
                terms="客服 回复 太慢",
                locale="zh-CN",
            )

    live.run(fill)
