"""The standing case of the contact-rule tables, shared by the `test_contact*` modules.

Anna in Shanghai, whose "use" survey (priority 3) of the online store is due; the shop
writes between 09:00 and 20:00, Monday to Saturday. NOW is Wednesday 10:00 in Shanghai.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journeys.contact import (
    Candidate,
    Competitor,
    ContactRules,
    Defer,
    PastSurvey,
    Send,
    Suppress,
    decide,
)
from journeys.policies import ContactPolicy, SendWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
SHOP_HOURS = SendWindow(
    start=time(9), end=time(20), days=["mon", "tue", "wed", "thu", "fri", "sat"]
)
ALL_DAY = SendWindow(start=time(0), end=time.max)
DAY = timedelta(days=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


NOW = utc("2026-08-12 02:00")  # Wednesday 10:00 in Shanghai, in the third quarter
USE = Candidate(
    invitation_id=10,
    journey="online-store",
    touchpoint="use",
    trigger="order.delivered",
    priority=3,
    event_id="evt-use",
    sample=1.0,
    due=NOW - timedelta(hours=1),
    max_age=14 * DAY,
    tz=SHANGHAI,
)
RULES = ContactRules(ContactPolicy(), SHOP_HOURS)
MIN_30 = ContactPolicy(min_days_between_surveys=30)
MAX_2 = ContactPolicy(max_surveys_per_quarter=2)
ORDER_TP = "online-store/order"


def ago(days: float, journey: str = "online-store", touchpoint: str = "order") -> PastSurvey:
    return PastSurvey(NOW - days * DAY, journey, touchpoint)


def rival(
    touchpoint: str = "order",
    priority: int = 1,
    in_days: float = 2,
    journey: str = "online-store",
    **changes: object,
) -> Competitor:
    base = Competitor(
        invitation_id=20,
        journey=journey,
        touchpoint=touchpoint,
        priority=priority,
        send_at=NOW + in_days * DAY,
        due=NOW + in_days * DAY,
        max_age=14 * DAY,
    )
    return replace(base, **changes)


def run(
    candidate: Candidate = USE,
    rules: ContactRules = RULES,
    history: tuple[PastSurvey, ...] = (),
    competitors: tuple[Competitor, ...] = (),
    opted_out: bool = False,
    now: datetime = NOW,
) -> Send | Defer | Suppress:
    return decide(candidate, rules, history, competitors, opted_out=opted_out, now=now)
