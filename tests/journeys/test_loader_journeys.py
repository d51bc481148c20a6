"""Journeys that load: clock times as CX owners write them, the demo journey in both
languages, and the digest that tells a changed journey from a reformatted one."""

from __future__ import annotations

from datetime import time, timedelta

from pydantic import BaseModel

from journeys.loader import DEMO_DIR, journey_digest, load_journey, load_journey_file
from journeys.schema import JourneyDefinition, LocalizedText
from tests.journeys.loader_cases import SMALL

DEMO = DEMO_DIR / "online-store.yaml"


def test_an_unquoted_clock_time_reads_as_a_time_of_day():
    text = SMALL + "send_window: {start: 9:30, end: 20:00}\n"
    window = load_journey(text).send_window
    assert (window.start, window.end) == (time(9, 30), time(20, 0))


def test_the_end_of_day_is_written_24_00():
    text = SMALL + 'send_window: {start: "18:00", end: "24:00"}\n'
    assert load_journey(text).send_window.end == time.max


def test_the_demo_journey_loads_with_five_touchpoints():
    shop = load_journey_file(DEMO)
    assert [t.key for t in shop.touchpoints] == ["browse", "order", "ship", "use", "after-sales"]
    assert shop.timezone == "Asia/Shanghai"
    assert shop.touchpoint("browse").sample == 0.05
    assert shop.touchpoint("order").delay == timedelta(days=7)
    assert shop.touchpoint("order").display_name("zh-CN") == "下单"
    assert shop.targets_for(shop.touchpoint("after-sales")).csat == 90
    assert set(shop.surveys) == {"nps-csat", "quick-csat"}
    assert [q.type for q in shop.surveys["quick-csat"].questions] == ["csat", "text"]
    assert set(shop.messages.sms) == {"A", "B"}
    assert set(shop.messages.email) == {"A"}


def texts_in(value: object) -> list[LocalizedText]:
    if isinstance(value, LocalizedText):
        return [value]
    if isinstance(value, BaseModel):
        return [t for name in type(value).model_fields for t in texts_in(getattr(value, name))]
    if isinstance(value, dict):
        return [t for item in value.values() for t in texts_in(item)]
    if isinstance(value, list):
        return [t for item in value for t in texts_in(item)]
    return []


def test_the_demo_journey_says_everything_in_english_and_chinese():
    texts = texts_in(load_journey_file(DEMO))
    assert len(texts) == 5 + 5 + 2 + 2  # names, questions, sms, email subject and body
    assert [t.en for t in texts if not t.zh_cn] == []


def test_the_digest_ignores_layout_and_comments():
    shop = load_journey(SMALL)
    reworded = SMALL.replace(
        "  - {key: order, stage: in-sale, trigger: order.placed, delay: P7D, survey: nps-csat}",
        "  # the order itself\n  - key: order\n    stage: in-sale\n    trigger: order.placed\n"
        "    delay: P1W\n    survey: nps-csat",
    )
    assert journey_digest(load_journey(reworded)) == journey_digest(shop)
    assert len(journey_digest(shop)) == 64


def test_the_digest_changes_with_the_meaning():
    shop = load_journey(SMALL)
    slower = load_journey(SMALL.replace("delay: P7D", "delay: P8D"))
    assert journey_digest(slower) != journey_digest(shop)
    assert journey_digest(JourneyDefinition.model_validate(shop.model_dump(by_alias=True))) == (
        journey_digest(shop)
    )


def test_the_demo_journey_follows_up_in_business_hours():
    shop = load_journey_file(DEMO)
    assert shop.follow_up.hours == "business"
    assert shop.follow_up.team is None
    assert shop.business_hours.holidays
    assert shop.follow_up_for(shop.touchpoint("browse")).enabled is False
    after_sales = shop.follow_up_for(shop.touchpoint("after-sales"))
    assert (after_sales.first_response, after_sales.resolution) == (
        timedelta(hours=1),
        timedelta(hours=18),
    )
