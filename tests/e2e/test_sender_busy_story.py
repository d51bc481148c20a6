"""A send that would wait too long for the sender's turn is deferred, not held or dropped.

The shop's number may send one segment every 100 seconds and a send may wait no time at
all. Anna's survey takes the sender's slot; Ben's, due at the same moment, is put back on
the schedule for when the sender is free, without counting an attempt and without a
message row, because nothing was tried.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from arq import Retry

from dispatch.models import Message
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, Person

BEA = Person("bea", phone="+14155550177")


@pytest.fixture
def settings(settings, twilio):
    slow = {"segments_per_second": 0.01, "rate_limit_max_wait_seconds": 0}
    return settings.model_copy(update={"twilio": settings.twilio.model_copy(update=slow)})


async def test_the_second_send_waits_for_the_senders_next_slot(shop, live, twilio, shop_journey):
    await shop.delivered("A-1", to=ANNA)
    await shop.delivered("B-1", to=BEA)
    anna, bea = await shop.invitation_for("A-1"), await shop.invitation_for("B-1")
    ctx = live.worker_context()

    assert await send_invitation(ctx, anna.id) == "sent by sms"
    with pytest.raises(Retry) as retry:
        await send_invitation(ctx, bea.id)

    waiting = await Invitation.get(id=bea.id)
    assert waiting.status == InvitationStatus.SCHEDULED
    assert waiting.reason.startswith("sender +15005550006 is at its rate limit for the next")
    assert waiting.attempts == 0
    later = waiting.send_at - datetime.now(UTC)
    assert timedelta(seconds=90) < later <= timedelta(seconds=100)
    assert (
        timedelta(seconds=90)
        < timedelta(milliseconds=retry.value.defer_score)
        <= later + timedelta(seconds=1)
    )
    assert not await Message.filter(invitation_id=bea.id).exists()
    assert [m.to for m in twilio.messages] == [ANNA.phone]
