"""A customer who has not consented to a channel is never contacted on it.

Dana gave the shop both her phone and her email address, but the shop's system says she has
not consented to SMS. Her survey goes by email and no text reaches the loopback Twilio
server. When a later order says she has consented to SMS after all, her next survey goes
by text again, as the touchpoint prefers. When she declines both, nothing goes at all and
her invitation says why.
"""

from __future__ import annotations

from typing import Any

from journeys.models import Customer
from surveys.models import InvitationStatus
from tests.stories import Person, Shop, run_worker_until_idle

DANA = Person("dana", phone="+14155550188", email="dana@example.com", first_name="Dana")


async def delivered(shop: Shop, order: str, **consent: bool) -> dict[str, Any]:
    dana = {**DANA.as_customer(), "consent": consent}
    return await shop.event("order.delivered", order, DANA, days_ago=8, customer=dana)


async def test_no_sms_without_consent_and_sms_again_once_given(
    shop, live, twilio, smtp, shop_journey
):
    answer = await delivered(shop, "D-1", sms=False)
    assert answer["status"] == "accepted"

    await run_worker_until_idle(live)

    [email] = smtp.wait_for(1)
    assert email["To"] == DANA.email
    assert twilio.attempts(DANA.phone) == [], "no text without consent"
    assert (await shop.invitation_for("D-1")).channel == "email"

    await delivered(shop, "D-2", sms=True)
    await run_worker_until_idle(live)

    [text] = twilio.messages
    assert text.to == DANA.phone
    assert (await shop.invitation_for("D-2")).channel == "sms"
    assert len(smtp.messages) == 1, "no second email"


async def test_declining_every_channel_suppresses_the_survey_with_the_reason(
    shop, live, twilio, smtp, shop_journey
):
    await delivered(shop, "D-1", sms=False, email=False)

    await run_worker_until_idle(live)

    invitation = await shop.invitation_for("D-1")
    assert (invitation.status, invitation.reason) == (
        InvitationStatus.SUPPRESSED,
        "no consent for sms, email",
    )
    assert twilio.attempts() == [] and smtp.messages == []


async def test_a_bad_consent_is_rejected_with_its_place_and_nothing_is_stored(shop, live):
    event = {
        "id": "D-1",
        "type": "order.delivered",
        "occurred_at": "2026-11-01T10:00:00+00:00",
        "customer": {**DANA.as_customer(), "consent": {"sms": "nope"}},
    }
    answer = await shop.http.post("/api/v1/events", json={"events": [event]}, headers=shop.headers)

    assert answer.status_code == 422
    [result] = answer.json()["results"]
    assert result["errors"] == [
        {"field": "events[0].customer.consent.sms", "message": "must be true or false"}
    ]
    assert not await Customer.exists(external_id=DANA.id)
