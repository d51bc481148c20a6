"""Where the online store's quarter is heading, from answers in a real database.

The store reports in Shanghai time: 2026-Q4 runs from 2026-09-30 16:00 UTC to 2026-12-31
16:00 UTC (92 days), and 2026-Q3 from 2026-06-30 16:00 UTC (92 days).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.periods import Period
from surveys.forecast import outlook
from surveys.outlook import quarter_outlook
from surveys.review_filters import ReviewFilters
from surveys.tallies import Tally
from tests.surveys.experiment_cases import answered
from tests.surveys.factories import create_journey

#: 45 days 20 hours into Q4; 46 days 4 hours (46.1667 days) left.
NOW = datetime(2026, 11, 15, 12, tzinfo=UTC)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
EARLY_Q4 = datetime(2026, 10, 20, 10, tzinfo=UTC)


async def shipping_history(touchpoints) -> None:
    """Shipping (CSAT only): 46 answers in Q3, 40 satisfied; 20 so far in Q4, 17 satisfied."""
    ship = touchpoints["ship"]
    await answered(ship, 40, at=MID_Q3, csat=5)
    await answered(ship, 6, at=MID_Q3, csat=2)
    await answered(ship, 17, at=EARLY_Q4, csat=4)
    await answered(ship, 3, at=EARLY_Q4, csat=1)


async def test_the_chance_follows_the_usual_volume_and_the_previous_shares(db):
    await shipping_history(await create_journey())

    found = await quarter_outlook("online-store", NOW)

    ship = found["ship"]
    assert ship.period == Period(2026, 4)
    assert ship.days_elapsed == pytest.approx(45 + 20 / 24)
    assert ship.days_left == pytest.approx(46 + 4 / 24)
    # Only Q3 had answers: 46 in 92 days, half an answer a day; 46.1667 days left make 23
    # more (round(23.08)). The prior is centred on Q3's 40 of 46.
    expected = outlook(
        Tally(csat_n=20, satisfied=17),
        remaining_nps=0,
        remaining_csat=23,
        nps_target=40,
        csat_target=85,
        history=Tally(csat_n=46, satisfied=40),
    )
    assert ship.outlook == expected
    assert (ship.outlook.answers_so_far, ship.outlook.expected_answers) == (20, 43)
    assert 0 < ship.outlook.chance_csat < 1
    assert ship.outlook.chance_nps is None, "shipping asks no NPS question"


async def test_the_answers_needed_compare_with_the_previous_quarter(db):
    await shipping_history(await create_journey())

    five = await quarter_outlook("online-store", NOW)
    twenty = await quarter_outlook("online-store", NOW, delta=20)

    # Q4 so far 17 of 20: s' = 18/22 = 0.818182, v = 0.818182 x 0.181818 = 0.148760.
    # 5 points: (0.05 / 2.801585)^2 / 0.148760 = 0.0021411 < 1/46 = 0.0217391: the 46
    # answers of Q3 are too few to tell 5 points, however many Q4 gets.
    assert five["ship"].csat_answers_needed is None
    # 20 points: (0.2 / 2.801585)^2 / 0.148760 = 0.0342584 - 0.0217391 = 0.0125193,
    # n >= 79.88: 80 in all, 60 more than the 20 so far.
    assert twenty["ship"].csat_answers_needed == 60
    assert twenty["ship"].as_dict()["delta"] == 20


async def test_a_touchpoint_without_answers_has_no_outlook_yet(db):
    await shipping_history(await create_journey())

    found = await quarter_outlook("online-store", NOW)

    order = found["order"].as_dict()
    assert (order["chance_nps"], order["chance_csat"], order["answers_so_far"]) == (None, None, 0)
    assert (order["nps_answers_needed"], order["csat_answers_needed"]) == (None, None)
    assert set(found) == {"browse", "order", "ship", "after-sales", "*"}
    assert found["*"].outlook.answers_so_far == 20


async def test_the_quarter_turns_at_midnight_in_shanghai(db):
    await create_journey()

    # 17:00 UTC on 30 September is 01:00 on 1 October in Shanghai: Q4, one hour old.
    found = await quarter_outlook("online-store", datetime(2026, 9, 30, 17, tzinfo=UTC))

    assert str(found["ship"].period) == "2026-Q4"
    assert found["ship"].days_elapsed == pytest.approx(1 / 24)


async def test_filters_narrow_the_outlook(db):
    touchpoints = await create_journey()
    await shipping_history(touchpoints)

    found = await quarter_outlook("online-store", NOW, filters=ReviewFilters(channel="email"))

    assert found["ship"].outlook.answers_so_far == 0


async def test_an_unknown_journey_is_refused(db):
    with pytest.raises(LookupError, match="no journey with key 'nowhere'"):
        await quarter_outlook("nowhere", NOW)
