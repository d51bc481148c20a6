from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.policies import SendWindow
from journeys.scheduling import SendPlan, customer_zone, is_sampled, plan_invitation
from journeys.schema import TouchpointDefinition

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHOP_HOURS = SendWindow(
    start=time(9), end=time(20), days=["mon", "tue", "wed", "thu", "fri", "sat"]
)
ORDER = TouchpointDefinition.model_validate(
    {
        "key": "order",
        "stage": "in-sale",
        "trigger": "order.placed",
        "delay": "P7D",
        "survey": "nps-csat",
    }
)
EVENT_IDS = [f"evt-{number:05d}" for number in range(20_000)]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_a_retried_event_is_sampled_the_same_way():
    first = [is_sampled(event_id, "browse", 0.5) for event_id in EVENT_IDS[:2000]]
    again = [is_sampled(event_id, "browse", 0.5) for event_id in EVENT_IDS[:2000]]
    assert first == again
    assert 0 < sum(first) < len(first)


@pytest.mark.parametrize("rate", [0.05, 0.25, 0.5, 0.9])
def test_the_share_sampled_is_close_to_the_rate(rate):
    sampled = sum(is_sampled(event_id, "browse", rate) for event_id in EVENT_IDS)
    expected = rate * len(EVENT_IDS)
    spread = (len(EVENT_IDS) * rate * (1 - rate)) ** 0.5
    assert abs(sampled - expected) < 4 * spread


def test_each_touchpoint_samples_an_event_independently():
    browse = {event_id for event_id in EVENT_IDS if is_sampled(event_id, "browse", 0.5)}
    ship = {event_id for event_id in EVENT_IDS if is_sampled(event_id, "ship", 0.5)}
    assert abs(len(browse & ship) / len(EVENT_IDS) - 0.25) < 0.02


def test_a_lower_rate_samples_a_subset_of_a_higher_one():
    low = {event_id for event_id in EVENT_IDS if is_sampled(event_id, "browse", 0.05)}
    high = {event_id for event_id in EVENT_IDS if is_sampled(event_id, "browse", 0.2)}
    assert low < high


def test_every_event_is_sampled_at_rate_one_and_none_at_zero():
    assert all(is_sampled(event_id, "order", 1.0) for event_id in EVENT_IDS)
    assert not any(is_sampled(event_id, "order", 0.0) for event_id in EVENT_IDS)


@pytest.mark.parametrize(
    ("occurred_at", "now", "send_at"),
    [
        # Placed Mon 2026-09-21 18:00 in Shanghai: due a week later, inside the window.
        ("2026-09-21 10:00", "2026-09-21 10:00", "2026-09-28 10:00"),
        # Placed at 21:00 Shanghai time: due after hours, sent the next morning at 09:00.
        ("2026-09-21 13:00", "2026-09-21 13:00", "2026-09-29 01:00"),
        # Due on a Saturday evening: the shop sends nothing on Sunday, so Monday 09:00.
        ("2026-09-26 12:30", "2026-09-26 12:30", "2026-10-05 01:00"),
        # Reported late but still fresh: sent now, as now is inside the window.
        ("2026-09-14 10:00", "2026-09-25 03:00", "2026-09-25 03:00"),
        # Reported late, at night in Shanghai: sent at the next opening after now.
        ("2026-09-14 10:00", "2026-09-25 14:00", "2026-09-26 01:00"),
    ],
)
def test_it_sends_after_the_delay_inside_the_customers_window(occurred_at, now, send_at):
    plan = plan_invitation(utc(occurred_at), utc(now), ORDER, SHOP_HOURS, SHANGHAI)
    assert plan == SendPlan(send_at=utc(send_at), stale=False, reason=None)


def test_it_marks_an_invitation_stale_when_the_event_arrives_too_late():
    plan = plan_invitation(
        utc("2026-09-24 09:00"), utc("2026-10-20 08:00"), ORDER, SHOP_HOURS, SHANGHAI
    )
    assert plan.stale
    assert plan.send_at == utc("2026-10-01 09:00")
    assert plan.reason == "stale: due 2026-10-01 09:00 UTC, more than 14 days ago"


def test_an_invitation_exactly_max_age_late_is_still_sent():
    due = utc("2026-10-01 09:00")
    plan = plan_invitation(due - ORDER.delay, due + ORDER.max_age, ORDER, SHOP_HOURS, SHANGHAI)
    assert not plan.stale
    assert plan.send_at == due + ORDER.max_age


@pytest.mark.parametrize(
    ("max_age", "spoken"),
    [
        (timedelta(days=1), "1 day"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(hours=1), "1 hour"),
        (timedelta(minutes=90), "90 minutes"),
    ],
)
def test_the_stale_reason_says_the_max_age_as_written(max_age, spoken):
    quick = ORDER.model_copy(update={"delay": timedelta(hours=2), "max_age": max_age})
    plan = plan_invitation(
        utc("2026-10-01 07:00"), utc("2026-10-03 09:00"), quick, SHOP_HOURS, SHANGHAI
    )
    assert plan.reason == f"stale: due 2026-10-01 09:00 UTC, more than {spoken} ago"


def test_the_due_time_is_reported_in_utc_whatever_the_event_zone():
    occurred_at = datetime(2026, 9, 24, 17, 0, tzinfo=SHANGHAI)
    plan = plan_invitation(occurred_at, utc("2026-10-20 08:00"), ORDER, SHOP_HOURS, SHANGHAI)
    assert plan.send_at.tzinfo is UTC
    assert plan.reason == "stale: due 2026-10-01 09:00 UTC, more than 14 days ago"


@pytest.mark.parametrize(
    ("customer_timezone", "expected"),
    [
        ("America/New_York", "America/New_York"),
        (" Europe/London ", "Europe/London"),
        (None, "Asia/Shanghai"),
        ("", "Asia/Shanghai"),
        ("UTC+8", "Asia/Shanghai"),
        ("Mars/Olympus", "Asia/Shanghai"),
        ("../../etc/passwd", "Asia/Shanghai"),
    ],
)
def test_it_uses_the_customers_zone_when_it_can_read_it(customer_timezone, expected):
    assert customer_zone(customer_timezone, "Asia/Shanghai") == ZoneInfo(expected)


def test_it_falls_back_to_utc_when_no_zone_can_be_read():
    assert customer_zone("Mars/Olympus", "") == ZoneInfo("UTC")
