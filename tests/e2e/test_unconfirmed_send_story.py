"""A send that timed out may still have reached Twilio: the retry asks before it sends.

Twilio is slow for one request: the client gives up after half a second, but Twilio takes
the message a moment later. The invitation is rescheduled with the timeout as its reason
and its message is `unconfirmed`. On the next attempt the worker lists Twilio's messages
to that number, finds the one it sent, and stores it as sent: Anna gets one text, not two.
When Twilio refused the slow request instead, the list has nothing, and the survey is
sent again, once.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import pytest
from arq import Retry

from dispatch.models import Message
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA


@pytest.fixture
def settings(settings, twilio):
    quick = {"timeout_seconds": 0.5, "segments_per_second": 1000}
    return settings.model_copy(update={"twilio": settings.twilio.model_copy(update=quick)})


async def timed_out_once(shop, live) -> Invitation:
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    with pytest.raises(Retry):
        await send_invitation(live.worker_context(), invitation.id)
    waiting = await Invitation.get(id=invitation.id)
    assert waiting.status == InvitationStatus.SCHEDULED
    assert waiting.reason == "sms: Twilio did not answer within 0.5 s"
    [message] = await Message.filter(invitation_id=invitation.id)
    assert message.status == "unconfirmed"
    return waiting


async def retried_now(live, invitation: Invitation) -> str:
    await Invitation.filter(id=invitation.id).update(send_at=datetime.now(UTC))
    return await send_invitation(live.worker_context(), invitation.id)


async def until(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the loopback Twilio server never got there"
        await asyncio.sleep(0.02)


async def test_a_message_twilio_took_after_the_timeout_is_not_sent_again(
    shop, live, twilio, shop_journey
):
    twilio.delay_next(1, seconds=1.0)
    invitation = await timed_out_once(shop, live)
    await until(lambda: len(twilio.messages) == 1)

    assert await retried_now(live, invitation) == "sent by sms"

    [sms] = twilio.messages
    assert len(twilio.attempts(ANNA.phone)) == 1
    sent = await Invitation.get(id=invitation.id)
    assert (sent.status, sent.reason) == (InvitationStatus.SENT, None)
    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.status, message.provider_message_id) == ("sent", sms.sid)


async def test_a_message_twilio_never_took_is_sent_once_on_the_retry(
    shop, live, twilio, shop_journey
):
    twilio.outage(500, hang=1.0)
    invitation = await timed_out_once(shop, live)
    await until(lambda: len(twilio.attempts(ANNA.phone)) == 1)
    twilio.recover()

    assert await retried_now(live, invitation) == "sent by sms"

    assert [m.to for m in twilio.messages] == [ANNA.phone]
    tried = await Message.filter(invitation_id=invitation.id).order_by("id")
    assert [m.status for m in tried] == ["failed", "sent"]
