"""The contact rules as tables: one customer, one invitation, the rule that decides and why.

The standing case: Anna in Shanghai, whose "use" survey (priority 3) of the online store is
due; the shop writes between 09:00 and 20:00, Monday to Saturday. NOW is Wednesday 10:00
in Shanghai.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journeys.contact import (
    Candidate,
    Competitor,
    ContactRules,
    Defer,
    PastSurvey,
    Send,
    Suppress,
    candidate_for,
    decide,
    rules_for,
)
from journeys.loader import load_journey
from journeys.scheduling import is_sampled
from journeys.schema import ContactPolicy, SendWindow

SHANGHAI = ZoneInfo("Asia/Shanghai")
NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SHOP_HOURS = SendWindow(
    start=time(9), end=time(20), days=["mon", "tue", "wed", "thu", "fri", "sat"]
)
ALL_DAY = SendWindow(start=time(0), end=time.max)
DAY = timedelta(days=1)
EVENTS = [f"evt-{n:05d}" for n in range(20_000)]
UNSAMPLED = next(e for e in EVENTS if not is_sampled(e, "use", 0.05))
SAMPLED = next(e for e in EVENTS if is_sampled(e, "use", 0.05))


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


LONG_LIVED = replace(USE, max_age=120 * DAY)
ORDER_TP = "online-store/order"
RULES_30 = replace(RULES, policy=MIN_30)
ACROSS_30 = replace(RULES, across=MIN_30)
TICKET = ("support", "ticket")


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        pytest.param({}, Send(), id="nothing objects"),
        pytest.param({"opted_out": True}, Suppress("opted out"), id="opted out"),
        pytest.param(
            {"candidate": replace(USE, event_id=UNSAMPLED, sample=0.05, trigger="product.viewed")},
            Suppress("not sampled: 5% of product.viewed events are surveyed"),
            id="not sampled",
        ),
        pytest.param(
            {"candidate": replace(USE, due=NOW - 15 * DAY)},
            Suppress("stale: due 2026-07-28 02:00 UTC, more than 14 days ago"),
            id="stale",
        ),
        pytest.param(  # Wednesday 21:00 in Shanghai: Thursday 09:00
            {"now": utc("2026-08-12 13:00")},
            Defer(utc("2026-08-13 01:00"), "outside the send window"),
            id="send window",
        ),
    ],
)
def test_each_rule_about_the_invitation_alone(case, expected):
    assert run(**case) == expected


MIN_1 = ContactPolicy(max_surveys_per_quarter=1)
OCT_1 = "2026-10-01 01:00"
AUG_31 = "2026-08-31 01:00"


@pytest.mark.parametrize(
    ("rules", "history", "until", "reason"),
    [
        # 30 days after 07-31 is Sunday 08-30, closed: Monday 09:00 in Shanghai.
        (
            RULES_30,
            (ago(12),),
            AUG_31,
            "contact policy: surveyed 12 days ago by online-store/order, minimum 30 days",
        ),
        (
            ACROSS_30,
            (ago(40), ago(12, *TICKET)),
            AUG_31,
            "contact policy across journeys: surveyed 12 days ago by support/ticket,"
            " minimum 30 days",
        ),
        # Q4 starts at midnight in Shanghai on Thursday 10-01; the window opens at 09:00.
        (
            replace(RULES, policy=MAX_2),
            (ago(5), ago(30), ago(60)),
            OCT_1,
            "contact policy: 2 surveys this quarter already, maximum 2",
        ),
        (
            replace(RULES, across=MIN_1),
            (ago(5, *TICKET),),
            OCT_1,
            "contact policy across journeys: 1 survey this quarter already, maximum 1",
        ),
    ],
    ids=["min days", "min days across", "quarter", "quarter across"],
)
def test_each_contact_rule_alone_defers_with_its_reason(rules, history, until, reason):
    assert run(LONG_LIVED, rules, history) == Defer(utc(until), reason)


def test_arbitration_alone_defers_the_lower_priority():
    """Order goes in 2 days; 30 days later is a Sunday: Monday 09:00 in Shanghai."""
    decision = run(LONG_LIVED, RULES_30, competitors=(rival(),))
    assert decision == Defer(
        utc("2026-09-14 01:00"), "lost to online-store/order (higher priority)"
    )


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        # A journey's own policy does not count another journey's surveys.
        ({"rules": RULES_30, "history": (ago(1, *TICKET),)}, Send()),
        ({"rules": RULES_30, "history": (ago(30),)}, Send()),
        ({"rules": replace(RULES, policy=MAX_2), "history": (ago(5), ago(60))}, Send()),
        # The limit counts this quarter only: 07-01 00:00 in Shanghai is 06-30 16:00 UTC.
        ({"rules": replace(RULES, policy=MAX_2), "history": (ago(5), ago(42.5))}, Send()),
        (
            {"rules": replace(RULES, policy=MAX_2), "history": (ago(5), ago(42.3))},
            Suppress("contact policy: 2 surveys this quarter already, maximum 2"),
        ),
    ],
)
def test_a_policy_only_objects_within_its_own_scope(case, expected):
    assert run(**case) == expected


EVERYTHING_OBJECTS = {
    "candidate": replace(USE, event_id=UNSAMPLED, sample=0.05, due=NOW - 20 * DAY),
    "rules": ContactRules(MIN_30, SHOP_HOURS, ContactPolicy(max_surveys_per_quarter=1)),
    "history": (ago(1),),
    "competitors": (rival(),),
    "now": utc("2026-08-12 13:00"),
}


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"opted_out": True}, "opted out"),
        ({}, "not sampled: 5% of order.delivered events are surveyed"),
        ({"candidate": replace(USE, due=NOW - 20 * DAY)}, "stale: due 2026-07-23 02:00 UTC"),
        ({"candidate": USE}, "contact policy: surveyed 1 day ago by online-store/order"),
    ],
)
def test_the_first_rule_that_objects_decides(overrides, reason):
    decision = run(**{**EVERYTHING_OBJECTS, **overrides})
    assert isinstance(decision, Suppress)
    assert decision.reason.startswith(reason)


def fresh_for(span: timedelta) -> Candidate:
    """Fresh until exactly NOW + span (due an hour ago)."""
    return replace(USE, max_age=span + timedelta(hours=1))


SECOND = timedelta(seconds=1)
SURVEYED_12_DAYS_AGO = "contact policy: surveyed 12 days ago by online-store/order, minimum 30 days"


@pytest.mark.parametrize(
    ("candidate", "window", "expected"),
    [
        (fresh_for(18 * DAY), ALL_DAY, Defer(NOW + 18 * DAY, SURVEYED_12_DAYS_AGO)),
        (fresh_for(18 * DAY - SECOND), ALL_DAY, Suppress(SURVEYED_12_DAYS_AGO)),
        # Day 18 is Sunday, closed: Monday 09:00 is 23 hours later than the rule alone.
        (fresh_for(18 * DAY), SHOP_HOURS, Suppress(SURVEYED_12_DAYS_AGO)),
        (
            fresh_for(19 * DAY - timedelta(hours=1)),
            SHOP_HOURS,
            Defer(utc("2026-08-31 01:00"), SURVEYED_12_DAYS_AGO),
        ),
    ],
)
def test_a_contact_rule_defers_while_fresh_and_suppresses_after(candidate, window, expected):
    rules = ContactRules(MIN_30, window)
    assert run(candidate, rules, history=(ago(12),)) == expected


@pytest.mark.parametrize(("late", "stale"), [(timedelta(0), False), (SECOND, True)])
def test_an_invitation_is_stale_only_after_its_max_age(late, stale):
    decision = run(now=USE.due + USE.max_age + late)
    assert isinstance(decision, Suppress) is stale


SEPT_30_20H_UTC = utc("2026-09-30 20:00")  # already 10-01 04:00, Q4, in Shanghai


@pytest.mark.parametrize(
    ("tz", "sent", "until"),
    [
        # Two Q3 surveys: in Shanghai the new quarter has begun, in UTC it has not.
        (SHANGHAI, ("2026-09-10 02:00", "2026-09-20 02:00"), None),
        (ZoneInfo("UTC"), ("2026-09-10 02:00", "2026-09-20 02:00"), "2026-10-01 00:00"),
        # Two surveys after midnight in Shanghai are Q4 there, the limit is reached: Q1 2027.
        (SHANGHAI, ("2026-09-30 16:00", "2026-09-30 17:00"), "2026-12-31 16:00"),
        (SHANGHAI, ("2026-09-30 15:59", "2026-09-30 17:00"), None),
    ],
)
def test_the_quarter_is_the_customers_calendar_quarter(tz, sent, until):
    candidate = replace(USE, tz=tz, due=SEPT_30_20H_UTC, max_age=120 * DAY)
    history = tuple(PastSurvey(utc(t), "online-store", "order") for t in sent)
    decision = run(candidate, ContactRules(MAX_2, ALL_DAY), history, now=SEPT_30_20H_UTC)
    reason = "contact policy: 2 surveys this quarter already, maximum 2"
    assert decision == (Defer(utc(until), reason) if until else Send())


ORDER = replace(USE, invitation_id=9, touchpoint="order", priority=1, max_age=60 * DAY)
USE_LONG = replace(USE, max_age=60 * DAY)
R30 = ContactRules(MIN_30, ALL_DAY)
SUPPORT = rival("ticket", 0, journey="support")
LOST = "lost to online-store/order (higher priority)"
SHIP_TP, EARLIER, FIRST = (
    "online-store/ship",
    "same priority, due earlier",
    "same priority, scheduled first",
)


def lost(days: int, to: str = ORDER_TP, why: str = "higher priority") -> Defer:
    return Defer(NOW + days * DAY, f"lost to {to} ({why})")


@pytest.mark.parametrize(
    ("candidate", "rules", "competitors", "expected"),
    [
        # Order (priority 1) and use (priority 3) both want Anna within 30 days: order wins.
        (USE_LONG, R30, (rival(),), lost(32)),
        (ORDER, R30, (rival("use", 3),), Send()),
        # Order is being sent right now: use waits 30 days from now; past freshness, suppressed.
        (USE_LONG, R30, (rival(in_days=-1),), lost(30)),
        (USE, R30, (rival(),), Suppress(LOST)),
        # No min-days rule, no collision: both go.
        (USE, ContactRules(ContactPolicy(), ALL_DAY), (rival(),), Send()),
        (USE, ContactRules(MAX_2, ALL_DAY), (rival(),), Send()),
        # Order goes out after the 30 days anyway, or will be stale before it is sent.
        (USE, R30, (rival(in_days=30),), Send()),
        (USE, R30, (rival(due=NOW - 20 * DAY),), Send()),
        # Another journey's touchpoint only collides under the policy across journeys.
        (USE, R30, (SUPPORT,), Send()),
        (
            USE_LONG,
            replace(R30, policy=ContactPolicy(), across=MIN_30),
            (SUPPORT,),
            lost(32, "support/ticket"),
        ),
        # Equal priorities: the earlier due wins, then the older invitation.
        (USE_LONG, R30, (rival("ship", 3, due=NOW - 2 * DAY),), lost(32, SHIP_TP, EARLIER)),
        (
            USE_LONG,
            R30,
            (rival("ship", 3, due=USE.due, invitation_id=5),),
            lost(32, SHIP_TP, FIRST),
        ),
        (USE_LONG, R30, (rival("ship", 3, due=USE.due),), Send()),
        # Of several winners the best ranked is named.
        (
            USE_LONG,
            R30,
            (rival("ship", 2, in_days=1, invitation_id=21), rival(in_days=3)),
            lost(33),
        ),
    ],
)
def test_the_higher_priority_wins_a_collision(candidate, rules, competitors, expected):
    assert run(candidate, rules, competitors=competitors) == expected


EVERY_DAY_9_TO_17 = SendWindow(start=time(9), end=time(17))


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        # Sat 18:00 EST; Sunday 03-08 springs forward: 09:00 EDT is 13:00 UTC, not 14:00.
        (NEW_YORK, "2026-03-07 23:00", "2026-03-08 13:00"),
        # Sat 18:00 EDT; Sunday 11-01 falls back: 09:00 EST is 14:00 UTC.
        (NEW_YORK, "2026-10-31 22:00", "2026-11-01 14:00"),
    ],
)
def test_a_closed_window_defers_to_the_next_opening_across_dst(tz, now, expected):
    candidate = replace(USE, tz=tz, due=utc(now))
    decision = run(candidate, ContactRules(ContactPolicy(), EVERY_DAY_9_TO_17), now=utc(now))
    assert decision == Defer(utc(expected), "outside the send window")


def test_a_contact_deferral_lands_in_the_window_after_the_clocks_change():
    """30 days after Sunday 20:30 GMT is 21:30 BST, after the window: 08:00 the next day."""
    candidate = replace(USE, tz=LONDON, due=utc("2026-03-02 00:00"), max_age=60 * DAY)
    history = (PastSurvey(utc("2026-03-01 20:30"), "online-store", "order"),)
    decision = run(
        candidate, ContactRules(MIN_30, SendWindow()), history, now=utc("2026-03-02 10:00")
    )
    assert isinstance(decision, Defer)
    assert decision.until == utc("2026-04-01 07:00")


def test_sampling_decides_the_same_on_every_retry_and_matches_the_rate():
    def once(event_id: str) -> bool:
        candidate = replace(USE, event_id=event_id, sample=0.05)
        return run(candidate, ContactRules(ContactPolicy(), ALL_DAY)) == Send()

    first = [once(e) for e in EVENTS[:4000]]
    assert first == [once(e) for e in EVENTS[:4000]]
    assert first == [is_sampled(e, "use", 0.05) for e in EVENTS[:4000]]
    assert 0.03 < sum(first) / len(first) < 0.07
    assert once(SAMPLED) and not once(UNSAMPLED)


SHOP_YAML = Path(__file__).parent / "fixtures" / "shop.yaml"


def test_the_candidate_reads_the_touchpoint_settings_of_its_version():
    definition = load_journey(SHOP_YAML.read_text("utf-8"), source=str(SHOP_YAML))
    occurred = utc("2026-08-01 12:00")
    candidate = candidate_for(
        definition, "use", invitation_id=7, event_id="evt-7", occurred_at=occurred, tz=SHANGHAI
    )
    assert (candidate.journey, candidate.touchpoint, candidate.priority) == ("shop", "use", 3)
    assert (candidate.trigger, candidate.sample) == ("order.delivered", 1.0)
    assert candidate.due == occurred + 7 * DAY
    assert candidate.fresh_until == occurred + 21 * DAY
    rules = rules_for(definition, MIN_30)
    assert rules.window.end == time.max and rules.across == MIN_30
