"""The contact rules: whether a claimed invitation may go out now, later, or never, and why.

Pure: the send task loads the customer's history and competing invitations, calls `decide`
and stores the outcome with its reason. The first rule that objects decides. A rule that
only delays a message defers it (into the send window) while it is still fresh, before
due + max_age, and suppresses it after: nothing waits forever, nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from journeys.periods import current_period
from journeys.policies import ContactPolicy, SendWindow
from journeys.scheduling import _spoken, is_sampled  # _spoken: the stale reason as scheduled
from journeys.schema import JourneyDefinition
from journeys.windows import in_send_window, next_send_time


@dataclass(frozen=True)
class Candidate:
    """The invitation being decided, with the touchpoint settings the rules read."""

    invitation_id: int
    journey: str
    touchpoint: str
    trigger: str
    priority: int
    event_id: str
    sample: float
    due: datetime
    max_age: timedelta
    tz: ZoneInfo

    @property
    def fresh_until(self) -> datetime:
        return self.due + self.max_age

    @property
    def rank(self) -> tuple[int, datetime, int]:
        return (self.priority, self.due, self.invitation_id)


@dataclass(frozen=True)
class ContactRules:
    """The journey's policy and window, and the policy across journeys (None: no such rule)."""

    policy: ContactPolicy
    window: SendWindow
    across: ContactPolicy | None = None


@dataclass(frozen=True)
class PastSurvey:
    """A survey actually sent to the customer (sent_at set), from any journey."""

    sent_at: datetime
    journey: str
    touchpoint: str


@dataclass(frozen=True)
class Competitor:
    """Another scheduled or sending invitation of the same customer."""

    invitation_id: int
    journey: str
    touchpoint: str
    priority: int
    send_at: datetime
    due: datetime
    max_age: timedelta

    @property
    def rank(self) -> tuple[int, datetime, int]:
        """Lower priority number wins; ties go to the earlier due, then the older invitation."""
        return (self.priority, self.due, self.invitation_id)


@dataclass(frozen=True)
class Send:
    """Nothing objects: send now."""


@dataclass(frozen=True)
class Defer:
    until: datetime
    reason: str


@dataclass(frozen=True)
class Suppress:
    reason: str


Decision = Send | Defer | Suppress


@dataclass(frozen=True)
class _Case:
    candidate: Candidate
    rules: ContactRules
    history: Sequence[PastSurvey]
    competitors: Sequence[Competitor]
    opted_out: bool
    now: datetime


def candidate_for(
    definition: JourneyDefinition,
    touchpoint_key: str,
    *,
    invitation_id: int,
    event_id: str,
    occurred_at: datetime,
    tz: ZoneInfo,
) -> Candidate:
    """Read the touchpoint's settings from the version the invitation was scheduled with."""
    settings = definition.touchpoint(touchpoint_key)
    return Candidate(
        invitation_id=invitation_id,
        journey=definition.journey,
        touchpoint=settings.key,
        trigger=settings.trigger,
        priority=definition.priority_of(settings),
        event_id=event_id,
        sample=settings.sample,
        due=(occurred_at + settings.delay).astimezone(UTC),
        max_age=settings.max_age,
        tz=tz,
    )


def rules_for(definition: JourneyDefinition, across: ContactPolicy | None = None) -> ContactRules:
    return ContactRules(definition.contact_policy, definition.send_window, across)


def decide(
    candidate: Candidate,
    rules: ContactRules,
    history: Sequence[PastSurvey],
    competitors: Sequence[Competitor],
    *,
    opted_out: bool,
    now: datetime,
) -> Decision:
    """Called after the claim, so two workers never decide on the same invitation."""
    case = _Case(candidate, rules, history, competitors, opted_out, now.astimezone(UTC))
    for rule in RULES:
        decision = rule(case)
        if decision is not None:
            return decision
    return Send()


def _opted_out(case: _Case) -> Decision | None:
    return Suppress("opted out") if case.opted_out else None


def _not_sampled(case: _Case) -> Decision | None:
    c = case.candidate
    if is_sampled(c.event_id, c.touchpoint, c.sample):
        return None
    return Suppress(f"not sampled: {c.sample:.0%} of {c.trigger} events are surveyed")


def _stale(case: _Case) -> Decision | None:
    c = case.candidate
    if case.now <= c.fresh_until:
        return None
    return Suppress(f"stale: due {c.due:%Y-%m-%d %H:%M} UTC, more than {_spoken(c.max_age)} ago")


def _min_days_in_journey(case: _Case) -> Decision | None:
    return _min_days(case, _in_journey(case), case.rules.policy, "contact policy")


def _min_days_across_journeys(case: _Case) -> Decision | None:
    if case.rules.across is None:
        return None
    return _min_days(case, case.history, case.rules.across, "contact policy across journeys")


def _quarter_limit_in_journey(case: _Case) -> Decision | None:
    return _quarter_limit(case, _in_journey(case), case.rules.policy, "contact policy")


def _quarter_limit_across_journeys(case: _Case) -> Decision | None:
    if case.rules.across is None:
        return None
    return _quarter_limit(case, case.history, case.rules.across, "contact policy across journeys")


def _arbitration(case: _Case) -> Decision | None:
    """Only when a min-days rule is set: without one, sending both breaks nothing."""
    beaten_by = [c for c in case.competitors if c.rank < case.candidate.rank]
    colliding = [(c, gap) for c in beaten_by if (gap := _collision(case, c)) is not None]
    if not colliding:
        return None
    winner, gap = min(colliding, key=lambda pair: pair[0].rank)
    reason = f"lost to {winner.journey}/{winner.touchpoint} ({_why(winner, case.candidate)})"
    return _later(case, max(winner.send_at, case.now) + gap, reason)


def _outside_window(case: _Case) -> Decision | None:
    window, tz = case.rules.window, case.candidate.tz
    if in_send_window(case.now, window, tz):
        return None
    return Defer(next_send_time(case.now, window, tz), "outside the send window")


RULES: tuple[Callable[[_Case], Decision | None], ...] = (
    _opted_out,
    _not_sampled,
    _stale,
    _min_days_in_journey,
    _min_days_across_journeys,
    _quarter_limit_in_journey,
    _quarter_limit_across_journeys,
    _arbitration,
    _outside_window,
)


def _min_days(
    case: _Case, past: Sequence[PastSurvey], policy: ContactPolicy, label: str
) -> Decision | None:
    gap = timedelta(days=policy.min_days_between_surveys)
    last = max(past, key=lambda p: p.sent_at, default=None)
    if not gap or last is None or case.now >= last.sent_at + gap:
        return None
    reason = (
        f"{label}: surveyed {_ago(case.now - last.sent_at)} by {last.journey}/{last.touchpoint},"
        f" minimum {_plural(policy.min_days_between_surveys, 'day')}"
    )
    return _later(case, last.sent_at + gap, reason)


def _quarter_limit(
    case: _Case, past: Sequence[PastSurvey], policy: ContactPolicy, label: str
) -> Decision | None:
    limit = policy.max_surveys_per_quarter
    if limit is None:
        return None
    quarter = current_period(case.now, case.candidate.tz)
    start, end = quarter.bounds(case.candidate.tz)
    count = sum(start <= p.sent_at < end for p in past)
    if count < limit:
        return None
    reason = f"{label}: {_plural(count, 'survey')} this quarter already, maximum {limit}"
    return _later(case, end, reason)


def _in_journey(case: _Case) -> list[PastSurvey]:
    return [p for p in case.history if p.journey == case.candidate.journey]


def _collision(case: _Case, other: Competitor) -> timedelta | None:
    """The min-days gap the two would break if both went out, or None if they can both go."""
    same_journey = other.journey == case.candidate.journey
    days = case.rules.policy.min_days_between_surveys if same_journey else 0
    if case.rules.across is not None:
        days = max(days, case.rules.across.min_days_between_surveys)
    gap = timedelta(days=days)
    sends = max(other.send_at, case.now)
    if not gap or sends >= case.now + gap or sends > other.due + other.max_age:
        return None
    return gap


def _later(case: _Case, earliest: datetime, reason: str) -> Decision:
    """Defer into the window while the invitation is still fresh, else suppress for good."""
    until = next_send_time(max(earliest, case.now), case.rules.window, case.candidate.tz)
    if until <= case.candidate.fresh_until:
        return Defer(until, reason)
    return Suppress(reason)


def _why(winner: Competitor, loser: Candidate) -> str:
    if winner.priority < loser.priority:
        return "higher priority"
    if winner.due < loser.due:
        return "same priority, due earlier"
    return "same priority, scheduled first"


def _ago(span: timedelta) -> str:
    if span >= timedelta(days=1):
        return f"{_plural(span.days, 'day')} ago"
    if span >= timedelta(hours=1):
        return f"{_plural(span // timedelta(hours=1), 'hour')} ago"
    return "less than an hour ago"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
