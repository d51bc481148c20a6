"""Arbitration: when two touchpoints want one customer inside a min-days gap, the journey's
touchpoint priority decides which goes; the other waits for the gap, or is suppressed once
waiting would make it stale. The standing case is in `contact_cases`.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from journeys.contact import ContactRules, Defer, Send, Suppress
from journeys.policies import ContactPolicy
from tests.journeys.contact_cases import (
    ALL_DAY,
    DAY,
    MAX_2,
    MIN_30,
    NOW,
    ORDER_TP,
    RULES,
    USE,
    rival,
    run,
    utc,
)


def test_arbitration_alone_defers_the_lower_priority():
    """Order goes in 2 days; 30 days later is a Sunday: Monday 09:00 in Shanghai."""
    decision = run(
        replace(USE, max_age=120 * DAY), replace(RULES, policy=MIN_30), competitors=(rival(),)
    )
    assert decision == Defer(
        utc("2026-09-14 01:00"), "lost to online-store/order (higher priority)"
    )


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
