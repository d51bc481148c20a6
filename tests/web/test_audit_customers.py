"""The audit log of what customers do for themselves: SMS STOP and START, a carrier's
"unsubscribed", an email's unsubscribe link. The customer is the actor, known by the phone or
email they wrote from.
"""

from __future__ import annotations

import pytest

from dispatch.models import Message
from dispatch.settings import TwilioSettings
from tests.stories import ANNA, BEN, Shop, sent_invitation
from tests.web.webhooks.signed import PUBLIC, TOKEN, post_signed, reply, sent_to
from web.models import AuditEvent
from web.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Twilio's webhooks are signed for the public URL, as in tests/web/webhooks."""
    return settings.model_copy(
        update={"public_url": PUBLIC, "twilio": TwilioSettings(auth_token=TOKEN)}
    )


async def only_event(action: str) -> AuditEvent:
    [event] = await AuditEvent.filter(action=action)
    return event


def who(event: AuditEvent) -> tuple[str, int | None, str, str | None]:
    return event.actor_kind, event.actor_id, event.actor_label, event.client_address


async def test_annas_stop_and_start_are_recorded_as_hers(client, db):
    await reply(client, "STOP")
    await reply(client, "STOP")
    await reply(client, "START")

    stopped = await only_event("opt_out.created")
    assert who(stopped) == ("customer", None, ANNA.phone, "127.0.0.1")
    assert (stopped.target, stopped.detail) == (ANNA.phone, {"source": "sms-stop", "note": "stop"})
    lifted = await only_event("opt_out.lifted")
    assert who(lifted) == ("customer", None, ANNA.phone, "127.0.0.1")
    assert lifted.detail == {"source": "sms-start"}


async def test_a_carriers_unsubscribed_error_is_recorded_as_the_recipients_opt_out(
    client, api_key, shop_journey, runtime
):
    invitation = await sent_to(Shop(client, api_key), runtime, "A-1")
    [message] = await Message.filter(invitation_id=invitation.id)
    params = {"MessageSid": message.provider_message_id, "MessageStatus": "failed"}

    await post_signed(client, "/twilio/status", params | {"ErrorCode": "21610"})

    event = await only_event("opt_out.created")
    assert who(event) == ("customer", None, ANNA.phone, "127.0.0.1")
    assert event.detail == {"source": "twilio-21610", "note": f"message {message.id}"}


async def test_bens_unsubscribe_link_is_recorded_as_his(client, api_key, shop_journey):
    invitation = await sent_invitation(client, api_key, BEN.as_customer())

    for _ in range(2):
        assert (await client.post(f"/u/{invitation.token}")).status_code == 200

    event = await only_event("opt_out.created")
    assert who(event) == ("customer", None, BEN.email, "127.0.0.1")
    assert event.detail == {"source": "email-unsubscribe", "note": f"invitation {invitation.id}"}
