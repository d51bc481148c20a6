"""The send task: claim, render, send through the first usable channel, store the outcome."""

from __future__ import annotations

import asyncio

from dispatch.models import Message
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, BEN, CHEN, Person, Shop


async def test_without_credentials_the_message_goes_to_the_console_outbox(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")

    outcome = await send_invitation(runtime.worker_context(), invitation.id)

    assert outcome == "sent by console"
    sent = await Invitation.get(id=invitation.id)
    assert sent.status == InvitationStatus.SENT
    assert sent.channel == "sms"
    assert sent.sent_at is not None
    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.channel, message.recipient, message.status) == ("console", ANNA.phone, "sent")
    assert (message.requested_channel, message.reminder) == ("sms", False)
    assert f"http://testserver/s/{invitation.token}" in message.body
    assert message.provider_message_id.startswith("console-")


async def test_a_customer_with_only_email_gets_the_email(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await shop.delivered("B-1", to=BEN)
    invitation = await shop.invitation_for("B-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    [message] = await Message.filter(invitation_id=invitation.id)
    assert message.recipient == BEN.email
    assert message.subject
    assert (await Invitation.get(id=invitation.id)).channel == "email"


async def test_the_touchpoints_channel_order_decides(client, api_key, shop_journey, runtime):
    shop = Shop(client, api_key)
    await shop.ticket_closed("T-1", to=CHEN)
    invitation = await shop.invitation_for("T-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    [message] = await Message.filter(invitation_id=invitation.id)
    assert message.recipient == CHEN.email
    assert "您" in message.subject + message.body


async def test_a_customer_with_no_address_is_suppressed_with_the_reason(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("D-1", to=Person("dora"))
    invitation = await shop.invitation_for("D-1")

    outcome = await send_invitation(runtime.worker_context(), invitation.id)

    stopped = await Invitation.get(id=invitation.id)
    assert stopped.status == InvitationStatus.SUPPRESSED
    assert stopped.reason == "no address for sms, email"
    assert outcome.startswith("suppressed")
    assert not await Message.exists()


async def test_two_workers_sending_one_invitation_send_one_message(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    ctx = runtime.worker_context()

    outcomes = await asyncio.gather(*(send_invitation(ctx, invitation.id) for _ in range(4)))

    assert sum(o == "sent by console" for o in outcomes) == 1
    assert await Message.filter(invitation_id=invitation.id).count() == 1


def _with_consent(person: Person, **consent: bool) -> dict[str, object]:
    return {**person.as_customer(), "consent": consent}


async def test_a_declined_channel_is_passed_over_for_the_next(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.event("order.delivered", "C-1", CHEN, 8, customer=_with_consent(CHEN, sms=False))
    invitation = await shop.invitation_for("C-1")

    assert await send_invitation(runtime.worker_context(), invitation.id) == "sent by console"

    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.requested_channel, message.recipient) == ("email", CHEN.email)


async def test_a_customer_who_declined_every_channel_is_suppressed_with_the_reason(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    declined_all = _with_consent(CHEN, sms=False, email=False)
    await shop.event("order.delivered", "C-1", CHEN, 8, customer=declined_all)
    invitation = await shop.invitation_for("C-1")

    outcome = await send_invitation(runtime.worker_context(), invitation.id)

    stopped = await Invitation.get(id=invitation.id)
    assert (stopped.status, stopped.reason) == (
        InvitationStatus.SUPPRESSED,
        "no consent for sms, email",
    )
    assert outcome.startswith("suppressed")
    assert not await Message.exists()


async def test_consent_withdrawn_after_scheduling_holds_at_send_time(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    await shop.event("order.placed", "A-2", ANNA, 0, customer=_with_consent(ANNA, sms=False))
    invitation = await shop.invitation_for("A-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    stopped = await Invitation.get(id=invitation.id)
    assert stopped.reason == "no consent for sms; no address for email"
    assert not await Message.exists()
