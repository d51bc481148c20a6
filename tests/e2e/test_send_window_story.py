"""Anna's order is delivered while the shop's send window is still closed in her zone, Los
Angeles; the journey itself runs on UTC. The invitation is scheduled for the window's
opening on her clock, the real worker waits for it, and the SMS reaches the loopback Twilio
server at the opening, not before.

A test cannot wait for 08:00; so the window opens at the next whole minute in Los Angeles
(the window's precision), at least a few seconds from now.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from surveys.models import Invitation, InvitationStatus
from tests.shop_variants import apply_shop
from tests.stories import ANNA, run_worker_until

LOS_ANGELES = ZoneInfo(ANNA.timezone)
#: Enough for the event to be taken before the window opens.
LEAD = timedelta(seconds=4)


def next_whole_minute(after: datetime) -> datetime:
    return after.replace(second=0, microsecond=0) + timedelta(minutes=1)


async def test_an_order_delivered_before_the_window_opens_is_sent_at_the_opening(
    shop, live, twilio
):
    opening = next_whole_minute(datetime.now(UTC) + LEAD)
    local = opening.astimezone(LOS_ANGELES)
    closing = min(local + timedelta(minutes=5), local.replace(hour=23, minute=59))
    end = "24:00" if closing <= local else f"{closing:%H:%M}"
    await apply_shop(send_window=f'{{start: "{local:%H:%M}", end: "{end}"}}')

    await shop.delivered("A-1", to=ANNA, days_ago=7)  # due now

    invitation = await shop.invitation_for("A-1")
    assert invitation.status == InvitationStatus.SCHEDULED
    assert invitation.send_at == opening
    assert datetime.now(UTC) < opening, "the event came before the window opened"

    # The worker that runs all the time, not a burst one: the opening can be more than a
    # burst worker's horizon away (up to a minute and LEAD).
    async def sent_one() -> bool:
        return bool(twilio.messages)

    wait = (opening - datetime.now(UTC)).total_seconds()
    await run_worker_until(live, sent_one, seconds=wait + 30)

    [sms] = twilio.messages
    assert sms.to == ANNA.phone
    assert sms.received_at >= opening.timestamp()
    sent = await Invitation.get(id=invitation.id)
    assert sent.status == InvitationStatus.SENT
    assert opening <= sent.sent_at < opening + timedelta(seconds=30)
    assert sent.sent_at.astimezone(LOS_ANGELES).strftime("%H:%M") == f"{local:%H:%M}"
