"""A reminder goes the way its invitation went, with the same outcomes, through real servers.

Ben has only an email address, Anna only a phone. Their invitations went out; three days
on, each is due a reminder (Anna's by SMS, as a touchpoint with `reminder: {sms: P3D}`
would have planned). A refusal for good ends the reminder and leaves the invitation as it
was; Twilio's "unsubscribed" also records an opt-out; an opted-out number gets nothing; a
timed-out SMS is asked about before it is sent again; a mail server that keeps saying
"later" is tried `max_send_attempts` times.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dispatch.models import Message, OptOut
from dispatch.optouts import opt_out
from dispatch.reminders import send_reminder
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, BEN, Person, Shop


@pytest.fixture
def settings(settings):
    quick = {"timeout_seconds": 0.5, "segments_per_second": 1000}
    return settings.model_copy(update={"twilio": settings.twilio.model_copy(update=quick)})


async def sent(shop: Shop, live, to: Person) -> Invitation:
    await shop.delivered(f"{to.id}-1", to=to)
    invitation = await shop.invitation_for(f"{to.id}-1")
    await send_invitation(live.worker_context(), invitation.id)
    return await Invitation.get(id=invitation.id)


async def remind(live, invitation: Invitation, **ctx: Any) -> str:
    """Three days later: the reminder is due now."""
    await Invitation.filter(id=invitation.id).update(
        reminder_due_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    return await send_reminder({**live.worker_context(), **ctx}, invitation.id)


async def reminders(invitation: Invitation) -> list[Message]:
    return await Message.filter(invitation_id=invitation.id, reminder=True).order_by("id")


async def test_a_reminder_refused_for_good_ends_and_leaves_the_invitation_alone(
    shop, live, smtp, shop_journey
):
    ben = await sent(shop, live, BEN)
    smtp.reject_next(1, code=550)

    outcome = await remind(live, ben)

    assert outcome.startswith("reminder failed: mail server refused the message (550")
    [reminder] = await reminders(ben)
    assert (reminder.channel, reminder.requested_channel, reminder.status) == (
        "email",
        "email",
        "failed",
    )
    after = await Invitation.get(id=ben.id)
    assert after.status == InvitationStatus.SENT and after.reminded_at is not None
    assert await send_reminder(live.worker_context(), ben.id) == (
        "skipped: not due, answered, closed or reminded already"
    )
    assert len(smtp.messages) == 1


async def test_twilio_saying_unsubscribed_to_a_reminder_records_an_opt_out(
    shop, live, twilio, shop_journey
):
    anna = await sent(shop, live, ANNA)
    twilio.reject(ANNA.phone, code=21610)

    outcome = await remind(live, anna)

    assert outcome == "reminder failed: recipient unsubscribed (replied STOP)"
    stop = await OptOut.get(address=ANNA.phone)
    assert (stop.kind, stop.source) == ("phone", "twilio-21610")
    assert (await Invitation.get(id=anna.id)).status == InvitationStatus.SENT
    assert len(twilio.messages) == 1


async def test_no_reminder_goes_to_an_opted_out_number(shop, live, twilio, shop_journey):
    anna = await sent(shop, live, ANNA)
    await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")

    outcome = await remind(live, anna)

    assert outcome == f"skipped: {ANNA.phone} opted out"
    assert await reminders(anna) == []
    assert len(twilio.attempts(ANNA.phone)) == 1


async def test_a_timed_out_sms_reminder_is_asked_about_not_sent_twice(
    shop, live, twilio, shop_journey
):
    anna = await sent(shop, live, ANNA)
    twilio.delay_next(1, seconds=1.0)  # Twilio takes it, but answers after the timeout

    first = await remind(live, anna)

    assert first == "reminder put back: Twilio did not answer within 0.5 s"
    [unconfirmed] = await reminders(anna)
    assert unconfirmed.status == "unconfirmed"
    assert (await Invitation.get(id=anna.id)).reminded_at is None, "due again later"
    for _ in range(50):  # until the slow answer has gone and Twilio lists the message
        if len(twilio.messages) == 2:
            break
        await asyncio.sleep(0.05)

    second = await remind(live, anna)

    assert second == "reminder sent by sms"
    [found] = await reminders(anna)
    assert found.status == "sent" and found.provider_message_id is not None
    assert len(twilio.messages) == 2, "the invitation and one reminder, not two"


async def test_a_mail_server_that_keeps_saying_later_is_tried_the_set_number_of_times(
    shop, live, smtp, shop_journey
):
    ben = await sent(shop, live, BEN)
    smtp.reject_next(3, code=451)

    outcomes = [await remind(live, ben, max_send_attempts=3) for _ in range(3)]

    assert outcomes[0].startswith("reminder put back: mail server refused the message (451")
    assert outcomes[1].startswith("reminder put back: ")
    assert outcomes[2].startswith("reminder failed: ")
    assert outcomes[2].endswith("; gave up after 3 attempts")
    assert [m.status for m in await reminders(ben)] == ["failed"] * 3
    assert (await Invitation.get(id=ben.id)).status == InvitationStatus.SENT
    assert len(smtp.messages) == 1
