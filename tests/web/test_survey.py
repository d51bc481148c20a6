"""Anna (English) and Chen (Chinese) open the survey link of their delivered order."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from surveys.models import Answer, Invitation, InvitationStatus
from tests.stories import sent_invitation
from web.i18n import CATALOG, translate

ANNA = {"id": "anna", "phone": "+14155550123", "locale": "en"}
CHEN = {"id": "chen", "phone": "+8613800138000", "locale": "zh-CN"}


@pytest.fixture
async def anna(client, api_key, shop_journey) -> Invitation:
    return await sent_invitation(client, api_key)


async def test_the_page_asks_the_touchpoints_questions_in_english(client, anna):
    page = await client.get(f"/s/{anna.token}")

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "How likely are you to recommend us to a friend?" in page.text
    assert "How satisfied are you with this step?" in page.text
    assert "What could we do better?" in page.text
    assert page.text.count('type="radio" id="nps-') == 11
    assert page.text.count('type="radio" id="csat-') == 5
    assert "0 = not at all likely" in page.text and "10 = extremely likely" in page.text
    assert "Very dissatisfied" in page.text and "Very satisfied" in page.text
    assert "<textarea" in page.text and "Optional" in page.text
    assert '<label for="nps-7">7</label>' in page.text
    assert "<legend>" in page.text and 'name="viewport"' in page.text
    # the questions come in the survey's order
    assert page.text.index("recommend") < page.text.index("satisfied") < page.text.index("better")


async def test_chen_gets_the_page_in_chinese_and_english_on_request(client, api_key, shop_journey):
    chen = await sent_invitation(client, api_key, CHEN)

    page = await client.get(f"/s/{chen.token}")
    assert '<html lang="zh-CN">' in page.text
    assert "您有多大可能向朋友推荐我们？" in page.text
    assert "非常不满意" in page.text and "非常满意" in page.text and "提交" in page.text

    english = await client.get(f"/s/{chen.token}", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "How likely are you to recommend us" in english.text
    assert f'action="/s/{chen.token}?lang=en"' in english.text


async def test_it_works_without_javascript_and_stays_small(client, anna):
    page = await client.get(f"/s/{anna.token}")

    assert "<script" not in page.text
    assert re.search(rf'<form method="post" action="/s/{anna.token}"', page.text)
    assert '<button type="submit">' in page.text
    assert len(page.content) < 30 * 1024


async def test_the_pages_keep_the_token_to_themselves(client, anna):
    page = await client.get(f"/s/{anna.token}")

    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_a_one_tap_score_is_saved_and_shown_chosen(client, anna):
    page = await client.get(f"/s/{anna.token}", params={"score": "9"})

    assert page.status_code == 200
    assert "Your answer was saved" in page.text
    assert re.search(r'id="nps-9" name="nps" value="9" checked', page.text)
    response = await Answer.get(invitation_id=anna.id)
    assert (response.nps, response.csat, response.comment) == (9, None, None)
    assert (await Invitation.get(id=anna.id)).status == InvitationStatus.ANSWERED


async def test_a_form_post_stores_the_answers_and_says_thank_you(client, anna):
    answer = await client.post(
        f"/s/{anna.token}", data={"nps": "10", "csat": "4", "comment": "Fast <b>delivery</b>"}
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/s/{anna.token}/thanks"
    response = await Answer.get(invitation_id=anna.id)
    assert (response.nps, response.csat, response.comment) == (10, 4, "Fast <b>delivery</b>")
    assert response.source == "web"
    thanks = await client.get(answer.headers["location"])
    assert thanks.status_code == 200
    assert "Thank you" in thanks.text and "Your answer was saved" in thanks.text
    again = await client.get(f"/s/{anna.token}")
    assert "Fast &lt;b&gt;delivery&lt;/b&gt;</textarea>" in again.text


async def test_a_second_post_updates_the_answer_rather_than_adding_one(client, anna):
    await client.get(f"/s/{anna.token}", params={"score": "3"})
    first = await Answer.get(invitation_id=anna.id)

    await client.post(f"/s/{anna.token}", data={"nps": "6", "csat": "2", "comment": "Late"})
    await client.post(f"/s/{anna.token}", data={"nps": "8", "csat": "", "comment": "Late, ok"})

    assert await Answer.filter(invitation_id=anna.id).count() == 1
    response = await Answer.get(invitation_id=anna.id)
    assert (response.nps, response.csat, response.comment) == (8, None, "Late, ok")
    assert response.answered_at == first.answered_at


async def test_a_score_out_of_range_gets_a_page_that_says_what_was_wrong(client, anna):
    page = await client.get(f"/s/{anna.token}", params={"score": "11"})

    assert page.status_code == 400
    assert "Choose a number from 0 to 10." in page.text
    assert not await Answer.exists(invitation_id=anna.id)


async def test_a_bad_form_is_shown_again_with_the_error_and_the_other_answers_kept(client, anna):
    page = await client.post(
        f"/s/{anna.token}", data={"nps": "42", "csat": "5", "comment": "Great driver"}
    )

    assert page.status_code == 400
    assert '<p class="error" id="nps-error">Choose a number from 0 to 10.</p>' in page.text
    assert re.search(r'id="csat-5" name="csat" value="5" checked', page.text)
    assert "Great driver</textarea>" in page.text
    assert not await Answer.exists(invitation_id=anna.id)


async def test_a_word_for_a_score_is_refused_too(client, anna):
    page = await client.get(f"/s/{anna.token}", params={"score": "abc"})

    assert page.status_code == 400
    assert "Choose a number from 0 to 10." in page.text


async def test_an_unknown_link_gets_a_friendly_page_in_both_languages(client, db):
    page = await client.get("/s/not-a-real-token")

    assert page.status_code == 404
    assert "This survey link is not valid" in page.text
    assert "此问卷链接无效" in page.text
    assert (await client.post("/s/not-a-real-token", data={"nps": "9"})).status_code == 404
    assert (await client.get("/s/not-a-real-token/thanks")).status_code == 404


async def test_an_expired_survey_says_so_politely_and_takes_no_answer(client, anna):
    await Invitation.filter(id=anna.id).update(status=InvitationStatus.EXPIRED)

    page = await client.get(f"/s/{anna.token}", params={"score": "9"})
    posted = await client.post(f"/s/{anna.token}", data={"nps": "9"})

    assert page.status_code == 410 and posted.status_code == 410
    assert "This survey is closed" in page.text
    assert not await Answer.exists(invitation_id=anna.id)


async def test_the_thank_you_page_sends_an_unanswered_customer_to_the_survey(client, anna):
    page = await client.get(f"/s/{anna.token}/thanks")

    assert page.status_code == 303
    assert page.headers["location"] == f"/s/{anna.token}"


async def test_a_head_request_never_saves_a_score(client, anna):
    page = await client.head(f"/s/{anna.token}", params={"score": "9"})

    assert page.status_code == 200
    assert not await Answer.exists(invitation_id=anna.id)


def test_every_page_string_is_in_both_languages():
    assert CATALOG["en"].keys() == CATALOG["zh-CN"].keys()
    assert translate("zh", "submit") == "提交"
    assert translate("fr", "submit") == "Submit"
    assert "2001" in translate("zh-CN", "error.too_long", limit=2000, length=2001)


async def test_an_expired_link_shows_a_polite_page_and_takes_no_answer(client, anna):
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=anna.id).update(expires_at=past)

    page = await client.get(f"/s/{anna.token}")
    assert page.status_code == 410
    assert "The time to answer this survey has passed" in page.text
    assert "<form" not in page.text

    posted = await client.post(f"/s/{anna.token}", data={"nps": "9"})
    assert posted.status_code == 410
    tapped = await client.get(f"/s/{anna.token}", params={"score": "9"})
    assert tapped.status_code == 410
    assert not await Answer.exists(invitation_id=anna.id)


async def test_chen_reads_that_his_link_expired_in_chinese(client, api_key, shop_journey):
    chen = await sent_invitation(client, api_key, CHEN)
    await Invitation.filter(id=chen.id).update(status=InvitationStatus.EXPIRED)

    page = await client.get(f"/s/{chen.token}")

    assert page.status_code == 410
    assert "此问卷已关闭" in page.text and "作答时间已过" in page.text
