"""A/B results from a real database: the store's SMS wording experiment on its order
touchpoint, and a service experiment marked on shipping answers as `script: A|B`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.periods import Period
from surveys.experiment_results import attribute_comparison, experiment_results
from surveys.review_filters import ReviewError, ReviewFilters
from tests.surveys.experiment_cases import STORE_WITH_EXPERIMENT, answered, sent
from tests.surveys.factories import create_journey

Q3 = Period(2026, 3)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
MID_Q2 = datetime(2026, 5, 15, 10, tzinfo=UTC)


async def wording_experiment(touchpoints) -> None:
    """A: 100 SMS sent, 20 answered, all unhappy; B: 100 sent, 60 answered, all delighted.
    After-sales, outside the experiment, and Q2 must not count."""
    order = touchpoints["order"]
    await sent(order, 100, at=MID_Q3, answered=20, nps=3, csat=2, experiment="sms-wording")
    await sent(
        order, 100, at=MID_Q3, answered=60, nps=10, csat=5, variant="B", experiment="sms-wording"
    )
    await answered(touchpoints["after-sales"], 5, at=MID_Q3, nps=0, csat=1)
    await answered(order, 5, at=MID_Q2, nps=0, csat=1, variant="B", experiment="sms-wording")


async def test_the_better_wording_is_named_per_touchpoint_and_overall(db):
    await wording_experiment(await create_journey(STORE_WITH_EXPERIMENT))

    results = await experiment_results("online-store", Q3)

    assert [(r.experiment, r.touchpoint) for r in results] == [
        ("sms-wording", "order"),
        ("sms-wording", "*"),
    ]
    order = results[0].comparison
    assert [(v.name, v.sent, v.responded, v.answers) for v in order.variants] == [
        ("A", 100, 20, 20),
        ("B", 100, 60, 60),
    ]
    # Three comparisons (response rate, NPS, CSAT) share the 5%; each is far below 0.0167.
    assert order.comparisons == 3
    assert [v.text for v in order.verdicts] == [
        "B's response rate is higher than A's: 60% vs 20%, difference +40 points, 95% always-valid",
        "B's NPS is higher than A's: 100 vs -100, difference +200 points, 95% always-valid",
        "B's CSAT is higher than A's: 100% vs 0%, difference +100 points, 95% always-valid",
    ]
    assert results[1].comparison.as_dict() == order.as_dict(), "only order takes part"


async def test_the_results_read_as_json(db):
    await wording_experiment(await create_journey(STORE_WITH_EXPERIMENT))

    [order, _] = await experiment_results("online-store", Q3)

    found = order.as_dict()
    assert {k: found[k] for k in ("experiment", "by", "touchpoint", "name", "period")} == {
        "experiment": "sms-wording",
        "by": "variant",
        "touchpoint": "order",
        "name": "order",
        "period": "2026-Q3",
    }
    # 20 of 100: Wilson 95% interval 13.3% to 28.9%.
    assert found["variants"][0]["response_rate_interval"] == [13.3, 28.9]
    assert found["verdicts"][0]["threshold"] == round(0.05 / 3, 6)


async def test_a_declared_variant_without_answers_is_listed_not_yet(db):
    raw = {
        **STORE_WITH_EXPERIMENT,
        "messages": {"sms": {"A": "Rate us: {link}", "B": "Help: {link}", "C": "Tap: {link}"}},
        "experiments": {"sms-wording": {"variants": {"A": 1, "B": 1, "C": 1}}},
    }
    await wording_experiment(await create_journey(raw))

    results = await experiment_results("online-store", Q3)

    # No touchpoints listed: every touchpoint takes part, then all together.
    assert [r.touchpoint for r in results] == ["browse", "order", "ship", "after-sales", "*"]
    order = next(r for r in results if r.touchpoint == "order").comparison
    assert [v.name for v in order.variants] == ["A", "B", "C"]
    assert order.comparisons == 6
    c_texts = [v.text for v in order.verdicts if v.variant == "C"]
    assert c_texts == [
        "C vs A on response rate: not yet, C has no sends",
        "C vs A on NPS: not yet, C has no answers",
        "C vs A on CSAT: not yet, C has no answers",
    ]


async def test_a_journey_without_experiments_has_no_results(db):
    await create_journey()

    assert await experiment_results("online-store", Q3) == []


async def service_experiment(touchpoints) -> None:
    """Shipping answers marked with the script the courier followed: A 30, 24 satisfied
    (80%); B 30, 29 satisfied; and 10 unmarked, left out."""
    ship = touchpoints["ship"]
    await answered(ship, 24, at=MID_Q3, csat=5, attributes={"script": "A"})
    await answered(ship, 6, at=MID_Q3, csat=2, attributes={"script": "A"})
    await answered(ship, 29, at=MID_Q3, csat=5, attributes={"script": "B"})
    await answered(ship, 1, at=MID_Q3, csat=1, attributes={"script": "B"})
    await answered(ship, 10, at=MID_Q3, csat=1)


async def test_a_service_script_is_compared_by_its_attribute(db):
    await service_experiment(await create_journey())

    results = await attribute_comparison("online-store", Q3, "script")

    assert [r.touchpoint for r in results] == ["browse", "order", "ship", "after-sales", "*"]
    ship = next(r for r in results if r.touchpoint == "ship")
    assert (ship.experiment, ship.by) == ("script", "script")
    assert [(v.name, v.csat.n, v.csat.satisfied, v.sent) for v in ship.comparison.variants] == [
        ("A", 30, 24, None),
        ("B", 30, 29, None),
    ]
    # CSAT only (no NPS question, no sends on attributes): one comparison.
    # A' = 25/32 = 0.78125, B' = 30/32 = 0.9375, theta = 0.15625,
    # V = (0.170898 + 0.058594) / 32 = 0.0071716, tau^2 = 0.0025:
    # Lambda = sqrt(0.0071716 / 0.0096716) x exp(0.0025 x 0.024414 / (2 x 0.0071716 x
    # 0.0096716)) = 0.861113 x exp(0.440000) = 1.33700: p = 0.748, not yet.
    [verdict] = ship.comparison.verdicts
    assert verdict.p_value == pytest.approx(0.748, abs=1e-3)
    assert verdict.text.startswith(
        "B vs A on CSAT: 97% vs 80% (+17 points), not yet told from noise: about "
    )
    order = next(r for r in results if r.touchpoint == "order")
    assert [(v.name, v.answers) for v in order.comparison.variants] == [("A", 0), ("B", 0)]
    assert order.comparison.verdicts == [], "no answers, nothing to judge"


async def test_the_comparison_takes_the_review_filters(db):
    await service_experiment(await create_journey())

    results = await attribute_comparison(
        "online-store", Q3, "script", filters=ReviewFilters(touchpoint="ship")
    )

    assert [r.touchpoint for r in results] == ["ship", "*"]


async def test_an_attribute_no_answer_carries_is_refused_by_name(db):
    await service_experiment(await create_journey())

    with pytest.raises(ReviewError) as refused:
        await attribute_comparison("online-store", Q3, "store")

    assert refused.value.field == "attribute"
    assert "no answer of 'online-store' has an attribute 'store' (it has: script)" in str(
        refused.value
    )


async def test_an_unknown_journey_is_refused(db):
    with pytest.raises(LookupError, match="no journey with key 'nowhere'"):
        await experiment_results("nowhere", Q3)
    with pytest.raises(LookupError, match="no journey with key 'nowhere'"):
        await attribute_comparison("nowhere", Q3, "script")
