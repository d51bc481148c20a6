"""The one send path of invitations and reminders: the row first, then the channel, then
the outcome; and which channel carried each invitation, for the API and the outbox."""

from __future__ import annotations

from dispatch.channels.email import EmailChannel
from dispatch.delivery import Sent, carriers, deliver, draft_for
from dispatch.models import Message
from dispatch.routing import customer_addresses, usable_routes
from dispatch.tasks import send_invitation
from journeys.store import journey_definition
from surveys.models import Invitation
from tests.stories import ANNA, BEN, Shop


async def test_the_console_standing_in_for_email_is_stored_with_both_names(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("B-1", to=BEN)
    invitation = await Invitation.get(id=(await shop.invitation_for("B-1")).id).prefetch_related(
        "customer", "touchpoint__journey"
    )
    definition = await journey_definition(invitation.touchpoint.journey)
    [route] = usable_routes(["email"], customer_addresses(invitation.customer), runtime.channels)
    draft = draft_for(definition, invitation, route, "https://t.example", reminder=True)

    attempt = await deliver(invitation.id, route, EmailChannel.render(draft), reminder=True)

    assert isinstance(attempt, Sent)
    [message] = await Message.filter(invitation_id=invitation.id)
    assert (message.channel, message.requested_channel, message.reminder) == (
        "console",
        "email",
        True,
    )
    assert (message.status, message.provider_message_id) == (
        "sent",
        attempt.receipt.provider_message_id,
    )
    assert message.subject.startswith("Reminder: ")
    assert f"https://t.example/u/{invitation.token}" in message.body


async def test_the_carrier_of_an_invitation_is_the_channel_the_provider_took_it_on(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    await shop.delivered("B-1", to=BEN)
    anna, ben = await shop.invitation_for("A-1"), await shop.invitation_for("B-1")
    await send_invitation(runtime.worker_context(), anna.id)

    assert await carriers([anna.id, ben.id]) == {anna.id: "console"}
