"""The contact rules as tables: one customer, one invitation, the rule that decides and why.

The standing case is in `contact_cases`: Anna in Shanghai, her "use" survey due, NOW is
Wednesday 10:00 there. Arbitration between touchpoints is in `test_contact_arbitration`,
the send window and the clocks in `test_contact_window`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from journeys.contact import (
    Candidate,
    ContactRules,
    Defer,
    PastSurvey,
    Send,
    Suppress,
    candidate_for,
    rules_for,
)
from journeys.loader import load_journey
from journeys.policies import ContactPolicy
from journeys.scheduling import is_sampled
from tests.journeys.contact_cases import (
    ALL_DAY,
    DAY,
    MAX_2,
    MIN_30,
    NOW,
    RULES,
    SHANGHAI,
    SHOP_HOURS,
    USE,
    ago,
    rival,
    run,
    utc,
)

EVENTS = [f"evt-{n:05d}" for n in range(20_000)]
UNSAMPLED = next(e for e in EVENTS if not is_sampled(e, "use", 0.05))
SAMPLED = next(e for e in EVENTS if is_sampled(e, "use", 0.05))
LONG_LIVED = replace(USE, max_age=120 * DAY)
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
