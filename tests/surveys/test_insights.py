"""October 2026 at the online store, as the monthly insight report reads it: the order step
fell and missed its target, shipping rose, after-sales held below its target, and the
detractors wrote about late couriers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeys.periods import Month
from surveys.feedback_analysis import analyse_pending
from surveys.insights import monthly_insights
from surveys.models import Answer
from tests.surveys.cases import care_team, case_opened, follow_up_journey
from tests.surveys.factories import answers, create_journey

OCTOBER = Month(2026, 10)
#: Mid-month in Shanghai, the store's time zone.
MID_SEPTEMBER = datetime(2026, 9, 15, 4, tzinfo=UTC)
MID_OCTOBER = datetime(2026, 10, 15, 4, tzinfo=UTC)
NOW = datetime(2026, 11, 2, 1, tzinfo=UTC)
H = timedelta(hours=1)
PRAISE = "Great price, and the website was quick and simple to use from start to end"
LATE = "The courier was late again and the delivery took two weeks"


@pytest.fixture
async def october(db):
    touchpoints = await create_journey()
    order, ship, after_sales = (touchpoints[k] for k in ("order", "ship", "after-sales"))
    # Order: NPS 75 in September (30 promoters, 10 passives), 22 in October.
    await answers(order, 30, answered_at=MID_SEPTEMBER, nps=10)
    await answers(order, 10, answered_at=MID_SEPTEMBER, nps=8)
    await answers(order, 25, answered_at=MID_OCTOBER, nps=10)
    await answers(order, 5, answered_at=MID_OCTOBER, nps=7)
    await answers(order, 15, answered_at=MID_OCTOBER, nps=1)
    # Ship: CSAT 50 in September, 90 in October (target 85).
    await answers(ship, 10, answered_at=MID_SEPTEMBER, csat=5)
    await answers(ship, 10, answered_at=MID_SEPTEMBER, csat=2)
    await answers(ship, 18, answered_at=MID_OCTOBER, csat=5)
    await answers(ship, 2, answered_at=MID_OCTOBER, csat=3)
    # After-sales: CSAT 85 in both months, below its own target of 90.
    for answered_at in (MID_SEPTEMBER, MID_OCTOBER):
        await answers(after_sales, 17, answered_at=answered_at, nps=9, csat=5)
        await answers(after_sales, 3, answered_at=answered_at, nps=9, csat=2)
    # What October's order detractors and promoters wrote.
    detractors = Answer.filter(touchpoint=order, nps=1, answered_at=MID_OCTOBER)
    await detractors.update(comment=LATE, locale="en")
    promoters = Answer.filter(touchpoint=order, nps=10, answered_at=MID_OCTOBER)
    await promoters.update(comment=PRAISE, locale="en")
    await analyse_pending()
    return touchpoints


def line(journey, key):
    return next(line for line in journey.touchpoints if line.key == key)


async def test_the_order_step_fell_and_missed_its_target(october):
    (store,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    order = line(store, "order")
    assert (order.answers, order.nps.previous, order.nps.target) == (45, 75, 40)
    assert order.nps.value == pytest.approx(22.22, abs=0.01)
    assert (order.fell, order.missed) == (["NPS"], ["NPS"])
    assert [line.key for line in store.fell] == ["order"]


async def test_after_sales_missed_its_own_target_without_falling(october):
    (store,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    after_sales = line(store, "after-sales")
    assert (after_sales.csat.value, after_sales.csat.target, after_sales.csat.change) == (
        85,
        90,
        0,
    )
    assert (after_sales.fell, after_sales.missed) == ([], ["CSAT"])
    assert [line.key for line in store.missed] == ["order", "after-sales"]


async def test_the_biggest_movers_come_first_with_their_verdicts(october):
    (store,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    movers = [(m.touchpoint, m.score, round(m.change, 1), m.verdict) for m in store.movers]
    assert movers == [
        ("order", "NPS", -52.8, "fell, larger than the noise"),
        ("ship", "CSAT", 40.0, "rose, larger than the noise"),
    ]


async def test_themes_and_emerging_terms_come_with_what_the_detractors_wrote(october):
    (store,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    delivery = next(theme for theme in store.themes if theme.theme == "delivery")
    assert delivery.answers == 15
    assert delivery.examples and delivery.examples[0].comment == LATE
    assert store.emerging  # the words of the late deliveries, which no promoter used
    for term in store.emerging:
        assert term.term in LATE.lower()
        assert (term.detractors, term.promoters) == (15, 0)
        assert [example.comment for example in term.examples] == [LATE]
    # Detractors first, each comment once.
    assert [example.comment for example in store.examples] == [LATE, PRAISE]
    assert store.examples[0].answered_at.isoformat() == "2026-10-15T12:00:00+08:00"  # Shanghai


async def test_response_rates_follow_the_invitations_of_the_month(october):
    (store,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    ship = line(store, "ship")
    assert (ship.sent, ship.responded, ship.response_rate) == (20, 20, 100.0)


async def test_a_month_without_answers_is_an_honest_empty_report(october):
    report = await monthly_insights(Month(2026, 12), now=NOW)

    assert report.empty and report.answers == 0
    (store,) = report.journeys
    assert (store.fell, store.missed, store.movers, store.themes) == ([], [], [], [])
    data = report.as_dict()
    assert (data["month"], data["title"], data["empty"]) == (
        "2026-12",
        "Insights for December 2026",
        True,
    )


async def test_a_journey_named_that_does_not_exist_is_a_lookup_error(october):
    with pytest.raises(LookupError, match="no journey with key 'nowhere'"):
        await monthly_insights(OCTOBER, journeys=["nowhere"], now=NOW)


async def test_follow_up_figures_come_when_the_month_had_cases(db):
    await follow_up_journey({"first_response": "PT2H", "resolution": "P1D", "team": "care"})
    await care_team()
    opened = datetime(2026, 10, 6, 10, tzinfo=UTC)
    await case_opened(opened, responded=H, resolved=20 * H, score=5)
    await case_opened(opened + timedelta(days=1))

    (shop,) = (await monthly_insights(OCTOBER, now=NOW)).journeys

    follow_up = shop.follow_up
    assert follow_up is not None
    assert (follow_up.opened, follow_up.first_response_median_minutes) == (2, 60.0)
    assert (follow_up.resolution_median_minutes, follow_up.satisfaction) == (1200.0, 100.0)
    assert (follow_up.open_now, follow_up.overdue_now) == (1, 1)
    empty = (await monthly_insights(Month(2026, 9), now=NOW)).journeys[0]
    assert empty.follow_up is None
