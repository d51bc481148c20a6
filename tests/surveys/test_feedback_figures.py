"""What customers wrote, in figures, against a real database: themes with their counts and
scores, example comments unhappy customers first, emerging terms and sentiment.

The online store reads its periods in Shanghai time: 2026-Q3 runs from 2026-06-30 16:00 UTC
to 2026-09-30 16:00 UTC. The comments are planted as the worker leaves them, so every count
below is worked out by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeys.periods import Month, Period
from surveys.feedback_figures import (
    comment_examples,
    emerging_terms_for,
    sentiment_counts,
    theme_figures,
    themes_trend,
)
from surveys.review_filters import ReviewError, ReviewFilters
from tests.surveys.factories import create_journey
from tests.surveys.feedback_cases import FEEDBACK_STORE, analysed, commented

Q2, Q3 = Period(2026, 2), Period(2026, 3)
Q3_START = datetime(2026, 6, 30, 16, tzinfo=UTC)
MID_Q2 = datetime(2026, 5, 15, 10, tzinfo=UTC)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
MID_Q4 = datetime(2026, 11, 15, 10, tzinfo=UTC)


def day(n: int) -> datetime:
    return MID_Q3 + timedelta(days=n)


@pytest.fixture
async def quarter(db):
    """Q3 of the order touchpoint (NPS and CSAT) and the ship touchpoint (CSAT only).

    order: lost (2, 1, sms) delivery; fair (10, 5) delivery + price; fine (8, 4)
    delivery; dear (6, 3) price; nice (9, 5) no theme; one answer without a comment.
    ship: rude (CSAT 2) delivery. Outside Q3: one delivery comment in Q2, and one answered
    in Q4 about an interaction of Q3.
    """
    touchpoints = await create_journey(FEEDBACK_STORE)
    order, ship = touchpoints["order"], touchpoints["ship"]
    comments = {
        "lost": await analysed(
            order,
            "Courier lost my parcel",
            sentiment="negative",
            themes=("delivery",),
            answered_at=day(0),
            nps=2,
            csat=1,
            channel="sms",
        ),
        "fair": await analysed(
            order,
            "Fast delivery, fair price",
            sentiment="positive",
            themes=("delivery", "price"),
            answered_at=day(1),
            nps=10,
            csat=5,
        ),
        "fine": await analysed(
            order,
            "Delivery ok",
            sentiment="neutral",
            themes=("delivery",),
            answered_at=day(2),
            nps=8,
            csat=4,
        ),
        "dear": await analysed(
            order,
            "Too expensive",
            sentiment="negative",
            themes=("price",),
            answered_at=day(3),
            nps=6,
            csat=3,
        ),
        "nice": await analysed(order, "Nice", sentiment="positive", answered_at=day(4), nps=9),
        "rude": await analysed(
            ship,
            "Courier rude",
            sentiment="negative",
            themes=("delivery",),
            answered_at=day(5),
            csat=2,
        ),
        "spring": await analysed(
            order,
            "Delivery late",
            sentiment="negative",
            themes=("delivery",),
            answered_at=MID_Q2,
            nps=3,
        ),
        "late": await analysed(
            order,
            "Parcel came in the end",
            sentiment="neutral",
            themes=("delivery",),
            answered_at=MID_Q4,
            interaction_at=day(6),
            nps=7,
            csat=4,
        ),
    }
    await commented(order, None, answered_at=day(0), nps=10, csat=5)
    return comments


def ids(comments) -> list[int]:
    return [c.answer_id for c in comments]


async def test_each_theme_has_its_count_share_scores_and_negative_comments(quarter):
    figures = await theme_figures("online-store", Q3)

    delivery, price = figures["order"]
    # 5 analysed comments at order: delivery 3 of them, price 2.
    assert (delivery.theme, delivery.answers, delivery.share, delivery.negative) == (
        "delivery",
        3,
        60.0,
        1,
    )
    assert (delivery.nps.promoters, delivery.nps.passives, delivery.nps.detractors) == (1, 1, 1)
    assert delivery.nps.score == 0
    assert (delivery.csat.n, delivery.csat.satisfied) == (3, 2)
    assert delivery.csat.score == pytest.approx(66.67, abs=0.01)
    assert (price.theme, price.answers, price.share, price.negative) == ("price", 2, 40.0, 1)
    assert (price.nps.score, price.csat.score) == (0, 50)
    [ship_delivery] = figures["ship"]
    assert (ship_delivery.answers, ship_delivery.share, ship_delivery.nps.n) == (1, 100.0, 0)
    assert (ship_delivery.csat.n, ship_delivery.csat.score) == (1, 0)
    assert (figures["browse"], figures["after-sales"]) == ([], [])
    # The whole journey: 6 analysed comments, delivery in 4 of them.
    whole_delivery, whole_price = figures["*"]
    assert (whole_delivery.answers, whole_delivery.share, whole_delivery.negative) == (4, 66.7, 2)
    assert (whole_delivery.nps.n, whole_delivery.csat.n, whole_delivery.csat.satisfied) == (3, 4, 2)
    assert (whole_price.answers, whole_price.share) == (2, 33.3)


async def test_theme_examples_put_detractors_first_then_the_newest(quarter):
    figures = await theme_figures("online-store", Q3, examples=2)

    delivery, price = figures["order"]
    assert ids(delivery.examples) == [quarter["lost"].id, quarter["fine"].id]
    assert ids(price.examples) == [quarter["dear"].id, quarter["fair"].id]
    lost = delivery.examples[0]
    assert (lost.touchpoint, lost.nps, lost.csat, lost.channel) == ("order", 2, 1, "sms")
    assert (lost.comment, lost.sentiment, lost.themes) == (
        "Courier lost my parcel",
        "negative",
        ["delivery"],
    )
    assert lost.answered_at == day(0)
    whole_delivery = figures["*"][0]
    assert ids(whole_delivery.examples) == [quarter["lost"].id, quarter["rude"].id]


async def test_comment_examples_put_detractors_then_low_csat_then_the_newest(quarter):
    examples = await comment_examples("online-store", Q3, per_touchpoint=4)

    assert ids(examples["order"]) == [
        quarter["dear"].id,  # detractors, newest first
        quarter["lost"].id,
        quarter["nice"].id,  # then the newest
        quarter["fine"].id,
    ]
    assert ids(examples["ship"]) == [quarter["rude"].id]
    assert ids(examples["*"]) == [
        quarter["dear"].id,
        quarter["lost"].id,
        quarter["rude"].id,  # CSAT 2
        quarter["nice"].id,
    ]
    assert examples["browse"] == []


async def test_sentiments_are_counted_per_touchpoint_and_for_the_journey(quarter):
    counts = await sentiment_counts("online-store", Q3)

    assert counts["order"] == {"positive": 2, "neutral": 1, "negative": 2}
    assert counts["ship"] == {"positive": 0, "neutral": 0, "negative": 1}
    assert counts["*"] == {"positive": 2, "neutral": 1, "negative": 3}


async def test_filters_and_counting_by_the_interaction_date_are_honoured(quarter):
    by_sms = await theme_figures("online-store", Q3, filters=ReviewFilters(channel="sms"))
    [delivery] = by_sms["order"]
    assert (delivery.answers, delivery.share, ids(delivery.examples)) == (
        1,
        100.0,
        [quarter["lost"].id],
    )
    assert by_sms["ship"] == []

    by_interaction = ReviewFilters(count_by="interaction")
    counts = await sentiment_counts("online-store", Q3, filters=by_interaction)
    assert counts["order"] == {"positive": 2, "neutral": 2, "negative": 2}  # + "late"
    order_only = await sentiment_counts(
        "online-store", Q3, filters=ReviewFilters(touchpoint="order")
    )
    assert set(order_only) == {"order", "*"}
    assert order_only["*"] == order_only["order"]


async def test_themes_trend_counts_each_theme_per_period(quarter):
    trend = await themes_trend("online-store", [Q2, Q3, Period(2026, 4)])

    assert trend == {
        "delivery": [(Q2, 1), (Q3, 4), (Period(2026, 4), 1)],
        "price": [(Q2, 0), (Q3, 2), (Period(2026, 4), 0)],
    }


async def test_periods_are_read_in_the_journey_time_zone(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    await analysed(order, "On time", sentiment="positive", answered_at=Q3_START, nps=9)
    before = Q3_START - timedelta(seconds=1)
    await analysed(order, "Slow", sentiment="negative", answered_at=before, nps=3)

    july = await sentiment_counts("online-store", Month(2026, 7))
    june = await sentiment_counts("online-store", Month(2026, 6))

    assert july["*"] == {"positive": 1, "neutral": 0, "negative": 0}
    assert june["*"] == {"positive": 0, "neutral": 0, "negative": 1}


async def test_a_new_problem_shows_in_the_terms_detractors_use_before_anyone_names_it(db):
    touchpoints = await create_journey(FEEDBACK_STORE)
    order, ship = touchpoints["order"], touchpoints["ship"]
    for n in range(20):  # English and Chinese detractors name the courier, in no theme yet
        when = day(n % 10)
        await analysed(
            order,
            "x",
            sentiment="negative",
            terms="courier courier rude parcel late",
            answered_at=when,
            nps=n % 5,
        )
        await analysed(
            order,
            "x",
            sentiment="negative",
            terms="快递员 态度 差 parcel",
            answered_at=when,
            nps=2,
            locale="zh-CN",
        )
    for n in range(60):
        await analysed(
            order,
            "x",
            sentiment="positive",
            terms="fast parcel good price quality",
            answered_at=day(n % 10),
            nps=9 + n % 2,
        )
    await analysed(order, "x", sentiment="neutral", terms="courier", answered_at=day(1), nps=8)
    await analysed(ship, "x", sentiment="positive", terms="courier", answered_at=day(1), csat=5)

    emerging = await emerging_terms_for("online-store", Q3)

    terms = {term.term: term for term in emerging["order"]}
    assert {"courier", "快递员"} <= set(terms)
    assert "parcel" not in terms and "fast" not in terms
    # Counted once per answer, a passive's words not at all.
    assert (terms["courier"].detractors, terms["courier"].promoters) == (20, 0)
    assert {"courier", "快递员"} <= {term.term for term in emerging["*"]}
    assert emerging["ship"] == []


async def test_an_unknown_journey_or_touchpoint_is_refused(db):
    await create_journey(FEEDBACK_STORE)

    with pytest.raises(LookupError, match="no-such-journey"):
        await theme_figures("no-such-journey", Q3)
    with pytest.raises(ReviewError) as refused:
        await emerging_terms_for("online-store", Q3, filters=ReviewFilters(touchpoint="shipp"))
    assert refused.value.field == "touchpoint"


async def test_an_empty_period_has_no_themes_and_no_terms(quarter):
    figures = await theme_figures("online-store", Period(2025, 1))

    assert figures == {key: [] for key in ("browse", "order", "ship", "after-sales", "*")}
    assert all(
        found == []
        for found in (await emerging_terms_for("online-store", Period(2025, 1))).values()
    )
