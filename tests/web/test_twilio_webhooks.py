"""Twilio's webhooks: signed status callbacks and Anna's SMS replies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from twilio.request_validator import RequestValidator

from dispatch.models import Message, OptOut
from dispatch.optouts import is_opted_out
from dispatch.settings import TwilioSettings
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus, Response
from tests.stories import ANNA, CHEN, Shop
from web.settings import Settings

TOKEN = "webhook-auth-token"
#: The address Twilio is given; the test client talks to http://testserver, as a proxy would.
PUBLIC = "https://cx.example.com"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"public_url": PUBLIC, "twilio": TwilioSettings(auth_token=TOKEN)}
    )


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


@pytest.fixture
def shop(client, api_key, shop_journey) -> Shop:
    return Shop(client, api_key)


async def sent_to(shop: Shop, runtime, order: str, person=ANNA) -> Invitation:
    await shop.delivered(order, to=person)
    invitation = await shop.invitation_for(order)
    await send_invitation(runtime.worker_context(), invitation.id)
    return await Invitation.get(id=invitation.id)


# --- signatures ----------------------------------------------------------------------------


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


# --- status callbacks ----------------------------------------------------------------------


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


# --- replies -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "please stop texting me", "退订"],
)
async def test_every_opt_out_keyword_stops_the_next_survey(client, shop, runtime, text):
    await sent_to(shop, runtime, "A-1")

    answer = await reply(client, text)

    assert "no more surveys" in answer
    assert (await OptOut.get(address=ANNA.phone)).source == "sms-stop"
    following = await sent_to(shop, runtime, "A-2")
    assert following.status == InvitationStatus.SUPPRESSED
    assert following.reason.startswith("opted out (sms-stop ")


@pytest.mark.parametrize("text", ["START", "UNSTOP"])
async def test_start_and_unstop_opt_back_in(client, shop, runtime, text):
    await reply(client, "STOP")

    assert "surveys again" in await reply(client, text)

    assert not await is_opted_out(ANNA.phone, "phone")
    assert (await sent_to(shop, runtime, "A-1")).status == InvitationStatus.SENT


async def test_help_explains_how_to_answer_and_leave(client, db):
    answer = await reply(client, "HELP")
    assert "number from 0 to 10" in answer and "STOP" in answer


async def test_a_score_then_a_comment_make_one_response(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")

    assert "You gave us 9. Anything we could do better?" in await reply(client, "9")
    assert "added that to your answer" in await reply(client, "Delivery was quick")

    [response] = await Response.filter(invitation_id=invitation.id)
    assert (response.nps, response.comment, response.source) == (9, "Delivery was quick", "sms")
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.ANSWERED


async def test_an_unclear_reply_asks_again_and_records_nothing(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")

    for text in ("7 or 8", "Delivery was quick", "11"):
        assert "Please reply with a number from 0 to 10" in await reply(client, text)

    assert not await Response.exists()
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT


async def test_a_comment_a_day_after_the_score_is_not_taken(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await reply(client, "9")
    await Response.filter(invitation_id=invitation.id).update(
        updated_at=datetime.now(UTC) - timedelta(hours=25)
    )

    assert "number from 0 to 10" in await reply(client, "Delivery was quick")

    assert (await Response.get(invitation_id=invitation.id)).comment is None


async def test_the_reply_answers_the_latest_survey_sent_to_the_number(client, shop, runtime):
    older = await sent_to(shop, runtime, "A-1")
    await Invitation.filter(id=older.id).update(sent_at=datetime.now(UTC) - timedelta(days=2))
    newer = await sent_to(shop, runtime, "A-2")

    await reply(client, "6")

    assert (await Response.get(invitation_id=newer.id)).nps == 6
    assert not await Response.filter(invitation_id=older.id).exists()


async def test_an_expired_survey_is_not_answered(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await Invitation.filter(id=invitation.id).update(expires_at=datetime.now(UTC))

    assert "no open survey" in await reply(client, "9")
    assert not await Response.exists()


async def test_a_stranger_hears_there_is_no_open_survey(client, db):
    assert "no open survey" in await reply(client, "9", phone="+442071838750")


async def test_chen_is_thanked_in_chinese(client, shop, runtime):
    await sent_to(shop, runtime, "C-1", person=CHEN)

    assert "您的评分是10" in await reply(client, "十分", phone=CHEN.phone)
