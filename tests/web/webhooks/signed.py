"""Signed requests to the webhooks, computed with the `twilio` library's own RequestValidator."""

from __future__ import annotations

from twilio.request_validator import RequestValidator

from dispatch.tasks import send_invitation
from surveys.models import Invitation
from tests.stories import ANNA, Shop

TOKEN = "webhook-auth-token"
#: The address Twilio is given; the test client talks to http://testserver, as a proxy would.
PUBLIC = "https://cx.example.com"


def signature(url: str, params: dict[str, str], token: str = TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


async def post_signed(client, path: str, params: dict[str, str], **options):
    url = options.pop("url", PUBLIC + path)
    headers = {"X-Twilio-Signature": signature(url, params, **options)}
    return await client.post(path, data=params, headers=headers)


async def reply(client, text: str, phone: str = ANNA.phone):
    params = {"From": phone, "To": "+15005550006", "Body": text, "MessageSid": "SMin"}
    answer = await post_signed(client, "/twilio/sms", params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    return answer.text


async def sent_to(shop: Shop, runtime, order: str, person=ANNA) -> Invitation:
    await shop.delivered(order, to=person)
    invitation = await shop.invitation_for(order)
    await send_invitation(runtime.worker_context(), invitation.id)
    return await Invitation.get(id=invitation.id)
