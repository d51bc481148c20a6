"""Status callbacks move a message and its invitation forward only, however often they come."""

from __future__ import annotations

from dispatch.models import Message, OptOut
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA
from tests.web.webhooks.signed import post_signed, reply, sent_to


async def callback(client, message: Message, status: str, code: str | None = None) -> None:
    params = {"MessageSid": message.provider_message_id, "MessageStatus": status}
    if code:
        params["ErrorCode"] = code
    assert (await post_signed(client, "/twilio/status", params)).status_code == 200


async def test_delivered_marks_the_invitation_delivered_and_repeats_change_nothing(
    client, shop, runtime
):
    invitation = await sent_to(shop, runtime, "A-1")
    [message] = await Message.filter(invitation_id=invitation.id)

    for status in ("queued", "sent", "delivered", "delivered", "sent", "queued", "sending"):
        await callback(client, message, status)

    assert (await Message.get(id=message.id)).status == "delivered"
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.DELIVERED


async def test_the_first_final_status_wins(client, shop, runtime):
    delivered = await sent_to(shop, runtime, "A-1")
    failed = await sent_to(shop, runtime, "A-2")
    [first] = await Message.filter(invitation_id=delivered.id)
    [second] = await Message.filter(invitation_id=failed.id)

    await callback(client, first, "delivered")
    await callback(client, first, "failed", "30008")
    await callback(client, second, "undelivered", "30003")
    await callback(client, second, "delivered")

    assert (await Invitation.get(id=delivered.id)).status == InvitationStatus.DELIVERED
    lost = await Invitation.get(id=failed.id)
    assert lost.status == InvitationStatus.FAILED
    assert lost.reason == "sms: undelivered, unreachable handset (code 30003)"
    assert (await Message.get(id=second.id)).status == "undelivered"


async def test_an_answered_invitation_is_not_changed_by_a_late_callback(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    [message] = await Message.filter(invitation_id=invitation.id)
    await reply(client, "9")

    await callback(client, message, "failed", "30005")

    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.ANSWERED


async def test_an_unsubscribed_recipient_error_records_an_opt_out(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    [message] = await Message.filter(invitation_id=invitation.id)

    await callback(client, message, "failed", "21610")

    assert (await OptOut.get(address=ANNA.phone)).source == "twilio-21610"


async def test_a_failed_reminder_leaves_the_invitation_as_it_was(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    [message] = await Message.filter(invitation_id=invitation.id)
    reminder = await Message.create(
        invitation_id=invitation.id,
        channel="sms",
        recipient=ANNA.phone,
        body="Reminder",
        status="sent",
        provider_message_id="SMreminder",
    )

    await callback(client, reminder, "undelivered", "30003")

    assert (await Message.get(id=reminder.id)).status == "undelivered"
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT
    await callback(client, message, "delivered")
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.DELIVERED


async def test_a_callback_for_an_unknown_message_is_ignored(client, db):
    await callback(client, Message(provider_message_id="SMnothing"), "delivered")
