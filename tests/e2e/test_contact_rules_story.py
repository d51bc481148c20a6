"""Anna buys, and gets the order survey by SMS. Her parcel ships four days later, and the
delivery survey falls due the next day, but the shop wants 30 days between two surveys to
one customer: the worker holds it back until then, and the loopback Twilio server never
hears of it. The worker's deferral leaves the job waiting on the real Redis for that time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arq.constants import default_queue_name

from dispatch.queue import job_id
from surveys.models import Invitation, InvitationStatus
from tests.shop_variants import apply_shop
from tests.stories import ANNA, run_worker_until, run_worker_until_idle

HELD_BACK = "contact policy: surveyed less than an hour ago by shop/order, minimum 30 days"


async def test_annas_second_survey_waits_30_days_and_never_reaches_twilio(shop, live, twilio):
    await apply_shop(contact_policy="{min_days_between_surveys: 30}", ship="max_age: P60D")
    await shop.event("order.placed", "A-1", to=ANNA, days_ago=8)
    await run_worker_until_idle(live)
    [order_sms] = twilio.messages
    order = await shop.invitation_for("A-1")
    assert order.status == InvitationStatus.SENT
    assert order_sms.to == ANNA.phone and order.token in order_sms.body

    await shop.event("order.shipped", "A-1-shipped", to=ANNA, days_ago=4)
    ship = await shop.invitation_for("A-1-shipped")
    assert ship.send_at <= datetime.now(UTC), "due now, as far as the schedule goes"

    async def held_back_and_requeued() -> bool:
        held = await Invitation.get(id=ship.id)
        queued = await live.redis.zscore(default_queue_name, job_id(ship.id))
        tomorrow = datetime.now(UTC) + timedelta(days=1)
        return held.reason == HELD_BACK and (queued or 0) > tomorrow.timestamp() * 1e3

    await run_worker_until(live, held_back_and_requeued)

    held = await Invitation.get(id=ship.id)
    assert held.status == InvitationStatus.SCHEDULED
    assert held.send_at == order.sent_at + timedelta(days=30)
    assert held.attempts == 0
    queued_at = await live.redis.zscore(default_queue_name, job_id(ship.id))
    assert abs(queued_at / 1e3 - held.send_at.timestamp()) < 5, "the job waits for the gap"
    assert [m.to for m in twilio.messages] == [ANNA.phone]
    assert len(twilio.attempts()) == 1
