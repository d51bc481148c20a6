"""Anna answers by replying to the SMS, adds a comment, then replies STOP.

The survey leaves through the `twilio` library to the loopback Twilio server; her replies
come back as Twilio would post them, signed with the account's auth token over the public
URL, and the report counts her answer.
"""

from __future__ import annotations

from datetime import UTC, datetime

from twilio.request_validator import RequestValidator

from dispatch.models import OptOut
from surveys.models import Answer, Invitation, InvitationStatus
from tests.e2e.test_survey_story import read_report
from tests.servers.settings import SENDER
from tests.stories import ANNA, run_worker_until_idle


async def text_back(browser, twilio, body: str) -> str:
    params = {"From": ANNA.phone, "To": SENDER, "Body": body, "MessageSid": "SMreply"}
    url = "http://testserver/twilio/sms"
    signature = RequestValidator(twilio.auth_token).compute_signature(url, params)
    answer = await browser.post(
        "/twilio/sms", data=params, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


async def test_anna_replies_9_then_a_comment_then_stop(
    shop, browser, live, twilio, shop_journey, api_key
):
    await shop.delivered("A-1", to=ANNA, days_ago=8)
    await run_worker_until_idle(live)
    [sms] = twilio.messages
    assert sms.to == ANNA.phone
    invitation = await shop.invitation_for("A-1")

    assert "You gave us 9" in await text_back(browser, twilio, "9 great service")
    assert "added that" in await text_back(browser, twilio, "Delivery was quick")

    use = (await read_report(browser, api_key))["use"]
    assert (use["n"], use["nps"]["score"]) == (1, 100)
    response = await Answer.get(invitation_id=invitation.id)
    assert (response.nps, response.source) == (9, "sms")
    assert response.comment == "great service\nDelivery was quick"

    assert "no more surveys" in await text_back(browser, twilio, "STOP")
    assert (await OptOut.get(address=ANNA.phone)).note == "stop"

    await shop.delivered("A-2", to=ANNA, days_ago=8)
    await run_worker_until_idle(live)
    following = await shop.invitation_for("A-2")
    assert following.status == InvitationStatus.SUPPRESSED
    assert following.reason == f"opted out (sms-stop {datetime.now(UTC):%Y-%m-%d})"
    assert len(twilio.messages) == 1
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.ANSWERED
