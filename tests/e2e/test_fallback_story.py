"""When Twilio refuses a customer for good, the survey goes by email, or fails with why.

The `use` touchpoint lists sms then email. Dana has both. Her number is a landline, so
Twilio answers 21614 (not a mobile number) and the same survey goes to her email address.
Anna has only a phone; when Twilio says her number is invalid, her invitation fails with
Twilio's reason. When Twilio says a number unsubscribed (21610, a STOP sent to Twilio
itself), the number is recorded as opted out, so no later survey tries it again.
"""

from __future__ import annotations

from dispatch.models import Message, OptOut
from surveys.models import InvitationStatus
from tests.stories import ANNA, Person, run_worker_until_idle

DANA = Person("dana", phone="+14155550188", email="dana@example.com", first_name="Dana")


async def test_a_landline_gets_the_survey_by_email(shop, live, twilio, smtp, shop_journey):
    twilio.reject(DANA.phone, code=21614)
    await shop.delivered("D-1", to=DANA)

    await run_worker_until_idle(live)

    [email] = smtp.wait_for(1)
    assert email["To"] == DANA.email
    assert twilio.messages == []
    assert len(twilio.attempts(DANA.phone)) == 1
    invitation = await shop.invitation_for("D-1")
    assert (invitation.status, invitation.channel) == (InvitationStatus.SENT, "email")
    tried = await Message.filter(invitation_id=invitation.id).order_by("id")
    assert [(m.channel, m.requested_channel, m.status) for m in tried] == [
        ("sms", "sms", "failed"),
        ("email", "email", "sent"),
    ]
    assert tried[0].error == "not a mobile number"


async def test_an_invalid_number_with_no_email_fails_with_twilios_reason(
    shop, live, twilio, smtp, shop_journey
):
    twilio.reject(ANNA.phone, code=21211)
    await shop.delivered("A-1", to=ANNA)

    await run_worker_until_idle(live)

    invitation = await shop.invitation_for("A-1")
    assert invitation.status == InvitationStatus.FAILED
    assert invitation.reason == "sms: invalid phone number (code 21211)"
    assert invitation.attempts == 1, "a permanent refusal is not retried"
    assert twilio.messages == [] and smtp.messages == []


async def test_twilios_unsubscribed_answer_records_an_opt_out(
    shop, live, twilio, smtp, shop_journey
):
    twilio.reject(DANA.phone, code=21610)
    await shop.delivered("D-1", to=DANA)

    await run_worker_until_idle(live)

    stop = await OptOut.get(address=DANA.phone)
    assert (stop.kind, stop.source, stop.revoked_at) == ("phone", "twilio-21610", None)
    assert (await shop.invitation_for("D-1")).channel == "email"

    await shop.delivered("D-2", to=DANA)
    await run_worker_until_idle(live)

    assert len(twilio.attempts(DANA.phone)) == 1, "the opted-out number is not tried again"
    assert [m["To"] for m in smtp.wait_for(2)] == [DANA.email, DANA.email]
