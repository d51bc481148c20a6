"""Twilio throttles, fails and hangs for a while: every survey goes out once, or ends
`failed` (or `unknown`) with the last error once its attempts are used up.

Six customers' surveys are due. Each round is one attempt per invitation, run as the
worker runs them (its job, `send_invitation`, with the real twilio client and a client
timeout of half a second), all at once. A failed attempt puts the invitation back on the
schedule with the error as its reason and a backoff that doubles (15-30 s, 30-60 s, ...);
the test checks the backoff, then skips it: each invitation's send time is moved to now,
as if the wait were over.

The first three rounds meet a throttle (429), an outage (500), and a Twilio that hangs
past the timeout and takes nothing. When Twilio then recovers, it is still slow for three
requests but takes those messages: the client cannot tell, so on the next attempt the
worker asks Twilio's message list before sending, finds them, and sends none twice. When
Twilio never recovers, the fifth attempt (TOUCHPOINT_MAX_SEND_ATTEMPTS) ends each
invitation `failed` with the last error, or `unknown` when its last message timed out and
Twilio could not be asked whether it took it.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from arq import Retry

from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.e2e.faults import audit, crowd, deliver_orders
from tests.servers.twilio import TwilioServer
from web.settings import Settings

CUSTOMERS = 6
SLOW_BUT_TAKEN = 3
MAX_ATTEMPTS = 5
TIMED_OUT = "sms: Twilio did not answer within 0.5 s"


@dataclass(frozen=True)
class Round:
    """What Twilio does during one round of attempts, and what each invitation then says."""

    status: int
    reason: str
    backoff: tuple[float, float]
    hang: float = 0.0


ROUGH_PATCH = [
    Round(429, "sms: Twilio is throttling (code 20429)", (15, 30)),
    Round(500, "sms: Twilio unavailable (HTTP 500) (code 20500)", (30, 60)),
    Round(503, TIMED_OUT, (60, 120), hang=2.0),
]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    twilio = settings.twilio.model_copy(
        update={"timeout_seconds": 0.5, "segments_per_second": 1000}
    )
    dispatch = settings.dispatch.model_copy(update={"max_send_attempts": MAX_ATTEMPTS})
    return settings.model_copy(update={"twilio": twilio, "dispatch": dispatch})


async def attempt_each(ctx: dict[str, Any], invitation_ids: list[int]) -> list[str]:
    """One attempt per invitation, all at once: the outcome, or "retry" for arq's Retry."""

    async def attempt(invitation_id: int) -> str:
        try:
            return await send_invitation(ctx, invitation_id)
        except Retry:
            return "retry"

    return list(await asyncio.gather(*(attempt(i) for i in invitation_ids)))


async def rescheduled(invitation_ids: list[int], reason: str, backoff: tuple[float, float]) -> None:
    """Each invitation waits for its backoff with `reason`; then the wait is skipped."""
    now = datetime.now(UTC)
    for invitation in await Invitation.filter(id__in=invitation_ids):
        assert (invitation.status, invitation.reason) == (InvitationStatus.SCHEDULED, reason)
        wait = (invitation.send_at - now).total_seconds()
        assert backoff[0] - 1 <= wait <= backoff[1], (invitation.id, wait)
    await Invitation.filter(id__in=invitation_ids).update(send_at=datetime.now(UTC))


async def rough_patch(ctx: dict[str, Any], twilio: TwilioServer, invitation_ids: list[int]) -> None:
    """Throttled, down, then hanging: three attempts, none of which Twilio takes."""
    for rough in ROUGH_PATCH:
        twilio.outage(rough.status, hang=rough.hang)
        assert await attempt_each(ctx, invitation_ids) == ["retry"] * len(invitation_ids)
        await rescheduled(invitation_ids, rough.reason, rough.backoff)
    assert not twilio.messages


async def test_when_twilio_recovers_every_survey_goes_out_exactly_once(
    client, api_key, shop_journey, live, twilio
):
    invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))
    ctx = live.worker_context()
    await rough_patch(ctx, twilio, invitation_ids)

    twilio.recover()
    twilio.hold_next(SLOW_BUT_TAKEN, seconds=2.0)
    outcomes = await attempt_each(ctx, invitation_ids)
    assert sorted(outcomes) == ["retry"] * SLOW_BUT_TAKEN + ["sent by sms"] * 3
    slow = [i for i, outcome in zip(invitation_ids, outcomes, strict=True) if outcome == "retry"]
    await rescheduled(slow, TIMED_OUT, (120, 240))
    assert await attempt_each(ctx, slow) == ["sent by sms"] * SLOW_BUT_TAKEN

    await audit(invitation_ids, twilio)
    assert len(twilio.messages) == CUSTOMERS
    for customer in crowd(CUSTOMERS):
        assert len(twilio.attempts(customer.phone)) == len(ROUGH_PATCH) + 1


async def test_when_twilio_never_recovers_an_unconfirmed_send_ends_unknown(
    client, api_key, shop_journey, live, twilio
):
    invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))
    ctx = live.worker_context()
    await rough_patch(ctx, twilio, invitation_ids)

    twilio.outage(500)
    # The last attempt timed out, so each attempt first asks Twilio, which is down too.
    unconfirmed = "sms: cannot confirm the last attempt: Twilio unavailable (HTTP 500)"
    assert await attempt_each(ctx, invitation_ids) == ["retry"] * CUSTOMERS
    await rescheduled(invitation_ids, unconfirmed, (120, 240))
    outcomes = await attempt_each(ctx, invitation_ids)

    # Twilio may have taken the timed-out message: neither `failed` nor `sent` is the truth.
    gave_up = (
        f"{unconfirmed}; gave up after {MAX_ATTEMPTS} attempts;"
        " the last attempt may have reached the provider"
    )
    assert outcomes == [f"unknown: {gave_up}"] * CUSTOMERS
    invitations = await audit(invitation_ids, twilio)
    assert {(i.status, i.reason, i.attempts) for i in invitations} == {
        (InvitationStatus.UNKNOWN, gave_up, MAX_ATTEMPTS)
    }
    assert (
        await attempt_each(ctx, invitation_ids)
        == ["skipped: not due, or taken by another worker"] * CUSTOMERS
    )


async def test_when_twilio_throttles_every_attempt_each_invitation_fails_with_the_last_error(
    client, api_key, shop_journey, live, twilio
):
    invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))
    ctx = live.worker_context()
    twilio.outage(429)
    for _ in range(MAX_ATTEMPTS - 1):
        assert await attempt_each(ctx, invitation_ids) == ["retry"] * CUSTOMERS
        await Invitation.filter(id__in=invitation_ids).update(send_at=datetime.now(UTC))

    outcomes = await attempt_each(ctx, invitation_ids)

    gave_up = f"sms: Twilio is throttling (code 20429); gave up after {MAX_ATTEMPTS} attempts"
    assert outcomes == [f"failed: {gave_up}"] * CUSTOMERS
    invitations = await audit(invitation_ids, twilio)
    assert {(i.status, i.reason) for i in invitations} == {(InvitationStatus.FAILED, gave_up)}
    assert not twilio.messages
