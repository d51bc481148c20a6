"""Only Twilio may call the webhooks: a valid X-Twilio-Signature for the public URL, or 403."""

from __future__ import annotations

import pytest

from dispatch.models import OptOut
from dispatch.settings import TwilioSettings
from tests.stories import ANNA
from tests.web.webhooks.signed import PUBLIC, post_signed, signature


async def test_a_signature_for_the_public_url_is_accepted(client, db):
    answer = await post_signed(
        client, "/twilio/status", {"MessageSid": "SMx", "MessageStatus": "sent"}
    )
    assert answer.status_code == 200


async def test_the_query_string_is_signed_too(client, db):
    params = {"MessageSid": "SMx", "MessageStatus": "sent"}
    url = PUBLIC + "/twilio/status?attempt=2"
    headers = {"X-Twilio-Signature": signature(url, params)}
    answer = await client.post("/twilio/status?attempt=2", data=params, headers=headers)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "options",
    [
        {"url": "http://testserver/twilio/sms"},  # what this process sees, not what Twilio used
        {"url": PUBLIC + "/twilio/status"},  # signed for the other endpoint
        {"token": "someone-elses-token"},
    ],
)
async def test_a_signature_for_another_url_or_token_is_refused(client, db, options):
    params = {"From": ANNA.phone, "Body": "STOP"}
    answer = await post_signed(client, "/twilio/sms", params, **options)
    assert answer.status_code == 403
    assert not await OptOut.exists()


async def test_a_tampered_body_is_refused(client, db):
    headers = {
        "X-Twilio-Signature": signature(PUBLIC + "/twilio/sms", {"From": ANNA.phone, "Body": "9"})
    }
    answer = await client.post(
        "/twilio/sms", data={"From": ANNA.phone, "Body": "STOP"}, headers=headers
    )
    assert answer.status_code == 403
    assert not await OptOut.exists()


async def test_a_missing_signature_is_refused(client, db):
    for path in ("/twilio/sms", "/twilio/status"):
        answer = await client.post(path, data={"From": ANNA.phone, "Body": "STOP"})
        assert answer.status_code == 403


async def test_without_an_auth_token_everything_is_refused(client, runtime, db):
    runtime.settings.twilio = TwilioSettings()
    answer = await post_signed(client, "/twilio/sms", {"From": ANNA.phone, "Body": "STOP"})
    assert answer.status_code == 403


async def test_signed_but_incomplete_forms_get_400(client, db):
    assert (await post_signed(client, "/twilio/sms", {"Body": "9"})).status_code == 400
    assert (await post_signed(client, "/twilio/status", {"MessageSid": "SMx"})).status_code == 400
    status = {"MessageSid": "SMx", "MessageStatus": "exploded"}
    assert (await post_signed(client, "/twilio/status", status)).status_code == 400
