"""The resolution survey's answer: once, 1 to 5, changeable for a day, closing the loop."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from surveys.models import CaseNote
from surveys.resolution import (
    CHANGE_WINDOW,
    ResolutionClosed,
    parse_score,
    question,
    record_resolution_answer,
    takes_answers,
)
from tests.stories import ANNA
from tests.surveys.resolution_cases import resolved_case, sent_survey, shop


@pytest.mark.parametrize(
    ("value", "score"),
    [("1", 1), ("5", 5), (" 4 ", 4), (3, 3), ("0", None), ("6", None), ("٣", None),
     ("4.5", None), ("", None), (None, None), ("five", None)],
)  # fmt: skip
def test_a_score_is_a_whole_number_from_1_to_5(value, score):
    assert parse_score(value) == score


def test_the_question_is_asked_in_english_and_chinese():
    assert question("en") == "Are you satisfied with how we handled it?"
    assert question("zh-CN") == "您对我们的处理结果满意吗？"
    assert question("fr") == question("en")


async def test_the_answer_closes_the_loop_on_the_case(db):
    case = await sent_survey(await resolved_case(await shop(), ANNA))

    stored = await record_resolution_answer(case.resolution_survey_token, 5, "web")

    assert stored.resolution_survey_status == "answered"
    assert stored.resolution_score == 5
    assert stored.resolution_answered_at is not None
    note = await CaseNote.filter(case_id=case.id).order_by("-id").first()
    assert note.author_kind == "customer"
    assert note.body == (
        "The customer answered the resolution survey by web: 5 (Very satisfied). "
        "The loop is closed."
    )


async def test_a_survey_not_sent_takes_no_answer(db):
    case = await resolved_case(await shop(), ANNA)
    assert case.resolution_survey_status == "scheduled"

    with pytest.raises(ResolutionClosed):
        await record_resolution_answer(case, 4, "web")

    assert (await case.refresh_from_db()) is None and case.resolution_score is None


@pytest.mark.parametrize("score", [0, 6, -1, 10])
async def test_a_score_out_of_range_is_refused_and_nothing_changes(db, score):
    case = await sent_survey(await resolved_case(await shop(), ANNA))

    with pytest.raises(ValueError, match="1 to 5"):
        await record_resolution_answer(case, score, "sms")

    await case.refresh_from_db()
    assert (case.resolution_survey_status, case.resolution_score) == ("sent", None)


async def test_an_unknown_token_is_a_lookup_error(db):
    with pytest.raises(LookupError):
        await record_resolution_answer("no-such-token", 4, "web")


async def test_a_change_within_a_day_replaces_the_answer_and_says_so(db):
    case = await sent_survey(await resolved_case(await shop(), ANNA))
    first = await record_resolution_answer(case, 2, "web")

    changed = await record_resolution_answer(case, 4, "web")

    assert changed.resolution_score == 4
    assert changed.resolution_answered_at == first.resolution_answered_at
    notes = [n.body for n in await CaseNote.filter(case_id=case.id, author_kind="customer")]
    assert notes[-1] == (
        "The customer changed their resolution survey answer by web: 2 -> 4 (Satisfied)."
    )
    await record_resolution_answer(case, 4, "web")  # the same again: no new note
    assert await CaseNote.filter(case_id=case.id, author_kind="customer").count() == 2


async def test_after_the_change_window_the_survey_is_closed(db):
    case = await sent_survey(await resolved_case(await shop(), ANNA))
    answered = datetime.now(UTC)
    await record_resolution_answer(case, 3, "web", now=answered)

    later = answered + CHANGE_WINDOW + timedelta(seconds=1)
    with pytest.raises(ResolutionClosed):
        await record_resolution_answer(case, 5, "web", now=later)

    await case.refresh_from_db()
    assert case.resolution_score == 3
    assert takes_answers(case, answered + timedelta(hours=1))
    assert not takes_answers(case, later)


async def test_two_answers_racing_store_one_first_answer(db):
    case = await sent_survey(await resolved_case(await shop(), ANNA))

    await asyncio.gather(
        record_resolution_answer(case, 5, "web"), record_resolution_answer(case, 5, "sms")
    )

    notes = await CaseNote.filter(case_id=case.id, author_kind="customer")
    assert len(notes) == 1 and "The loop is closed." in notes[0].body


async def test_an_unknown_send_still_takes_the_customers_answer(db):
    """A worker stopped mid-send: the customer answering proves the message arrived."""
    case = await sent_survey(await resolved_case(await shop(), ANNA))
    await type(case).filter(id=case.id).update(resolution_survey_status="unknown")

    stored = await record_resolution_answer(case, 4, "sms")

    assert (stored.resolution_survey_status, stored.resolution_score) == ("answered", 4)
