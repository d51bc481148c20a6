"""The touchpoint report, against a real database (SQLite, or PostgreSQL when configured).

The online store reports in Shanghai time: 2026-Q3 runs from 2026-06-30 16:00 UTC to
2026-09-30 16:00 UTC.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from journeys.models import Touchpoint
from journeys.periods import Period
from surveys.reports import JourneyReport, format_report_table, touchpoint_report
from tests.surveys.factories import ONLINE_STORE, answers, create_journey, invitations

Q3 = Period(2026, 3)
Q3_START = datetime(2026, 6, 30, 16, tzinfo=UTC)
Q3_END = datetime(2026, 9, 30, 16, tzinfo=UTC)
MID_Q2 = datetime(2026, 5, 15, 10, tzinfo=UTC)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
MID_Q4 = datetime(2026, 11, 15, 10, tzinfo=UTC)


def row(report: JourneyReport, key: str):
    return next(r for r in report.rows if r.touchpoint == key)


async def order_quarter(order, answered_at: datetime) -> None:
    """10 promoters, 5 passives, 5 detractors (NPS 25); 17 of 20 satisfied (CSAT 85)."""
    await answers(order, 10, answered_at=answered_at, nps=10, csat=5)
    await answers(order, 5, answered_at=answered_at, nps=7, csat=4)
    await answers(order, 2, answered_at=answered_at, nps=6, csat=4)
    await answers(order, 3, answered_at=answered_at, nps=0, csat=2)


async def test_it_scores_each_touchpoint_of_the_quarter(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)
    await invitations(touchpoints["order"], 20, sent_at=MID_Q3)  # not answered
    await invitations(touchpoints["order"], 3, sent_at=None)  # not sent yet
    await invitations(touchpoints["order"], 4, sent_at=MID_Q4)  # next quarter's
    await answers(touchpoints["ship"], 3, answered_at=MID_Q3, csat=5)  # a CSAT-only survey

    report = await touchpoint_report("online-store", Q3)

    assert (report.journey, report.name, report.period) == ("online-store", "Online store", Q3)
    assert report.timezone == "Asia/Shanghai"
    order = row(report, "order")
    assert order.stage == "in-sale"
    assert (order.nps.n, order.nps.promoters, order.nps.passives, order.nps.detractors) == (
        20,
        10,
        5,
        5,
    )
    # The hand-worked example of test_scoring: NPS 25, adjusted-Wald [-11.72, 55.20].
    assert order.nps.score == 25
    assert order.nps.low == pytest.approx(-11.72, abs=0.005)
    assert order.nps.high == pytest.approx(55.20, abs=0.005)
    assert (order.csat.n, order.csat.satisfied, order.csat.score) == (20, 17, 85)
    assert order.csat.low == pytest.approx(63.96, abs=0.005)
    assert (order.sent, order.responses, order.response_rate) == (40, 20, 50.0)
    ship = row(report, "ship")
    assert (ship.nps.n, ship.nps.score) == (0, None)
    assert (ship.csat.n, ship.csat.score, ship.response_rate) == (3, 100, 100.0)


async def test_rows_follow_the_definition_and_leave_out_inactive_touchpoints(db):
    order = (await create_journey(inactive=("ship",)))["order"]
    # A touchpoint the current definition does not list comes last, with the journey's targets.
    await Touchpoint.create(journey_id=order.journey_id, key="a-stray", stage="x", trigger="x")

    report = await touchpoint_report("online-store", Q3)

    assert [r.touchpoint for r in report.rows] == ["browse", "order", "after-sales", "a-stray"]
    assert (report.rows[-1].targets.nps, report.rows[-1].targets.csat) == (40, 85)
    browse = report.rows[0]
    assert (browse.nps.n, browse.csat.n, browse.sent, browse.response_rate) == (0, 0, 0, None)
    assert (browse.nps_change, browse.nps_target_met, browse.csat_target_met) == (None,) * 3


async def test_an_answer_just_outside_the_quarter_in_shanghai_is_left_out(db):
    order = (await create_journey())["order"]
    second = timedelta(seconds=1)
    await answers(order, 1, answered_at=Q3_START - second, nps=0)  # 30 June 23:59:59 Shanghai
    await answers(order, 1, answered_at=Q3_START, nps=10)  # 1 July 00:00:00 Shanghai
    await answers(order, 1, answered_at=Q3_END - second, nps=10)  # 30 Sept 23:59:59
    await answers(order, 1, answered_at=Q3_END, nps=0)  # 1 October 00:00:00
    # Still 30 June in UTC, but already 1 July in Shanghai.
    await answers(order, 1, answered_at=Q3_START + timedelta(hours=7), nps=9)

    found = row(await touchpoint_report("online-store", Q3), "order")

    assert (found.nps.n, found.nps.promoters, found.nps.detractors) == (3, 3, 0)
    assert (found.previous_nps.n, found.previous_nps.detractors) == (1, 1)


async def test_a_late_answer_counts_toward_the_response_rate_of_its_invitations_quarter(db):
    order = (await create_journey())["order"]
    await invitations(order, 1, sent_at=Q3_END - timedelta(hours=2), answered_at=MID_Q4, nps=9)
    await invitations(order, 3, sent_at=MID_Q3)

    q3 = row(await touchpoint_report("online-store", Q3), "order")
    q4 = row(await touchpoint_report("online-store", Q3.next()), "order")

    assert (q3.sent, q3.responses, q3.response_rate, q3.nps.n) == (4, 1, 25.0, 0)
    assert (q4.sent, q4.responses, q4.response_rate, q4.nps.n) == (0, 0, None, 1)


async def test_it_tells_a_real_change_on_last_quarter_from_noise(db):
    touchpoints = await create_journey()
    after_sales, order = touchpoints["after-sales"], touchpoints["order"]
    # Last quarter: 40/20/40 (NPS 0), 70 of 100 satisfied.
    await answers(after_sales, 40, answered_at=MID_Q2, nps=9, csat=5)
    await answers(after_sales, 20, answered_at=MID_Q2, nps=8, csat=4)
    await answers(after_sales, 10, answered_at=MID_Q2, nps=3, csat=4)
    await answers(after_sales, 30, answered_at=MID_Q2, nps=3, csat=1)
    # This quarter: 60/20/20 (NPS 40), 90 of 100 satisfied.
    await answers(after_sales, 60, answered_at=MID_Q3, nps=10, csat=5)
    await answers(after_sales, 20, answered_at=MID_Q3, nps=7, csat=4)
    await answers(after_sales, 10, answered_at=MID_Q3, nps=0, csat=4)
    await answers(after_sales, 10, answered_at=MID_Q3, nps=0, csat=2)
    # Order: NPS 25 last quarter, 40 this quarter, on 20 answers each.
    await order_quarter(order, MID_Q2)
    await answers(order, 12, answered_at=MID_Q3, nps=9)
    await answers(order, 4, answered_at=MID_Q3, nps=8)
    await answers(order, 4, answered_at=MID_Q3, nps=5)

    report = await touchpoint_report("online-store", Q3)

    big = row(report, "after-sales")
    assert (big.previous_nps.score, big.nps.score) == (0, 40)
    assert big.nps_change is not None
    assert (big.nps_change.delta, big.nps_change.significant) == (40, True)
    assert big.csat_change is not None
    assert (big.csat_change.delta, big.csat_change.significant) == (pytest.approx(20), True)
    small = row(report, "order")
    assert small.nps_change is not None
    assert (small.nps_change.delta, small.nps_change.significant) == (15, False)
    assert small.csat_change is None  # no CSAT answers this quarter


async def test_targets_come_from_the_touchpoint_then_the_journey(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)  # NPS 25, CSAT 85
    await answers(touchpoints["after-sales"], 17, answered_at=MID_Q3, nps=9, csat=5)
    await answers(touchpoints["after-sales"], 3, answered_at=MID_Q3, nps=8, csat=3)
    await answers(touchpoints["browse"], 10, answered_at=MID_Q3, nps=10)
    await answers(touchpoints["browse"], 5, answered_at=MID_Q3, nps=0)

    report = await touchpoint_report("online-store", Q3)

    order = row(report, "order")
    assert (order.targets.nps, order.targets.csat) == (40, 85)
    assert order.nps_target_met is False  # 25 is not above 40
    assert order.csat_target_met is True  # 85% is "85% and above"
    after_sales = row(report, "after-sales")
    assert (after_sales.targets.nps, after_sales.targets.csat) == (40, 90)
    assert after_sales.nps_target_met is True  # 85 is above 40
    assert after_sales.csat_target_met is False  # 85% is below its own 90%
    browse = row(report, "browse")
    assert browse.nps.score == pytest.approx(100 * 5 / 15)
    assert browse.nps_target_met is False  # 33.3 is not above 40
    assert browse.csat_target_met is None  # no CSAT answers
    assert row(report, "ship").nps_target_met is None  # no answers at all


async def test_an_nps_exactly_on_target_is_not_above_it(db):
    order = (await create_journey())["order"]
    await answers(order, 6, answered_at=MID_Q3, nps=10)
    await answers(order, 2, answered_at=MID_Q3, nps=8)
    await answers(order, 2, answered_at=MID_Q3, nps=2)

    found = row(await touchpoint_report("online-store", Q3), "order")

    assert (found.nps.score, found.nps_target_met) == (40, False)


async def test_a_journey_without_targets_meets_none(db):
    raw = {**ONLINE_STORE, "journey": "support", "targets": {}}
    raw["touchpoints"] = [t for t in ONLINE_STORE["touchpoints"] if t["key"] == "order"]
    order = (await create_journey(raw))["order"]
    await answers(order, 5, answered_at=MID_Q3, nps=10, csat=5)

    found = row(await touchpoint_report("support", Q3), "order")

    assert (found.nps.score, found.targets.nps, found.nps_target_met) == (100, None, None)
    assert (found.csat.score, found.targets.csat, found.csat_target_met) == (100, None, None)


async def test_it_flags_scores_below_the_minimum_sample(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)
    await answers(touchpoints["after-sales"], 30, answered_at=MID_Q3, nps=9, csat=5)

    report = await touchpoint_report("online-store", Q3)
    lenient = await touchpoint_report("online-store", Q3, min_sample=20)

    assert row(report, "order").nps.low_sample is True
    assert row(report, "order").csat.low_sample is True
    assert row(report, "after-sales").nps.low_sample is False
    assert row(lenient, "order").nps.low_sample is False
    assert lenient.min_sample == 20


async def test_an_unknown_journey_is_a_lookup_error(db):
    await create_journey()
    with pytest.raises(LookupError, match="no journey with key 'nope'"):
        await touchpoint_report("nope", Q3)


async def test_the_report_as_json_rounds_to_one_decimal_and_carries_every_n(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)
    await invitations(touchpoints["order"], 20, sent_at=MID_Q3)
    await answers(touchpoints["order"], 20, answered_at=MID_Q2, nps=9, csat=5)

    data = json.loads(json.dumps((await touchpoint_report("online-store", Q3)).as_dict()))

    # Last quarter, 20 promoters: n' = 23, p' = 20.75/23 = 0.90217, d' = 0.75/23 = 0.03261,
    # p' - d' = 0.86957, var = (0.93478 - 0.75614) / 23 = 0.007767, half = 0.17273:
    # [69.68, 104.23] clipped to 100, margin 17.27. The change, 25 - 100 = -75, has
    # 1.96 x sqrt(0.029136 + 0.007767) = 0.3765 as its margin: 37.7 points, well under 75.

    assert data["period"] == "2026-Q3"
    assert data["previous_period"] == "2026-Q2"
    assert data["starts_at"] == "2026-06-30T16:00:00+00:00"
    assert data["ends_at"] == "2026-09-30T16:00:00+00:00"
    assert [t["touchpoint"] for t in data["touchpoints"]] == [
        "browse",
        "order",
        "ship",
        "after-sales",
    ]
    order = data["touchpoints"][1]
    assert order["nps"] == {
        "n": 20,
        "promoters": 10,
        "passives": 5,
        "detractors": 5,
        "score": 25.0,
        "low": -11.7,
        "high": 55.2,
        "margin": 33.5,
        "low_sample": True,
        "target": 40.0,
        "target_met": False,
        "previous": {
            "n": 20,
            "promoters": 20,
            "passives": 0,
            "detractors": 0,
            "score": 100.0,
            "low": 69.7,
            "high": 100.0,
            "margin": 17.3,
            "low_sample": True,
        },
        "change": {"delta": -75.0, "significant": True, "margin": 37.7},
    }
    assert order["csat"]["score"] == 85.0
    assert (order["csat"]["low"], order["csat"]["high"], order["csat"]["n"]) == (64.0, 94.8, 20)
    assert order["response_rate"] == {"sent": 40, "responses": 20, "rate": 50.0}
    assert data["touchpoints"][0]["nps"]["score"] is None


async def test_the_table_marks_low_samples_and_real_changes(db):
    touchpoints = await create_journey()
    await order_quarter(touchpoints["order"], MID_Q3)
    await invitations(touchpoints["order"], 20, sent_at=MID_Q3)
    await answers(touchpoints["order"], 20, answered_at=MID_Q2, nps=9, csat=5)

    table = format_report_table(await touchpoint_report("online-store", Q3))

    lines = table.splitlines()
    assert lines[0] == "Online store (online-store), 2026-Q3, Asia/Shanghai"
    assert (
        lines[2].split()
        == "touchpoint stage n NPS ±margin CSAT response rate change NPS / CSAT target met".split()
    )
    order = next(line for line in lines if line.startswith("order"))
    assert (
        order.split()
        == (
            "order in-sale 20 +25.0 ±33.5 * 85.0% (n=20) * 50.0% (20/40) -75.0! / -15.0"
            " NPS no, CSAT yes"
        ).split()
    )
    browse = next(line for line in lines if line.startswith("browse"))
    assert browse.split() == "browse pre-sale 0 - - - - / - -".split()
    assert "* low sample (fewer than 30 answers)" in table
