"""The review's figures, worked by hand, against a real database.

The online store reports in Shanghai time (UTC+8, no summer time): 2026-Q3 runs from
2026-06-30 16:00 UTC to 2026-09-30 16:00 UTC. Its targets: NPS above 40, CSAT 85% and above
(after-sales: CSAT 90% and above). The minimum sample is 30 answers.
"""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.periods import Month, Period, Week, periods_ending
from surveys.review import (
    NOT_SET,
    Review,
    TouchpointFigures,
    check_filters,
    check_period,
    review_figures,
    trend,
)
from surveys.review_filters import ReviewError, ReviewFilters
from tests.surveys.factories import ONLINE_STORE, create_journey
from tests.surveys.review_data import answered, unanswered

Q2, Q3 = Period(2026, 2), Period(2026, 3)
MID_Q2 = datetime(2026, 5, 15, 10, tzinfo=UTC)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)


def figures_of(review: Review, key: str) -> TouchpointFigures:
    if key == "*":
        return review.whole
    return next(found for found in review.touchpoints if found.key == key)


async def order_quarter(order, at: datetime, **dimensions) -> None:
    """10 promoters, 5 passives, 5 detractors; 17 of 20 satisfied, CSAT summing to 84."""
    await answered(order, 10, at=at, nps=10, csat=5, **dimensions)
    await answered(order, 5, at=at, nps=7, csat=4, **dimensions)
    await answered(order, 2, at=at, nps=6, csat=4, **dimensions)
    await answered(order, 3, at=at, nps=0, csat=2, **dimensions)


async def test_a_quarter_of_known_counts_gives_every_figure(db):
    order = (await create_journey())["order"]
    await order_quarter(order, MID_Q3)
    await unanswered(order, 20, sent_at=MID_Q3)
    await unanswered(order, 4, sent_at=MID_Q3 + timedelta(days=90))  # sent in Q4

    found = figures_of(await review_figures("online-store", Q3), "order").figures

    assert (found.counts.answers, found.counts.sent, found.counts.responded) == (20, 40, 20)
    # Response rate: 20 of the 40 invitations sent in Q3 were answered, 50%.
    assert found.response_rate == 50.0
    # NPS: (10 - 5) / 20 = 25. Adjusted Wald: n' = 23, p' = 10.75/23 = 0.46739,
    # d' = 5.75/23 = 0.25, p' - d' = 0.21739; var = (p' + d' - (p' - d')^2) / n'
    # = (0.71739 - 0.04726) / 23 = 0.029136; 1.96 x sqrt(var) = 0.33456:
    # 21.74 -/+ 33.46 = [-11.72, 55.20].
    assert (found.nps.promoters, found.nps.passives, found.nps.detractors) == (10, 5, 5)
    assert found.nps.score == 25
    assert found.nps.low == pytest.approx(-11.72, abs=0.005)
    assert found.nps.high == pytest.approx(55.20, abs=0.005)
    # CSAT: 17 of 20 = 85%. Wilson: p = 0.85, z^2 = 3.8416, d = 1 + 3.8416/20 = 1.19208,
    # centre = (0.85 + 3.8416/40) / d = 0.79361,
    # half = 1.96 x sqrt(0.85 x 0.15 / 20 + 3.8416 / 1600) / d = 0.15403: [63.96, 94.76].
    assert (found.csat.n, found.csat.satisfied, found.csat.score) == (20, 17, 85)
    assert found.csat.low == pytest.approx(63.96, abs=0.005)
    assert found.csat.high == pytest.approx(94.76, abs=0.005)
    # Mean CSAT: (10 x 5 + 5 x 4 + 2 x 4 + 3 x 2) / 20 = 84 / 20 = 4.2.
    assert found.mean_csat == pytest.approx(4.2)
    # Targets: 25 is not above 40; 85% is "85% and above".
    assert (found.targets.nps, found.targets.csat) == (40, 85)
    assert (found.nps_met, found.csat_met) == (False, True)
    assert found.low_sample is True  # 20 answers, fewer than 30


async def test_the_change_on_last_quarter_is_told_from_noise(db):
    touchpoints = await create_journey()
    after_sales, order = touchpoints["after-sales"], touchpoints["order"]
    # After-sales, Q2: 40/20/40 (NPS 0), 70 of 100 satisfied.
    await answered(after_sales, 40, at=MID_Q2, nps=9, csat=5)
    await answered(after_sales, 20, at=MID_Q2, nps=8, csat=4)
    await answered(after_sales, 10, at=MID_Q2, nps=3, csat=4)
    await answered(after_sales, 30, at=MID_Q2, nps=3, csat=1)
    # Q3: 60/20/20 (NPS 40), 90 of 100 satisfied.
    await answered(after_sales, 60, at=MID_Q3, nps=10, csat=5)
    await answered(after_sales, 20, at=MID_Q3, nps=7, csat=4)
    await answered(after_sales, 10, at=MID_Q3, nps=0, csat=4)
    await answered(after_sales, 10, at=MID_Q3, nps=0, csat=2)
    # Order: 10/5/5 (NPS 25) in Q2, 12/4/4 (NPS 40) in Q3, 20 answers each.
    await order_quarter(order, MID_Q2)
    await answered(order, 12, at=MID_Q3, nps=9)
    await answered(order, 4, at=MID_Q3, nps=8)
    await answered(order, 4, at=MID_Q3, nps=5)

    review = await review_figures("online-store", Q3)

    big = figures_of(review, "after-sales").figures
    # NPS +40. Adjusted: Q3 p' = 60.75/103, d' = 20.75/103, p' - d' = 0.38835,
    # var = (0.79126 - 0.15082) / 103 = 0.0062179; Q2 p' = d' = 40.75/103, p' - d' = 0,
    # var = 0.79126 / 103 = 0.0076822. Margin 1.96 x sqrt(0.0139001) = 0.23108: the
    # adjusted difference 0.388 is beyond 0.231, so the rise is real.
    assert big.previous is not None and big.previous.nps.score == 0
    assert big.nps_change is not None
    assert big.nps_change.delta == 40 and big.nps_change.significant is True
    assert big.nps_change.margin == pytest.approx(23.11, abs=0.005)
    # CSAT +20 by Agresti-Caffo: p1 = 91/102 = 0.89216, p2 = 71/102 = 0.69608,
    # margin 1.96 x sqrt(0.89216 x 0.10784 / 102 + 0.69608 x 0.30392 / 102) = 0.10766.
    assert big.csat_change is not None
    assert big.csat_change.delta == pytest.approx(20) and big.csat_change.significant is True
    assert big.csat_change.margin == pytest.approx(10.77, abs=0.005)
    small = figures_of(review, "order").figures
    # NPS +15 on 20 answers: adjusted 0.34783 - 0.21739 = 0.13043, margin
    # 1.96 x sqrt(0.027821 + 0.029136) = 0.46777: well within the noise.
    assert small.nps_change is not None
    assert small.nps_change.delta == 15 and small.nps_change.significant is False
    assert small.nps_change.margin == pytest.approx(46.78, abs=0.005)
    assert small.csat_change is None  # no CSAT answers in Q3


async def test_an_empty_period_has_no_scores_and_no_verdicts(db):
    await create_journey()

    review = await review_figures("online-store", Q3)

    for found in [*review.touchpoints, review.whole]:
        figures = found.figures
        assert (figures.counts.answers, figures.counts.sent, figures.n) == (0, 0, 0)
        assert (figures.nps.score, figures.nps.low, figures.csat.score) == (None, None, None)
        assert (figures.mean_csat, figures.response_rate) == (None, None)
        assert (figures.nps_met, figures.csat_met) == (None, None)
        assert (figures.nps_change, figures.csat_change) == (None, None)
        assert figures.low_sample is True
        assert found.groups == {}


async def test_a_single_answer_is_scored_with_a_wide_interval(db):
    order = (await create_journey())["order"]
    await answered(order, at=MID_Q3, nps=10, csat=5)

    found = figures_of(await review_figures("online-store", Q3), "order").figures

    # NPS 100 on one answer. n' = 4, p' = 1.75/4 = 0.4375, d' = 0.75/4 = 0.1875,
    # p' - d' = 0.25, var = (0.625 - 0.0625) / 4 = 0.140625, half = 1.96 x 0.375 = 0.735:
    # [-48.5, 98.5], which does not hold the plain score, so widened to it: [-48.5, 100].
    assert (found.nps.score, found.nps.low, found.nps.high) == (100, -48.5, 100)
    # CSAT 100% on one: d = 4.8416, centre = (1 + 1.9208) / d = 0.60330,
    # half = 1.96 x sqrt(3.8416 / 4) / d = 0.39670: [20.65, 100].
    assert found.csat.low == pytest.approx(20.65, abs=0.005)
    assert found.csat.high == 100
    assert (found.mean_csat, found.response_rate, found.low_sample) == (5, 100.0, True)
    assert (found.nps_met, found.csat_met) == (True, True)
    assert found.nps_change is None  # nothing in Q2 to compare with


async def test_a_touchpoint_without_answers_sits_beside_those_with_some(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)
    await answered(touchpoints["ship"], 3, at=MID_Q3, csat=5)  # a CSAT-only survey
    await unanswered(touchpoints["browse"], 5, sent_at=MID_Q3)

    review = await review_figures("online-store", Q3)

    assert [found.key for found in review.touchpoints] == ["browse", "order", "ship", "after-sales"]
    browse = figures_of(review, "browse")
    assert (browse.name, browse.stage) == ("browse", "pre-sale")
    assert (browse.figures.counts.answers, browse.figures.counts.sent) == (0, 5)
    assert (browse.figures.response_rate, browse.figures.nps.score) == (0.0, None)
    ship = figures_of(review, "ship").figures
    assert (ship.n, ship.nps.n, ship.csat.score, ship.nps_met, ship.csat_met) == (
        3,
        0,
        100,
        None,
        True,
    )
    after_sales = figures_of(review, "after-sales").figures
    assert (after_sales.counts.answers, after_sales.counts.sent) == (0, 0)


async def test_a_quarter_begins_at_midnight_in_shanghai_not_in_utc(db):
    order = (await create_journey())["order"]
    q2_start = datetime(2026, 3, 31, 16, tzinfo=UTC)  # 1 April 00:00 in Shanghai
    # 23:30 on 31 March in Shanghai (15:30 UTC): the last half hour of Q1.
    await answered(order, at=q2_start - timedelta(minutes=30), nps=0)
    # 00:30 on 1 April in Shanghai, still 31 March (Q1) in UTC: Q2.
    await answered(order, at=q2_start + timedelta(minutes=30), nps=10)

    q1 = figures_of(await review_figures("online-store", Period(2026, 1)), "order").figures
    q2 = figures_of(await review_figures("online-store", Q2), "order").figures

    assert (q1.nps.n, q1.nps.detractors) == (1, 1)
    assert (q2.nps.n, q2.nps.promoters) == (1, 1)
    assert q2.previous is not None and q2.previous.nps.detractors == 1


async def test_west_of_utc_an_answer_already_in_april_in_utc_is_still_march(db):
    raw = {**ONLINE_STORE, "journey": "new-york", "timezone": "America/New_York"}
    order = (await create_journey(raw))["order"]
    q2_start = datetime(2026, 4, 1, 4, tzinfo=UTC)  # 1 April 00:00 in New York (EDT)
    # 02:00 UTC on 1 April (Q2 in UTC) is 22:00 on 31 March in New York: Q1.
    await answered(order, at=datetime(2026, 4, 1, 2, tzinfo=UTC), nps=0)
    await answered(order, at=q2_start, nps=10)  # the stroke of midnight: Q2

    q1 = figures_of(await review_figures("new-york", Period(2026, 1)), "order").figures
    q2 = figures_of(await review_figures("new-york", Q2), "order").figures

    assert (q1.nps.n, q1.nps.detractors, q2.nps.n, q2.nps.promoters) == (1, 1, 1, 1)


async def test_counting_by_the_interaction_moves_an_answer_to_the_quarter_it_is_about(db):
    order = (await create_journey())["order"]
    # Bought on 28 September, answered on 5 October (Shanghai): Q3's interaction, Q4's answer.
    await answered(
        order,
        at=datetime(2026, 10, 5, 2, tzinfo=UTC),
        nps=3,
        interaction_at=datetime(2026, 9, 28, 2, tzinfo=UTC),
    )
    by_interaction = ReviewFilters(count_by="interaction")

    answered_q3 = figures_of(await review_figures("online-store", Q3), "order").figures
    interaction_q3 = figures_of(
        await review_figures("online-store", Q3, filters=by_interaction), "order"
    ).figures
    interaction_q4 = figures_of(
        await review_figures("online-store", Q3.next(), filters=by_interaction), "order"
    ).figures

    assert answered_q3.nps.n == 0
    assert (interaction_q3.nps.n, interaction_q3.nps.detractors) == (1, 1)
    assert interaction_q4.nps.n == 0


async def test_a_breakdown_by_channel_has_each_channels_response_rate(db):
    order = (await create_journey())["order"]
    await answered(order, 3, at=MID_Q3, nps=10, channel="sms")
    await unanswered(order, 1, sent_at=MID_Q3, channel="sms")
    await answered(order, 1, at=MID_Q3, nps=2, channel="email")
    await unanswered(order, 3, sent_at=MID_Q3, channel="email")
    await answered(order, 1, at=MID_Q2, nps=10, channel="email")

    review = await review_figures("online-store", Q3, by="channel")

    groups = figures_of(review, "order").groups
    assert list(groups) == ["email", "sms"]
    # SMS: 3 of 4 answered, all promoters. Email: 1 of 4 answered, a detractor.
    assert (groups["sms"].response_rate, groups["sms"].nps.score) == (75.0, 100)
    assert (groups["email"].response_rate, groups["email"].nps.score) == (25.0, -100)
    # Each group is compared with the same channel a quarter earlier: email 100 -> -100.
    assert groups["email"].nps_change is not None and groups["email"].nps_change.delta == -200
    assert groups["sms"].nps_change is None
    # The touchpoint's own figures are the sum: 4 of 8, NPS (3 - 1) / 4 = 50.
    total = figures_of(review, "order").figures
    assert (total.response_rate, total.nps.score) == (50.0, 50)
    assert set(review.whole.groups) == {"email", "sms"}
    assert figures_of(review, "browse").groups["sms"].counts.answers == 0


async def test_a_breakdown_by_language_and_by_segment(db):
    order = (await create_journey())["order"]
    await answered(order, 2, at=MID_Q3, nps=9, locale="zh-CN", segment="A")
    await answered(order, 1, at=MID_Q3, nps=5, locale="en", segment="B")
    await answered(order, 1, at=MID_Q3, nps=8, locale="en")  # a customer without a segment
    await unanswered(order, 2, sent_at=MID_Q3, locale="zh-CN", segment="A")

    by_language = figures_of(await review_figures("online-store", Q3, by="language"), "order")
    by_segment = figures_of(await review_figures("online-store", Q3, by="segment"), "order")

    assert {k: (g.nps.n, g.nps.score) for k, g in by_language.groups.items()} == {
        "en": (2, -50),
        "zh-CN": (2, 100),
    }
    assert by_language.groups["zh-CN"].response_rate == 50.0  # 2 of 4
    assert list(by_segment.groups) == ["A", "B", NOT_SET]
    assert by_segment.groups["A"].response_rate == 50.0  # through the customer's segment
    assert by_segment.groups[NOT_SET].nps.passives == 1


async def test_a_breakdown_by_an_attribute_has_no_response_rate(db):
    order = (await create_journey())["order"]
    await answered(order, 3, at=MID_Q3, nps=10, csat=5, attributes={"store": "Jing'an"})
    await answered(order, 1, at=MID_Q3, nps=0, csat=1, attributes={"store": "Pudong"})
    await answered(order, 1, at=MID_Q3, nps=7, attributes={"region": "east"})

    review = await review_figures("online-store", Q3, by="store")

    groups = figures_of(review, "order").groups
    assert list(groups) == ["Jing'an", "Pudong", NOT_SET]
    assert (groups["Jing'an"].nps.score, groups["Pudong"].csat.score) == (100, 0)
    assert groups[NOT_SET].nps.passives == 1
    # Invitations carry no attributes: nothing to divide by.
    assert (groups["Pudong"].counts.sent, groups["Pudong"].response_rate) == (None, None)
    assert figures_of(review, "order").figures.counts.sent is None
    # Every touchpoint has the journey's values of the period, so tables line up.
    browse = figures_of(review, "browse").groups
    assert list(browse) == list(groups) and browse["Pudong"].counts.answers == 0


async def test_filters_narrow_answers_and_invitations_alike(db):
    touchpoints = await create_journey()
    order = touchpoints["order"]
    await answered(order, 2, at=MID_Q3, nps=10, segment="A", attributes={"store": "Pudong"})
    await unanswered(order, 2, sent_at=MID_Q3, segment="A")
    await answered(order, 1, at=MID_Q3, nps=0, segment="B", channel="email", variant="B")
    await answered(touchpoints["ship"], 1, at=MID_Q3, csat=5, segment="A")

    tier_a = await review_figures("online-store", Q3, filters=ReviewFilters(segment="A"))
    email = await review_figures("online-store", Q3, filters=ReviewFilters(channel="email"))
    variant_b = await review_figures("online-store", Q3, filters=ReviewFilters(variant="B"))
    pudong = await review_figures(
        "online-store", Q3, filters=ReviewFilters(attributes=(("store", "Pudong"),))
    )
    ship_only = await review_figures("online-store", Q3, filters=ReviewFilters(touchpoint="ship"))

    order_a = figures_of(tier_a, "order").figures
    assert (order_a.nps.n, order_a.nps.score, order_a.response_rate) == (2, 100, 50.0)
    assert figures_of(email, "order").figures.nps.detractors == 1
    assert figures_of(email, "order").figures.counts.sent == 1
    assert figures_of(variant_b, "order").figures.nps.n == 1
    pudong_order = figures_of(pudong, "order").figures
    assert (pudong_order.nps.n, pudong_order.counts.sent, pudong_order.response_rate) == (
        2,
        None,
        None,
    )
    assert [found.key for found in ship_only.touchpoints] == ["ship"]
    assert ship_only.whole.figures.csat.n == 1


async def test_the_whole_journey_sums_its_touchpoints_against_the_journeys_targets(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)  # NPS 10/5/5, CSAT 17 of 20
    await answered(touchpoints["after-sales"], 10, at=MID_Q3, nps=9, csat=4)  # NPS 10/0/0
    await unanswered(touchpoints["after-sales"], 10, sent_at=MID_Q3)
    await answered(touchpoints["ship"], 2, at=MID_Q3, csat=3)

    review = await review_figures("online-store", Q3)

    whole = review.whole
    assert (whole.key, whole.name, whole.stage) == ("*", "Online store", "")
    figures = whole.figures
    # NPS: (20 promoters - 5 detractors) / 30 = 50, above 40.
    assert (figures.nps.promoters, figures.nps.passives, figures.nps.detractors) == (20, 5, 5)
    assert (figures.nps.score, figures.nps_met) == (50, True)
    # CSAT: 17 + 10 + 0 satisfied of 32 = 84.375%, under the journey's 85 (not after-sales' 90).
    assert figures.csat.score == pytest.approx(84.375)
    assert (figures.targets.csat, figures.csat_met) == (85, False)
    # Mean CSAT: (84 + 40 + 6) / 32 = 4.0625. Response: 32 of 42 sent.
    assert figures.mean_csat == pytest.approx(4.0625)
    assert figures.response_rate == pytest.approx(100 * 32 / 42)
    assert figures.low_sample is False  # 32 answers


async def test_a_trend_over_eight_quarters_in_one_go(db):
    order = (await create_journey())["order"]
    quarters = periods_ending(Q3, 8)  # 2024-Q4 .. 2026-Q3
    for count, quarter in enumerate([quarters[0].previous(), *quarters], start=1):
        start, _ = quarter.bounds(ZoneInfo("Asia/Shanghai"))
        await answered(order, count, at=start + timedelta(days=40), nps=10)
    await answered(order, 1, at=datetime(2026, 8, 1, tzinfo=UTC), nps=0)

    found = await trend("online-store", quarters)

    series = found["order"]
    assert [str(p) for p, _ in series] == [str(q) for q in quarters]
    assert str(series[0][0]) == "2024-Q4" and str(series[-1][0]) == "2026-Q3"
    # One more promoter each quarter: 2 in 2024-Q4 (1 the quarter before), ... 9 in 2026-Q3,
    # where a detractor joins them: NPS (9 - 1) / 10 = 80.
    assert [figures.nps.n for _, figures in series] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert series[0][1].previous is not None and series[0][1].previous.nps.n == 1
    assert series[-1][1].nps.score == 80
    assert series[-1][1].nps_change is not None and series[-1][1].nps_change.delta == -20
    assert [figures.nps.n for _, figures in found["*"]] == [2, 3, 4, 5, 6, 7, 8, 10]
    assert set(found) == {"browse", "order", "ship", "after-sales", "*"}
    assert all(figures.nps.n == 0 for _, figures in found["browse"])


async def test_a_trend_takes_periods_of_one_kind(db):
    await create_journey()

    with pytest.raises(ValueError, match="one kind"):
        await trend("online-store", [Q3, Month(2026, 8)])


async def test_months_and_weeks_are_read_in_the_journeys_time_zone(db):
    order = (await create_journey())["order"]
    october_starts = datetime(2026, 9, 30, 16, tzinfo=UTC)  # 1 October 00:00 in Shanghai
    await answered(order, at=october_starts - timedelta(minutes=1), nps=0)  # September
    await answered(order, at=october_starts, nps=10)  # October
    # ISO week 42 of 2026: Monday 12 October 00:00 Shanghai = 11 October 16:00 UTC.
    week_starts = datetime(2026, 10, 11, 16, tzinfo=UTC)
    await answered(order, 2, at=week_starts + timedelta(hours=1), nps=8)  # W42
    await answered(order, at=week_starts - timedelta(hours=1), nps=9)  # Sunday night: W41

    october = figures_of(await review_figures("online-store", Month(2026, 10)), "order")
    week = figures_of(await review_figures("online-store", Week(2026, 42)), "order")

    assert (october.figures.nps.n, october.figures.nps.detractors) == (4, 0)
    assert october.figures.previous is not None
    assert october.figures.previous.nps.detractors == 1  # September
    assert (week.figures.nps.n, week.figures.nps.passives) == (2, 2)
    assert week.figures.previous is not None and week.figures.previous.nps.promoters == 1


async def test_an_unknown_journey_or_touchpoint_is_refused(db):
    await create_journey()

    with pytest.raises(LookupError, match="no journey with key 'nope'"):
        await review_figures("nope", Q3)
    with pytest.raises(ReviewError) as refused:
        await review_figures("online-store", Q3, filters=ReviewFilters(touchpoint="checkout"))
    assert refused.value.field == "touchpoint"
    assert "after-sales, browse, order, ship" in refused.value.message


@pytest.mark.parametrize(
    ("period", "readable"),
    [
        (Period(2026, 3), True),
        (Period(1, 3), True),
        (Period(1, 2), False),  # Q1 of year 1 starts in year 0 in UTC, 8 hours earlier
        (Period(1, 1), False),  # no quarter before it
        (Period(9999, 4), False),  # it would end in year 10000
        (Month(1, 1), False),
        (Week(9998, 1), True),
    ],
)
def test_a_period_must_be_readable_with_the_one_before_it(period, readable):
    if readable:
        check_period(period, "Asia/Shanghai")
    else:
        with pytest.raises(ReviewError, match="too far in the past or the future"):
            check_period(period, "Asia/Shanghai")


async def test_check_filters_names_what_does_not_exist_and_what_does(db):
    order = (await create_journey())["order"]
    await answered(order, at=MID_Q3, nps=9, segment="A", attributes={"store": "Pudong"})
    await answered(order, at=MID_Q3, nps=9, segment="B", channel="email")

    async def refusal(by: str | None = None, **filters) -> ReviewError:
        with pytest.raises(ReviewError) as refused:
            await check_filters("online-store", ReviewFilters(**filters), by)
        return refused.value

    with pytest.raises(LookupError):
        await check_filters("nope", ReviewFilters(), None)
    assert (await refusal(touchpoint="checkout")).field == "touchpoint"
    segment = await refusal(segment="C")
    assert (segment.field, segment.message) == (
        "segment",
        "no answer of 'online-store' has segment 'C' (it has: A, B)",
    )
    assert "(it has: email, sms)" in (await refusal(channel="whatsapp")).message
    assert (await refusal(variant="Z")).field == "variant"
    assert "(it has none)" in (await refusal(experiment="wording")).message
    name = await refusal(attributes=(("region", "east"),))
    assert (name.field, name.message) == (
        "attribute",
        "no answer of 'online-store' has an attribute 'region' (it has: store)",
    )
    value = await refusal(attributes=(("store", "Jing'an"),))
    assert value.message == "no answer of 'online-store' has store \"Jing'an\" (it has: Pudong)"
    by = await refusal(by="region")
    assert by.field == "by" and "(it has: store)" in by.message
    # What exists passes.
    await check_filters(
        "online-store",
        ReviewFilters(
            touchpoint="ship", segment="A", channel="sms", attributes=(("store", "Pudong"),)
        ),
        "store",
    )
    await check_filters("online-store", ReviewFilters(), "segment")


async def test_the_review_as_json_and_as_csv_rows(db):
    order = (await create_journey())["order"]
    await order_quarter(order, MID_Q3, channel="sms")
    await unanswered(order, 20, sent_at=MID_Q3, channel="email")

    review = await review_figures("online-store", Q3)
    by_channel = await review_figures("online-store", Q3, by="channel")

    data = review.as_dict()
    assert (data["period"], data["kind"], data["previous_period"]) == (
        "2026-Q3",
        "quarter",
        "2026-Q2",
    )
    assert (data["starts_at"], data["count_by"], data["by"]) == (
        "2026-06-30T16:00:00+00:00",
        "answered",
        None,
    )
    row = data["touchpoints"][1]
    assert (row["touchpoint"], row["name"], row["n"], row["answers"]) == ("order", "order", 20, 20)
    assert (row["nps"]["score"], row["nps"]["low"], row["nps"]["high"]) == (25.0, -11.7, 55.2)
    assert (row["nps"]["target"], row["nps"]["target_met"], row["nps"]["change"]) == (
        40.0,
        False,
        None,
    )
    assert row["nps"]["previous"]["n"] == 0
    assert (row["csat"]["score"], row["csat"]["mean"]) == (85.0, 4.2)
    assert row["response_rate"] == {"sent": 40, "responses": 20, "rate": 50.0}
    assert data["whole"]["touchpoint"] == "*"

    rows = list(review.csv_rows())
    assert [r["touchpoint"] for r in rows] == ["browse", "order", "ship", "after-sales", "*"]
    assert {k: rows[1][k] for k in ("nps", "nps_low", "csat", "mean_csat", "response_rate")} == {
        "nps": 25.0,
        "nps_low": -11.7,
        "csat": 85.0,
        "mean_csat": 4.2,
        "response_rate": 50.0,
    }
    grouped = [
        (r["touchpoint"], r["group"], r["answers"], r["sent"]) for r in by_channel.csv_rows()
    ]
    assert ("order", "email", 0, 20) in grouped and ("order", "sms", 20, 20) in grouped
    assert ("*", "sms", 20, 20) in grouped
    text = review.csv_text().splitlines()
    assert text[0].startswith("journey,period,touchpoint,name,stage,by,group,answers,sent")
    assert text[2].startswith("online-store,2026-Q3,order,order,in-sale,,,20,40,20,50.0,20,25.0")


async def test_eight_quarters_of_every_touchpoint_are_one_query_on_the_answers(db, caplog):
    touchpoints = await create_journey()
    for touchpoint in touchpoints.values():
        await answered(touchpoint, at=MID_Q3, nps=9, csat=4)

    with caplog.at_level("DEBUG", logger="tortoise.db_client"):
        await trend("online-store", periods_ending(Q3, 8))
        await review_figures("online-store", Q3, by="segment")

    statements = [r.getMessage() for r in caplog.records if "GROUP BY" in r.getMessage()]
    on_answers = [s for s in statements if "FROM answer a" in s]
    on_invitations = [s for s in statements if "FROM invitation i" in s]
    # One for the trend and one for the review, whatever the touchpoints and periods.
    assert (len(on_answers), len(on_invitations)) == (2, 2)
