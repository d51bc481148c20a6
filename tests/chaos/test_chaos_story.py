"""Chaos: thousands of events in, several workers sending, and everything going wrong.

A shop posts its delivered orders through the HTTP API, a few batches at once, while
three `touchpoint worker` processes send the surveys to a Twilio that, at random, answers
500, throttles with 429, holds its answer past the client's timeout after taking the
message, or hangs and takes nothing. Meanwhile, one thing after another: a worker is
SIGKILLed (and a new one started), Redis is restarted empty, PostgreSQL is restarted
(an immediate shutdown: every connection cut). The web process and the workers ride it
all out: the API answers 503 while the database is away and the integrator posts that
batch again; a worker keeps its sends in flight while Redis is away and polls on.

Then the provider calms down and the housekeeping of the next minutes runs (a burst
worker stands for each minute: its sweeper and stuck-send resolver run as it starts).

The story ends with the audit: every event the API accepted is in the database, with its
invitation; every invitation is in a final state, with a reason unless it went out; no
number got two messages; every invitation recorded as sent reached Twilio, and every
message Twilio took belongs to an invitation that is sent, or `unknown` (the provider may
have it and could not be asked).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable

import pytest

from journeys.models import Interaction
from surveys.models import Invitation, InvitationStatus
from tests.chaos.intake import Intake, customers, deliver_orders
from tests.chaos.world import World
from tests.e2e.faults import DONE, FINAL, STOPPED
from web.database import connect, disconnect

pytestmark = pytest.mark.slow

#: Share of Twilio's requests that meet a random fault while the patch is rough.
FAULT_RATE = 0.2
#: Seconds between two disruptions.
PAUSE = 3.0
#: The events arrive over this long, per thousand.
SPREAD_PER_THOUSAND = 30.0


def disruptions(world: World) -> list[tuple[str, Callable[[], None]]]:
    return [
        ("PostgreSQL is restarted", world.postgres.restart),
        ("a worker is SIGKILLed", world.kill_worker),
        ("Redis is restarted, empty", world.redis.restart),
        ("a worker is SIGKILLed", world.kill_worker),
        ("PostgreSQL is restarted", world.postgres.restart),
    ]


async def rough_patch(world: World, intake: asyncio.Task[Intake]) -> list[str]:
    """Disrupt, pause, disrupt... until the events are all in and the plan has been
    gone through at least once."""
    happened: list[str] = []
    plan = disruptions(world)
    step = 0
    while step < len(plan) or not intake.done():
        what, disrupt = plan[step % len(plan)]
        await asyncio.to_thread(disrupt)
        happened.append(what)
        step += 1
        await asyncio.sleep(PAUSE)
    await asyncio.to_thread(world.all_started)
    return happened


async def unfinished() -> Counter[str]:
    left = await Invitation.exclude(status__in=list(FINAL)).values_list("status", flat=True)
    return Counter(str(status) for status in left)


async def settle(world: World, within: float) -> tuple[Counter[str], float]:
    """Calm: run the next minutes' housekeeping until no invitation is left unfinished;
    returns what was unfinished when the calm began, and how long it took."""
    world.twilio.calm()
    started = time.monotonic()
    left = at_first = await unfinished()
    while left:
        assert time.monotonic() - started < within, f"invitations left unfinished: {left}"
        await asyncio.to_thread(world.next_minute)
        left = await unfinished()
    return at_first, time.monotonic() - started


async def audit(world: World, intake: Intake, events: int) -> Counter[str]:
    """Nothing lost, everything final with its reason, nothing sent twice."""
    assert len(intake.kept) == events, "the API never answered for some events"
    stored = await Interaction.filter(event_id__in=list(intake.kept)).count()
    assert stored == events, f"{events - stored} accepted event(s) missing from the database"
    invitations = await Invitation.all().prefetch_related("customer")
    assert len(invitations) == events, "an event has no invitation, or several"
    assert intake.invitation_ids <= {i.id for i in invitations}, "an invitation was lost"
    unfinished = {i.id: i.status.value for i in invitations if i.status not in FINAL}
    assert not unfinished, f"not in a final state: {unfinished}"
    unexplained = [i.id for i in invitations if i.status in STOPPED and not i.reason]
    assert not unexplained, f"stopped without a reason: {unexplained}"
    received = Counter(m.to for m in world.twilio.messages)
    twice = {to: n for to, n in received.items() if n > 1}
    assert not twice, f"sent more than once: {twice}"
    sent = {i.customer.phone for i in invitations if i.status in DONE}
    maybe = {i.customer.phone for i in invitations if i.status == InvitationStatus.UNKNOWN}
    assert sent <= set(received), "an invitation recorded as sent never reached Twilio"
    assert set(received) <= sent | maybe, "Twilio has a message for an invitation not sent"
    return Counter(i.status.value for i in invitations)


async def test_through_restarts_kills_and_a_failing_provider_nothing_is_lost_or_sent_twice(
    world: World, size: dict[str, int]
):
    started = time.monotonic()
    people = customers(size["events"])
    world.twilio.misbehave(FAULT_RATE)
    spread = SPREAD_PER_THOUSAND * len(people) / 1000
    intake = asyncio.create_task(
        deliver_orders(world.web.url, world.api_key, people, spread_over=spread)
    )
    happened = await rough_patch(world, intake)
    taken = await intake
    rough = time.monotonic() - started
    assert not world.gone(), f"processes died of the disruptions: {world.gone()}"
    assert not taken.failures.keys() - {"HTTP 503"}, f"not a 503 nor an answer: {taken.failures}"

    await connect(world.postgres.url)
    try:
        at_calm, calm = await settle(world, within=max(240, len(people) / 10))
        statuses = await audit(world, taken, len(people))
    finally:
        await disconnect()

    report(world, taken, happened, at_calm, statuses, (rough, calm))
    assert world.postgres.restarts >= 1 and world.redis.restarts >= 1 and world.kills >= 2
    assert sum(world.twilio.faults.values()) > 0, "the provider never misbehaved"


def report(
    world: World,
    intake: Intake,
    happened: list[str],
    at_calm: Counter[str],
    statuses: Counter[str],
    seconds: tuple[float, float],
) -> None:
    messages = world.twilio.messages
    rough, calm = seconds
    print(
        f"\nchaos: {len(intake.kept)} events kept ({len(intake.accepted)} accepted,"
        f" {len(intake.duplicate)} answered duplicate after a lost answer);"
        f" API failures retried: {dict(intake.failures) or 'none'}\n"
        f"chaos: {len(happened)} disruptions in {rough:.0f} s: {dict(Counter(happened))}\n"
        f"chaos: Twilio faults dealt: {dict(world.twilio.faults)};"
        f" {len(world.twilio.attempts())} requests, {len(messages)} messages,"
        f" no number twice\n"
        f"chaos: unfinished when the calm began: {dict(at_calm) or 'none'};"
        f" every invitation final after {calm:.0f} s of calm: {dict(statuses)}"
    )
