"""Invitations stuck in `sending` after a worker stopped, resolved without sending twice.

Each story stops a send where a killed worker would have stopped it: the invitation is
claimed, its Message row written, and the provider called or not; then eleven minutes pass
(the invitation's `updated_at` is moved back). Anna's SMS goes through the loopback Twilio
server, which the resolver asks; the console channel cannot be asked.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from arq.constants import default_queue_name, job_key_prefix

from dispatch.channels.base import OutgoingMessage
from dispatch.channels.console import ConsoleChannel
from dispatch.channels.registry import Channels
from dispatch.channels.sms import SmsChannel
from dispatch.claims import claim_invitation
from dispatch.models import Message
from dispatch.queue import job_id
from dispatch.recovery import CANNOT_ASK, RETRYING, resolve_stuck_sends
from dispatch.settings import TwilioSettings
from surveys.models import Invitation, InvitationStatus
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, Shop

TEXT = "How was your purchase? 10 seconds: https://t.example/s/anna-1 Reply STOP to opt out"


@pytest.fixture
async def sms(twilio: TwilioServer) -> AsyncIterator[SmsChannel]:
    channel = SmsChannel(
        TwilioSettings(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            from_="+15005550006",
            api_url=twilio.url,
            timeout_seconds=2.0,
        )
    )
    yield channel
    await channel.close()


@pytest.fixture
def ctx(runtime, sms: SmsChannel) -> dict[str, Any]:
    """What the worker hands its cron jobs (default settings: a 10-minute grace), with SMS
    through the loopback Twilio server."""
    return {**runtime.worker_context(), "channels": Channels(ConsoleChannel(), {"sms": sms})}


@pytest.fixture
def shop(client, api_key, shop_journey) -> Shop:
    return Shop(client, api_key)


async def stopped_mid_send(
    shop: Shop, channel: str | None = "sms", minutes_ago: float = 11, sms: SmsChannel | None = None
) -> Invitation:
    """Anna's invitation as a worker leaves it when it is killed during the send.

    With a channel, the Message row was written; with `sms`, Twilio was called too.
    """
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    assert await claim_invitation(invitation.id, datetime.now(UTC))
    if channel is not None:
        await Message.create(
            invitation=invitation,
            channel=channel,
            requested_channel="sms",
            recipient=ANNA.phone,
            body=TEXT,
        )
    if sms is not None:
        await sms.send(OutgoingMessage(invitation.id, ANNA.phone, TEXT))
    stopped = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    await Invitation.filter(id=invitation.id).update(updated_at=stopped)
    return invitation


async def test_a_message_twilio_took_makes_the_invitation_sent(shop, ctx, sms, twilio):
    invitation = await stopped_mid_send(shop, sms=sms)

    assert await resolve_stuck_sends(ctx) == 1

    [taken] = twilio.messages
    resolved = await Invitation.get(id=invitation.id)
    assert (resolved.status, resolved.channel) == (InvitationStatus.SENT, "sms")
    assert resolved.sent_at is not None
    assert resolved.expires_at == resolved.sent_at + timedelta(days=30), "its link still expires"
    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.status, message.provider_message_id) == ("sent", taken.sid)
    assert len(twilio.attempts()) == 1


async def test_a_message_twilio_never_got_is_scheduled_again(shop, ctx, twilio):
    invitation = await stopped_mid_send(shop)

    assert await resolve_stuck_sends(ctx) == 1

    resolved = await Invitation.get(id=invitation.id)
    assert (resolved.status, resolved.reason) == (InvitationStatus.SCHEDULED, RETRYING)
    assert resolved.send_at <= datetime.now(UTC)
    assert resolved.attempts == 1
    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.status, message.error) == ("failed", "never reached the provider")
    assert twilio.attempts() == []


async def test_a_message_on_the_console_channel_ends_unknown(shop, ctx):
    invitation = await stopped_mid_send(shop, channel="console")

    assert await resolve_stuck_sends(ctx) == 1

    resolved = await Invitation.get(id=invitation.id)
    assert (resolved.status, resolved.reason) == (InvitationStatus.UNKNOWN, CANNOT_ASK)
    [message] = await Message.filter(invitation_id=invitation.id)
    assert message.status == "unknown"


async def test_a_send_stopped_before_any_message_was_written_is_scheduled_again(shop, ctx, twilio):
    invitation = await stopped_mid_send(shop, channel=None)

    assert await resolve_stuck_sends(ctx) == 1

    resolved = await Invitation.get(id=invitation.id)
    assert resolved.status == InvitationStatus.SCHEDULED
    assert twilio.attempts() == []


async def test_an_invitation_scheduled_again_is_back_on_the_queue_at_once(shop, ctx, runtime):
    """Not a minute later at the next sweep: the stopped worker's job is long gone."""
    invitation = await stopped_mid_send(shop, channel=None)
    redis = runtime.redis
    await redis.delete(job_key_prefix + job_id(invitation.id))
    await redis.zrem(default_queue_name, job_id(invitation.id))

    assert await resolve_stuck_sends(ctx) == 1

    due_at = await redis.zscore(default_queue_name, job_id(invitation.id))
    assert due_at is not None
    assert abs(due_at / 1000 - datetime.now(UTC).timestamp()) < 60


async def test_an_invitation_sending_since_a_minute_ago_is_left_alone(shop, ctx, sms):
    invitation = await stopped_mid_send(shop, minutes_ago=1, sms=sms)

    assert await resolve_stuck_sends(ctx) == 0

    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENDING
    [message] = await Message.filter(invitation_id=invitation.id)
    assert message.status == "sending"


async def test_when_twilio_cannot_be_asked_it_is_asked_again_next_time(shop, ctx, sms, twilio):
    invitation = await stopped_mid_send(shop, sms=sms)
    twilio.fail_next(1, status=503, listing=True)

    assert await resolve_stuck_sends(ctx) == 0
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENDING

    assert await resolve_stuck_sends(ctx) == 1
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT


async def test_an_invitation_that_used_all_its_attempts_fails_instead(shop, ctx):
    invitation = await stopped_mid_send(shop)
    await Invitation.filter(id=invitation.id).update(attempts=5)

    assert await resolve_stuck_sends(ctx) == 1

    resolved = await Invitation.get(id=invitation.id)
    assert resolved.status == InvitationStatus.FAILED
    assert resolved.reason == "worker stopped during the send, 5 attempts used"


async def test_a_second_resolver_finds_nothing_left_to_do(shop, ctx, sms):
    await stopped_mid_send(shop, sms=sms)

    assert await resolve_stuck_sends(ctx) == 1
    assert await resolve_stuck_sends(ctx) == 0


async def test_a_send_stored_on_its_message_but_not_its_invitation_is_sent(shop, ctx, twilio):
    invitation = await stopped_mid_send(shop, channel="console")
    await Message.filter(invitation_id=invitation.id).update(
        status="sent", provider_message_id="console-1"
    )

    assert await resolve_stuck_sends(ctx) == 1

    resolved = await Invitation.get(id=invitation.id)
    assert (resolved.status, resolved.channel) == (InvitationStatus.SENT, "sms")
    assert twilio.attempts() == []
