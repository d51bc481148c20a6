"""One reminder, days after sending, to Ben who has not answered; none to anyone else.

Ben only gave an email address; Anna has a phone (SMS reminders are off by default); Chen
reads Chinese. Channels are the console stand-ins; the loopback SMTP story is in e2e.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dispatch.models import Message
from dispatch.reminders import enqueue_due_reminders, follow_up_times, send_reminder
from dispatch.tasks import send_invitation
from journeys.schema import JourneyDefinition
from surveys.models import Invitation, InvitationStatus
from surveys.settings import SurveysSettings
from tests.stories import ANNA, BEN, CHEN, Person, Shop, run_worker_until_idle

#: How long links live unless TOUCHPOINT_LINK_LIFETIME_DAYS says otherwise.
LIFETIME = SurveysSettings().link_lifetime


async def sent(client, api_key, runtime, order: str, to: Person) -> Invitation:
    shop = Shop(client, api_key)
    await shop.delivered(order, to=to)
    invitation = await shop.invitation_for(order)
    await send_invitation(runtime.worker_context(), invitation.id)
    return await Invitation.get(id=invitation.id)


async def make_due(invitation: Invitation) -> None:
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=invitation.id).update(reminder_due_at=past)


async def messages(invitation: Invitation) -> list[Message]:
    return await Message.filter(invitation_id=invitation.id).order_by("id")


async def test_ben_gets_one_reminder_three_days_after_the_email(
    client, api_key, shop_journey, runtime
):
    ben = await sent(client, api_key, runtime, "B-1", BEN)
    assert ben.reminder_due_at - ben.sent_at == timedelta(days=3)
    assert ben.expires_at - ben.sent_at == timedelta(days=30)
    await make_due(ben)

    outcome = await send_reminder(runtime.worker_context(), ben.id)

    assert outcome == "reminder sent by console"
    _, reminder = await messages(ben)
    assert reminder.recipient == BEN.email
    assert reminder.subject.startswith("Reminder: ")
    assert f"http://testserver/s/{ben.token}" in reminder.body
    assert f"http://testserver/u/{ben.token}" in reminder.body
    stored = await Invitation.get(id=ben.id)
    assert stored.status == InvitationStatus.SENT and stored.reminded_at is not None
    assert await send_reminder(runtime.worker_context(), ben.id) == (
        "skipped: not due, answered, closed or reminded already"
    )
    assert len(await messages(ben)) == 2


async def test_chen_is_reminded_in_chinese(client, api_key, shop_journey, runtime):
    chen_by_email = Person("chen", email=CHEN.email, locale="zh-CN")
    chen = await sent(client, api_key, runtime, "C-1", chen_by_email)
    await make_due(chen)

    await send_reminder(runtime.worker_context(), chen.id)

    reminder = (await messages(chen))[-1]
    assert reminder.subject.startswith("提醒：")
    assert "退订" in reminder.body


async def test_no_reminder_after_an_answer(client, api_key, shop_journey, runtime):
    ben = await sent(client, api_key, runtime, "B-1", BEN)
    await make_due(ben)
    tapped = await client.get(f"/s/{ben.token}", params={"score": "9"})
    assert tapped.status_code == 200

    outcome = await send_reminder(runtime.worker_context(), ben.id)

    assert outcome.startswith("skipped")
    assert len(await messages(ben)) == 1


async def test_no_reminder_after_ben_opted_out(client, api_key, shop_journey, runtime):
    from dispatch.optouts import opt_out

    ben = await sent(client, api_key, runtime, "B-1", BEN)
    await make_due(ben)
    await opt_out(BEN.email, "email", "email-unsubscribe")

    outcome = await send_reminder(runtime.worker_context(), ben.id)

    assert outcome == f"skipped: {BEN.email} opted out"
    assert len(await messages(ben)) == 1
    assert (await Invitation.get(id=ben.id)).status == InvitationStatus.SENT


async def test_sms_sends_no_reminder_by_default(client, api_key, shop_journey, runtime):
    anna = await sent(client, api_key, runtime, "A-1", ANNA)

    assert anna.channel == "sms"
    assert anna.reminder_due_at is None
    assert anna.expires_at is not None


async def test_the_cron_enqueuing_twice_still_sends_one_reminder(
    client, api_key, shop_journey, runtime
):
    ben = await sent(client, api_key, runtime, "B-1", BEN)
    await make_due(ben)
    ctx = {**runtime.worker_context(), "redis": runtime.redis}

    assert await enqueue_due_reminders(ctx) == 1
    assert await enqueue_due_reminders(ctx) == 0  # the same job id: not queued again
    await run_worker_until_idle(runtime)
    await enqueue_due_reminders(ctx)
    await run_worker_until_idle(runtime)

    assert len(await messages(ben)) == 2


async def test_a_reminder_due_outside_the_window_waits_for_it(
    client, api_key, shop_journey, runtime
):
    ben = await sent(client, api_key, runtime, "B-1", BEN)
    definition = JourneyDefinition.model_validate(
        shop_journey.model_dump(mode="json")
        | {"send_window": {"start": "09:00", "end": "20:00"}, "timezone": "Asia/Shanghai"}
    )
    ben = await Invitation.get(id=ben.id).prefetch_related("customer", "touchpoint")
    # sent at 21:30 in Shanghai: three days later is after hours, so 09:00 the day after
    sent_at = datetime(2026, 3, 2, 21, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

    times = follow_up_times(definition, ben, "email", sent_at.astimezone(UTC), LIFETIME)

    due = times["reminder_due_at"].astimezone(ZoneInfo("Asia/Shanghai"))
    assert due == datetime(2026, 3, 6, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert follow_up_times(definition, ben, "sms", sent_at, LIFETIME)["reminder_due_at"] is None
    short = follow_up_times(definition, ben, "email", sent_at, timedelta(days=2))
    assert short["reminder_due_at"] is None  # the link would have expired by then


async def test_no_reminder_after_ben_withdrew_consent_to_email(
    client, api_key, shop_journey, runtime
):
    ben = await sent(client, api_key, runtime, "B-1", BEN)
    await make_due(ben)
    withdrawn = {**BEN.as_customer(), "consent": {"email": False}}
    await Shop(client, api_key).event("order.placed", "B-2", BEN, 0, customer=withdrawn)

    outcome = await send_reminder(runtime.worker_context(), ben.id)

    assert outcome == "skipped: the customer has not consented to email"
    assert len(await messages(ben)) == 1
    assert (await Invitation.get(id=ben.id)).status == InvitationStatus.SENT
