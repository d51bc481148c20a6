"""Comments analysed after their answers are stored: sentiment, terms and themes, again
when the journey's taxonomy changes or the customer edits the comment, and only then."""

from __future__ import annotations

from datetime import UTC, datetime

from journeys.models import Journey, JourneyVersion
from journeys.schema import JourneyDefinition
from surveys.feedback import analysis_digest, taxonomy_for
from surveys.feedback_analysis import analyse_pending, journey_taxonomies, pending_answers, settle
from surveys.models import Answer, AnswerTheme, Invitation
from surveys.responses import record_response
from tests.surveys.factories import create_journey
from tests.surveys.feedback_cases import FEEDBACK_STORE, THEMES, commented

MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)
LATE_COURIER = "The courier was late and rude, terrible delivery"
CHEAP_AND_GOOD = "Great price, I love it, very good"
SLOW_PARCEL = "快递太慢了，包装也破了，很差"
CHEAP_ZH = "价格很便宜，质量很好，我很喜欢"


async def themes_of(answer: Answer) -> list[str]:
    return sorted(await AnswerTheme.filter(answer_id=answer.id).values_list("theme", flat=True))


async def test_pending_comments_get_a_sentiment_terms_and_themes_in_english_and_chinese(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    late = await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2, csat=1)
    cheap = await commented(order, CHEAP_AND_GOOD, answered_at=MID_Q3, nps=10, csat=5)
    slow = await commented(order, SLOW_PARCEL, answered_at=MID_Q3, nps=3, locale="zh-CN")
    cheap_zh = await commented(order, CHEAP_ZH, answered_at=MID_Q3, nps=9, locale="zh-CN")
    silent = await commented(order, None, answered_at=MID_Q3, nps=9)
    blank = await commented(order, "  ", answered_at=MID_Q3, nps=9)

    assert await analyse_pending() == 6

    late, cheap, slow, cheap_zh, silent, blank = [
        await Answer.get(id=a.id) for a in (late, cheap, slow, cheap_zh, silent, blank)
    ]
    assert (late.sentiment, await themes_of(late)) == ("negative", ["delivery"])
    assert "courier" in late.terms.split()
    assert (cheap.sentiment, await themes_of(cheap)) == ("positive", ["price"])
    assert (slow.sentiment, await themes_of(slow)) == ("negative", ["delivery"])
    assert "快递" in slow.terms.split()  # a word, not character by character
    assert (cheap_zh.sentiment, await themes_of(cheap_zh)) == ("positive", ["price"])
    digest = analysis_digest(taxonomy_for(JourneyDefinition.model_validate(FEEDBACK_STORE)))
    assert {a.analysed for a in (late, cheap, slow, cheap_zh, silent, blank)} == {digest}
    for answer in (silent, blank):  # nothing to say: no sentiment, no terms, no themes
        assert (answer.sentiment, answer.terms) == (None, None)
        assert await themes_of(answer) == []


async def test_analysing_twice_changes_nothing(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    late = await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2)
    assert await analyse_pending() == 1
    first = await Answer.get(id=late.id)

    assert await analyse_pending() == 0

    again = await Answer.get(id=late.id)
    assert (again.sentiment, again.terms, again.analysed) == (
        first.sentiment,
        first.terms,
        first.analysed,
    )
    assert await AnswerTheme.filter(answer_id=late.id).count() == 1


async def test_a_new_version_with_another_taxonomy_analyses_every_comment_again(db):
    touchpoints = await create_journey(FEEDBACK_STORE)
    late = await commented(touchpoints["order"], LATE_COURIER, answered_at=MID_Q3, nps=2)
    cheap = await commented(touchpoints["ship"], CHEAP_AND_GOOD, answered_at=MID_Q3, csat=5)
    assert await analyse_pending() == 2
    staff = {**THEMES, "staff": {"en": ["rude", "staff"], "zh-CN": ["态度"]}}
    journey = await Journey.get(key="online-store")
    await JourneyVersion.create(
        journey=journey, version=3, definition={**FEEDBACK_STORE, "themes": staff}, digest="v3"
    )
    await Journey.filter(id=journey.id).update(version=3)

    assert await analyse_pending() == 2

    assert await themes_of(late) == ["delivery", "staff"]
    assert await themes_of(cheap) == ["price"]
    digest = analysis_digest(
        taxonomy_for(JourneyDefinition.model_validate({**FEEDBACK_STORE, "themes": staff}))
    )
    assert (await Answer.get(id=late.id)).analysed == digest
    assert await analyse_pending() == 0


async def test_a_comment_the_customer_edits_is_analysed_again(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    answer = await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2, csat=1)
    assert await analyse_pending() == 1
    invitation = await Invitation.get(id=answer.invitation_id)

    await record_response(invitation, nps=10, csat=5, comment=CHEAP_AND_GOOD)

    assert (await Answer.get(id=answer.id)).analysed is None
    assert await analyse_pending() == 1
    edited = await Answer.get(id=answer.id)
    assert (edited.sentiment, await themes_of(edited)) == ("positive", ["price"])
    assert "courier" not in edited.terms.split()


async def test_a_comment_edited_while_it_was_analysed_keeps_no_stale_analysis(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    answer = await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2, csat=1)
    [journey] = await journey_taxonomies()
    batch = await pending_answers(None, 0, 10)
    invitation = await Invitation.get(id=answer.invitation_id)
    await record_response(invitation, nps=10, csat=5, comment=CHEAP_AND_GOOD)

    assert await settle(batch, {order.id: journey}) == 0

    edited = await Answer.get(id=answer.id)
    assert (edited.sentiment, edited.analysed, await themes_of(edited)) == (None, None, [])
    assert await analyse_pending() == 1
    assert await themes_of(edited) == ["price"]


async def test_a_withdrawn_comment_leaves_no_sentiment_terms_or_themes(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    answer = await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2, csat=1)
    assert await analyse_pending() == 1
    invitation = await Invitation.get(id=answer.invitation_id)

    await record_response(invitation, nps=2, csat=1, comment="")

    assert await analyse_pending() == 1
    withdrawn = await Answer.get(id=answer.id)
    assert (withdrawn.comment, withdrawn.sentiment, withdrawn.terms) == (None, None, None)
    assert withdrawn.analysed is not None and await themes_of(withdrawn) == []
    assert await analyse_pending() == 0


async def test_a_run_analyses_no_more_than_its_limit_and_the_next_run_goes_on(db):
    order = (await create_journey(FEEDBACK_STORE))["order"]
    for _ in range(5):
        await commented(order, LATE_COURIER, answered_at=MID_Q3, nps=2)

    assert await analyse_pending(limit=3) == 3
    assert await analyse_pending(limit=3) == 2
    assert await Answer.filter(analysed__isnull=True).count() == 0
