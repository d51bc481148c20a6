"""Anna's SMS replies: scores as people write them, comments, keywords, and no guesses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch.models import OptOut
from dispatch.optouts import is_opted_out
from surveys.models import Answer, Invitation, InvitationStatus
from tests.stories import ANNA, CHEN
from tests.web.webhooks.signed import reply, sent_to


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

    [response] = await Answer.filter(invitation_id=invitation.id)
    assert (response.nps, response.comment, response.source) == (9, "Delivery was quick", "sms")
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.ANSWERED


async def test_an_unclear_reply_asks_again_and_records_nothing(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")

    for text in ("7 or 8", "Delivery was quick", "11"):
        assert "Please reply with a number from 0 to 10" in await reply(client, text)

    assert not await Answer.exists()
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT


async def test_a_comment_a_day_after_the_score_is_not_taken(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await reply(client, "9")
    await Answer.filter(invitation_id=invitation.id).update(
        updated_at=datetime.now(UTC) - timedelta(hours=25)
    )

    assert "number from 0 to 10" in await reply(client, "Delivery was quick")

    assert (await Answer.get(invitation_id=invitation.id)).comment is None


async def test_the_reply_answers_the_latest_survey_sent_to_the_number(client, shop, runtime):
    older = await sent_to(shop, runtime, "A-1")
    await Invitation.filter(id=older.id).update(sent_at=datetime.now(UTC) - timedelta(days=2))
    newer = await sent_to(shop, runtime, "A-2")

    await reply(client, "6")

    assert (await Answer.get(invitation_id=newer.id)).nps == 6
    assert not await Answer.filter(invitation_id=older.id).exists()


async def test_a_score_after_two_surveys_close_together_is_not_guessed(client, shop, runtime):
    first = await sent_to(shop, runtime, "A-1")
    await Invitation.filter(id=first.id).update(sent_at=datetime.now(UTC) - timedelta(minutes=20))
    await sent_to(shop, runtime, "A-2")

    assert "cannot tell which" in await reply(client, "9")

    assert not await Answer.exists()


async def test_an_expired_survey_is_not_answered(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await Invitation.filter(id=invitation.id).update(expires_at=datetime.now(UTC))

    assert "no open survey" in await reply(client, "9")
    assert not await Answer.exists()


async def test_a_stranger_hears_there_is_no_open_survey(client, db):
    assert "no open survey" in await reply(client, "9", phone="+442071838750")


async def test_chen_is_thanked_in_chinese(client, shop, runtime):
    await sent_to(shop, runtime, "C-1", person=CHEN)

    assert "您的评分是10" in await reply(client, "十分", phone=CHEN.phone)
