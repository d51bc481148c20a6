"""The resolution survey page `/r/<token>`: one question, five buttons, no JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.models import CaseNote, FollowUpCase
from surveys.resolution import CHANGE_WINDOW
from tests.stories import ANNA, CHEN
from tests.surveys.resolution_cases import resolved_case, sent_survey, shop


async def sent_to(person=ANNA) -> FollowUpCase:
    return await sent_survey(await resolved_case(await shop(), person))


async def test_anna_sees_one_question_and_five_buttons(client, db):
    case = await sent_to(ANNA)

    page = await client.get(f"/r/{case.resolution_survey_token}")

    assert page.status_code == 200
    html = page.text
    assert '<html lang="en">' in html
    assert '<h1 id="question">Are you satisfied with how we handled it?</h1>' in html
    assert "About your feedback on order" in html
    for score, words in [(1, "Very dissatisfied"), (5, "Very satisfied")]:
        assert f'name="score" value="{score}"><b>{score}</b> {words}</button>' in html
    assert html.count('type="submit" name="score"') == 5
    assert "<script" not in html
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["referrer-policy"] == "no-referrer"


async def test_chen_sees_it_in_chinese_and_can_switch(client, db):
    case = await sent_to(CHEN)
    token = case.resolution_survey_token

    page = await client.get(f"/r/{token}")

    assert '<html lang="zh-CN">' in page.text
    assert "您对我们的处理结果满意吗？" in page.text
    assert "<b>5</b> 非常满意" in page.text
    assert f'href="/r/{token}?lang=en"' in page.text
    english = await client.get(f"/r/{token}?lang=en")
    assert "Are you satisfied with how we handled it?" in english.text
    assert f'action="/r/{token}?lang=en"' in english.text


async def test_a_tap_records_the_answer_and_thanks(client, db):
    case = await sent_to(ANNA)
    token = case.resolution_survey_token

    answer = await client.post(f"/r/{token}", data={"score": "5"})

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/r/{token}/thanks"
    stored = await FollowUpCase.get(id=case.id)
    assert (stored.resolution_survey_status, stored.resolution_score) == ("answered", 5)
    assert await CaseNote.filter(case_id=case.id, body__contains="The loop is closed").exists()
    thanks = await client.get(answer.headers["location"])
    assert "Thank you!" in thanks.text
    assert "You told us: 5 (Very satisfied)." in thanks.text
    assert f'href="/r/{token}"' in thanks.text, "the answer can still be changed"


async def test_the_page_shows_the_answer_and_takes_a_change(client, db):
    case = await sent_to(ANNA)
    token = case.resolution_survey_token
    await client.post(f"/r/{token}", data={"score": "2"})

    page = await client.get(f"/r/{token}")
    assert "Your answer: 2. Tap another number to change it." in page.text
    assert 'value="2" class="chosen"' in page.text

    await client.post(f"/r/{token}", data={"score": "4"})
    assert (await FollowUpCase.get(id=case.id)).resolution_score == 4


async def test_after_a_day_the_page_only_thanks(client, db):
    case = await sent_to(ANNA)
    token = case.resolution_survey_token
    await client.post(f"/r/{token}", data={"score": "3"})
    long_ago = datetime.now(UTC) - CHANGE_WINDOW - timedelta(minutes=1)
    await FollowUpCase.filter(id=case.id).update(resolution_answered_at=long_ago)

    page = await client.get(f"/r/{token}")
    assert page.status_code == 200
    assert "You told us: 3" in page.text and "<form" not in page.text

    late = await client.post(f"/r/{token}", data={"score": "5"})
    assert late.status_code == 410
    assert (await FollowUpCase.get(id=case.id)).resolution_score == 3


@pytest.mark.parametrize("score", ["0", "6", "", "five", "4.5"])
async def test_a_bad_score_says_so_and_changes_nothing(client, db, score):
    case = await sent_to(ANNA)

    page = await client.post(f"/r/{case.resolution_survey_token}", data={"score": score})

    assert page.status_code == 400
    assert "Choose a number from 1 to 5." in page.text
    assert (await FollowUpCase.get(id=case.id)).resolution_survey_status == "sent"


async def test_an_unknown_token_gets_the_friendly_404_in_both_languages(client, db):
    for path in ("/r/not-a-real-token", "/r/not-a-real-token/thanks", "/r/%3Cscript%3E"):
        page = await client.get(path)
        assert page.status_code == 404
        assert "This survey link is not valid" in page.text and "此问卷链接无效" in page.text
    posted = await client.post("/r/not-a-real-token", data={"score": "5"})
    assert posted.status_code == 404


@pytest.mark.parametrize(
    ("status", "code", "words"),
    [
        ("scheduled", 403, "This survey is not open yet."),
        ("suppressed", 410, "This survey no longer takes answers."),
        ("failed", 410, "This survey no longer takes answers."),
    ],
)
async def test_a_survey_that_was_not_sent_is_closed(client, db, status, code, words):
    case = await resolved_case(await shop(), ANNA)
    await FollowUpCase.filter(id=case.id).update(resolution_survey_status=status)
    token = case.resolution_survey_token

    page = await client.get(f"/r/{token}")
    posted = await client.post(f"/r/{token}", data={"score": "5"})

    assert (page.status_code, posted.status_code) == (code, code)
    assert words in page.text and "<form" not in page.text
    assert (await FollowUpCase.get(id=case.id)).resolution_score is None


async def test_thanks_before_an_answer_goes_to_the_question(client, db):
    case = await sent_to(ANNA)
    token = case.resolution_survey_token

    page = await client.get(f"/r/{token}/thanks?lang=zh-CN")

    assert page.status_code == 303
    assert page.headers["location"] == f"/r/{token}?lang=zh-CN"
