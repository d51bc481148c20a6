"""Anna replies by SMS to the resolution survey, and asks to be called back.

Her survey went out, she replied 3 (a detractor: a case opened), an agent resolved the case
and the resolution survey went to her phone; her next reply answers that, while ordinary
survey replies keep working around it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.models import Message
from dispatch.optouts import is_opted_out
from dispatch.resolution_survey import send_resolution_survey
from surveys.followups import resolve
from surveys.models import Answer, CaseNote, FollowUpCase, Invitation, InvitationStatus
from surveys.resolution import CHANGE_WINDOW
from tests.stories import ANNA, CHEN
from tests.surveys.resolution_cases import AGENT
from tests.web.webhooks.signed import post_signed, reply, sent_to


async def resolution_survey_sent(client, shop, runtime, person=ANNA) -> FollowUpCase:
    invitation = await sent_to(shop, runtime, "A-1", person)
    await reply(client, "3", phone=person.phone)
    case = await FollowUpCase.get(invitation_id=invitation.id)
    await resolve(case, AGENT, note="Refunded the delivery fee.")
    assert await send_resolution_survey(runtime.worker_context(), case.id) == "sent"
    return case


async def test_a_number_answers_the_resolution_survey_not_the_first_survey(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)

    assert "Thank you! You gave us 5 out of 5." in await reply(client, "5")

    answered = await FollowUpCase.get(id=case.id)
    assert (answered.resolution_survey_status, answered.resolution_score) == ("answered", 5)
    first = await Answer.get(invitation_id=case.invitation_id)
    assert first.nps == 3, "the first survey's answer stands"
    note = await CaseNote.filter(case_id=case.id).order_by("-id").first()
    assert note.body.startswith("The customer answered the resolution survey by sms: 5")


async def test_a_number_out_of_1_to_5_asks_again_and_records_nothing(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)

    assert "number from 1 to 5" in await reply(client, "9")
    assert "number from 1 to 5" in await reply(client, "thanks")

    unanswered = await FollowUpCase.get(id=case.id)
    assert (unanswered.resolution_survey_status, unanswered.resolution_score) == ("sent", None)
    assert (await Answer.get(invitation_id=case.invitation_id)).nps == 3


async def test_words_with_and_after_the_score_go_on_the_case(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)

    await reply(client, "4 the refund came quickly")
    assert "added that" in await reply(client, "Thank you Olivia")

    said = await CaseNote.filter(case_id=case.id, kind="reply", author_kind="customer")
    assert [note.body for note in said] == ["the refund came quickly", "Thank you Olivia"]
    assert all(note.channel == "sms" for note in said)
    assert (await FollowUpCase.get(id=case.id)).resolution_score == 4


async def test_a_second_number_changes_the_answer_within_the_day(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)

    await reply(client, "2")
    await reply(client, "4")

    assert (await FollowUpCase.get(id=case.id)).resolution_score == 4


async def test_a_number_after_the_change_window_is_not_taken(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)
    await reply(client, "4")
    long_ago = datetime.now(UTC) - CHANGE_WINDOW - timedelta(minutes=1)
    await FollowUpCase.filter(id=case.id).update(resolution_answered_at=long_ago)

    assert "no open survey" in await reply(client, "1")

    assert (await FollowUpCase.get(id=case.id)).resolution_score == 4
    assert (await Answer.get(invitation_id=case.invitation_id)).nps == 3


async def test_stop_still_opts_out(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)

    assert "no more surveys" in await reply(client, "STOP")

    assert await is_opted_out(ANNA.phone, "phone")
    assert (await FollowUpCase.get(id=case.id)).resolution_survey_status == "sent"


async def test_a_survey_sent_after_it_takes_the_next_reply(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)
    following = await sent_to(shop, runtime, "A-2")

    assert "You gave us 8" in await reply(client, "8")

    assert (await Answer.get(invitation_id=following.id)).nps == 8
    assert (await FollowUpCase.get(id=case.id)).resolution_survey_status == "sent"


async def test_chen_is_thanked_in_chinese(client, shop, runtime):
    await resolution_survey_sent(client, shop, runtime, CHEN)

    assert "谢谢！您的评分是5分（满分5分）。" in await reply(client, "5", phone=CHEN.phone)


async def test_an_undelivered_resolution_survey_fails_with_twilios_reason(client, shop, runtime):
    case = await resolution_survey_sent(client, shop, runtime)
    message = await Message.get(case_id=case.id, purpose="resolution-survey")
    callback = {
        "MessageSid": message.provider_message_id,
        "MessageStatus": "undelivered",
        "ErrorCode": "30003",
    }

    answer = await post_signed(client, "/twilio/status", callback)

    assert answer.status_code == 200
    failed = await FollowUpCase.get(id=case.id)
    assert failed.resolution_survey_status == "failed"
    assert failed.resolution_survey_reason == ("sms: undelivered, unreachable handset (code 30003)")
    invitation = await Invitation.get(id=case.invitation_id)
    assert invitation.status == InvitationStatus.ANSWERED, "the first survey's answer stands"


# -- asking to be contacted ------------------------------------------------------------


async def test_please_call_me_opens_a_case_with_her_words(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")

    answer = await reply(client, "Please call me about my order")

    assert "someone from our team will contact you" in answer
    case = await FollowUpCase.get(invitation_id=invitation.id)
    assert (case.reason, case.status) == ("contact-request", "open")
    said = await CaseNote.get(case_id=case.id, kind="reply")
    assert (said.body, said.author_kind) == ("Please call me about my order", "customer")
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SENT


async def test_a_score_with_a_request_is_recorded_and_opens_a_case(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")

    assert "contact you" in await reply(client, "9 but please contact me")

    answer = await Answer.get(invitation_id=invitation.id)
    assert (answer.nps, answer.comment) == (9, "but please contact me")
    case = await FollowUpCase.get(invitation_id=invitation.id)
    assert (case.reason, case.answer_id) == ("contact-request", answer.id)


async def test_chinese_asks_to_be_contacted_too(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "C-1", CHEN)

    assert "我们的团队会尽快与您联系" in await reply(client, "请联系我", phone=CHEN.phone)

    assert (await FollowUpCase.get(invitation_id=invitation.id)).reason == "contact-request"


async def test_a_request_after_a_low_score_goes_on_its_case(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await reply(client, "2")

    await reply(client, "call me back please")

    [case] = await FollowUpCase.filter(invitation_id=invitation.id)
    assert case.reason == "detractor"
    assert await CaseNote.exists(case_id=case.id, body="call me back please")


async def test_an_ordinary_comment_opens_no_case(client, shop, runtime):
    invitation = await sent_to(shop, runtime, "A-1")
    await reply(client, "9")

    assert "added that" in await reply(client, "The courier phoned me first, nice")

    assert not await FollowUpCase.exists(invitation_id=invitation.id)
