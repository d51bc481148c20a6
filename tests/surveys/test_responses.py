"""Reading a posted survey form (a table), and the rules for recording a response."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest
from tortoise import connections
from tortoise.transactions import in_transaction

from journeys.models import Customer, Interaction, Touchpoint
from journeys.schema import Survey
from surveys.invitation_survey import open_invitation
from surveys.models import Answer, AnswerAttribute, Invitation, InvitationStatus, OutboxEvent
from surveys.outbox import answer_payload
from surveys.responses import (
    AnswerError,
    Answers,
    SurveyClosed,
    parse_answers,
    record_response,
)

NPS_CSAT = Survey.model_validate(
    {
        "questions": [
            {"type": "nps", "text": "Recommend us?"},
            {"type": "csat", "text": "Satisfied?"},
            {"type": "text", "text": "Anything else?"},
        ]
    }
)
CSAT_REQUIRED = Survey.model_validate(
    {"questions": [{"type": "csat", "text": "Satisfied?", "required": True}]}
)


@pytest.mark.parametrize(
    ("form", "answers"),
    [
        ({"nps": "9", "csat": "4", "comment": "Quick"}, Answers(9, 4, "Quick")),
        ({"nps": "0"}, Answers(0, None, None)),
        ({"nps": " 10 ", "csat": "", "comment": "   "}, Answers(10, None, None)),
        ({"csat": "1", "comment": "line one\r\nline two"}, Answers(None, 1, "line one\nline two")),
        ({"nps": "07", "lang": "en", "unrelated": "x"}, Answers(7, None, None)),
        ({"comment": "nul\x00byte"}, Answers(None, None, "nulbyte")),
    ],
)
def test_it_reads_a_form(form, answers):
    assert parse_answers(form, NPS_CSAT) == answers


@pytest.mark.parametrize(
    ("form", "survey", "message"),
    [
        ({"nps": "11"}, NPS_CSAT, "nps: choose a number from 0 to 10"),
        ({"nps": "-1"}, NPS_CSAT, "nps: choose a number from 0 to 10"),
        ({"nps": "abc"}, NPS_CSAT, "nps: choose a number from 0 to 10"),
        ({"nps": "9.5"}, NPS_CSAT, "nps: choose a number from 0 to 10"),
        ({"nps": "٩"}, NPS_CSAT, "nps: choose a number from 0 to 10"),
        ({"csat": "0"}, NPS_CSAT, "csat: choose a number from 1 to 5"),
        ({"csat": "6"}, NPS_CSAT, "csat: choose a number from 1 to 5"),
        ({"comment": "x" * 2001}, NPS_CSAT, "comment: write at most 2000 characters"),
        ({}, NPS_CSAT, "answers: answer at least one question"),
        ({"nps": "9"}, CSAT_REQUIRED, "csat: answer this question"),
    ],
)
def test_it_says_what_is_wrong_with_a_form(form, survey, message):
    with pytest.raises(AnswerError) as raised:
        parse_answers(form, survey)

    assert str(raised.value).startswith(message)


def test_it_reports_every_problem_of_a_form_at_once():
    with pytest.raises(AnswerError) as raised:
        parse_answers({"nps": "42", "csat": "9", "comment": "x" * 2001}, NPS_CSAT)

    assert [p.field for p in raised.value.problems] == ["nps", "csat", "comment"]


def test_a_comment_of_exactly_the_limit_is_taken():
    assert parse_answers({"comment": "x" * 2000}, NPS_CSAT).comment == "x" * 2000


async def invitation(shop_journey, status=InvitationStatus.SENT, key="use") -> Invitation:
    customer = await Customer.create(external_id=f"anna-{status}-{key}", phone="+14155550123")
    interaction = await Interaction.create(
        event_id=f"evt-{status}-{key}",
        type="order.delivered",
        occurred_at=datetime.now(UTC),
        customer=customer,
    )
    return await Invitation.create(
        token=f"token-{status}-{key}",
        interaction=interaction,
        touchpoint=await Touchpoint.get(key=key),
        customer=customer,
        journey_version=1,
        status=status,
        send_at=datetime.now(UTC),
        sent_at=datetime.now(UTC),
    )


@pytest.mark.parametrize(
    "status",
    ["sent", "delivered", "sending", "unknown", "answered"],
)
async def test_an_invitation_in_the_customers_hands_takes_an_answer(shop_journey, status):
    found = await invitation(shop_journey, InvitationStatus(status))

    response = await record_response(found, nps=9, csat=5, comment="Great")

    assert (response.nps, response.csat, response.comment) == (9, 5, "Great")
    assert (await Invitation.get(id=found.id)).status == InvitationStatus.ANSWERED
    assert found.status == InvitationStatus.ANSWERED


@pytest.mark.parametrize("status", ["suppressed", "failed", "expired", "scheduled"])
async def test_a_closed_invitation_refuses_answers(shop_journey, status):
    found = await invitation(shop_journey, InvitationStatus(status))

    with pytest.raises(SurveyClosed) as raised:
        await record_response(found, nps=9, csat=None, comment=None)

    assert raised.value.status == status and raised.value.reason
    assert not await Answer.exists(invitation_id=found.id)
    assert (await Invitation.get(id=found.id)).status == status


async def test_a_second_answer_updates_the_first_and_keeps_its_time(shop_journey):
    found = await invitation(shop_journey)
    first = await record_response(found, nps=3, csat=None, comment=None, partial=True)

    second = await record_response(found, nps=None, csat=4, comment="Better now", partial=True)
    third = await record_response(found, nps=8, csat=None, comment=None, source="sms")

    assert first.id == second.id == third.id
    assert (second.nps, second.csat, second.comment) == (3, 4, "Better now")
    assert (third.nps, third.csat, third.comment, third.source) == (8, None, None, "sms")
    stored = await Answer.get(invitation_id=found.id)
    assert stored.answered_at == first.answered_at
    assert stored.updated_at >= first.updated_at


async def test_answers_are_checked_against_the_invitations_survey(shop_journey):
    ship = await invitation(shop_journey, key="ship")  # quick-csat: no NPS question
    use = await invitation(shop_journey, key="use")

    with pytest.raises(AnswerError, match="nps: this survey does not ask"):
        await record_response(ship, nps=9, csat=None, comment=None)
    with pytest.raises(AnswerError, match="csat: choose a number from 1 to 5"):
        await record_response(use, nps=None, csat=6, comment=None)
    with pytest.raises(AnswerError, match="nps: choose a number from 0 to 10"):
        await record_response(use, nps=True, csat=None, comment=None)  # type: ignore[arg-type]
    with pytest.raises(AnswerError, match="answers: answer at least one question"):
        await record_response(use, nps=None, csat=None, comment="  ")
    assert not await Answer.exists()


async def test_concurrent_submissions_make_one_response(shop_journey):
    found = await invitation(shop_journey)

    responses = await asyncio.gather(
        *(record_response(found, nps=score, csat=None, comment=None) for score in (5, 6, 7, 8))
    )

    assert len({r.id for r in responses}) == 1
    assert await Answer.filter(invitation_id=found.id).count() == 1


async def test_a_first_answer_writes_its_rows_as_the_orm_would(shop_journey):
    found = await invitation(shop_journey)
    customer = await Customer.get(id=found.customer_id)  # type: ignore[attr-defined]
    customer.attributes, customer.segment = {"tier": "gold", "email": "a@example.com"}, "B"
    await customer.save()
    await Invitation.filter(id=found.id).update(sent_at=None, status=InvitationStatus.SENDING)
    found = await Invitation.get(id=found.id)

    response = await record_response(found, nps=8, csat=4, comment="It's 'fine' — 很好")

    stored = await Answer.get(invitation_id=found.id)
    assert stored.id == response.id and response._saved_in_db
    assert (stored.nps, stored.csat, stored.comment) == (8, 4, "It's 'fine' — 很好")
    assert (stored.source, stored.segment, stored.channel) == ("web", "B", found.channel)
    assert stored.answered_at == response.answered_at and stored.updated_at is not None
    assert {(a.name, a.value) for a in await AnswerAttribute.filter(answer_id=stored.id)} == {
        ("tier", "gold")
    }
    event = await OutboxEvent.get(type="response.created")
    assert (
        event.data == answer_payload(stored, found, "shop", "use", customer.external_id)
        and event.data["response_id"] == stored.id
    )
    answered = await Invitation.get(id=found.id)
    assert answered.status == InvitationStatus.ANSWERED
    assert answered.sent_at == stored.answered_at == answered.updated_at


async def test_an_answer_inside_a_transaction_that_fails_leaves_nothing(shop_journey):
    found = await invitation(shop_journey)

    with pytest.raises(RuntimeError):
        async with in_transaction():
            await record_response(found, nps=2, csat=1, comment="Broken")
            raise RuntimeError("the caller's own work failed")

    assert not await Answer.exists(invitation_id=found.id)
    assert not await OutboxEvent.exists()
    assert (await Invitation.get(id=found.id)).status == InvitationStatus.SENT
    assert (await record_response(found, nps=9, csat=5, comment=None)).nps == 9


async def answered_from_the_link(found: Invitation, **answers) -> Answer:
    """Answered as the survey page answers: with the link's record, its survey and what a
    first answer copies, read before (on PostgreSQL, a first answer that opens no case is
    then one statement, gated on the invitation being still open and unanswered)."""
    opened = await open_invitation(found.token, answering=True)
    assert opened is not None
    return await record_response(
        opened.invitation, plan=opened.plan, dimensions=opened.dimensions, **answers
    )


async def test_a_first_answer_from_the_link_writes_its_rows_as_the_orm_would(shop_journey, caplog):
    found = await invitation(shop_journey)
    customer = await Customer.get(id=found.customer_id)  # type: ignore[attr-defined]
    customer.attributes, customer.segment = {"tier": "gold"}, "B"
    await customer.save()
    await Invitation.filter(id=found.id).update(sent_at=None, status=InvitationStatus.SENDING)

    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        response = await answered_from_the_link(found, nps=9, csat=5, comment="It's 'fine' — 很好")

    stored = await Answer.get(invitation_id=found.id)
    assert stored.id == response.id and response._saved_in_db
    assert (stored.nps, stored.csat, stored.comment) == (9, 5, "It's 'fine' — 很好")
    assert (stored.source, stored.segment, stored.channel) == ("web", "B", found.channel)
    assert stored.answered_at == response.answered_at
    assert {(a.name, a.value) for a in await AnswerAttribute.filter(answer_id=stored.id)} == {
        ("tier", "gold")
    }
    event = await OutboxEvent.get(type="response.created")
    assert event.data == answer_payload(stored, found, "shop", "use", customer.external_id)
    assert event.data["response_id"] == stored.id
    answered = await Invitation.get(id=found.id)
    assert answered.status == InvitationStatus.ANSWERED
    assert answered.sent_at == stored.answered_at == answered.updated_at
    if connections.get("default").capabilities.dialect == "postgres":  # one statement
        assert "FOR UPDATE" not in caplog.text and "WITH i AS (UPDATE invitation" in caplog.text


async def test_a_link_closed_after_it_was_read_takes_no_answer(shop_journey):
    found = await invitation(shop_journey)
    opened = await open_invitation(found.token, answering=True)
    assert opened is not None
    await Invitation.filter(id=found.id).update(status=InvitationStatus.EXPIRED)

    with pytest.raises(SurveyClosed):
        await record_response(
            opened.invitation, nps=9, csat=5, comment=None, plan=opened.plan,
            dimensions=opened.dimensions,
        )  # fmt: skip

    assert not await Answer.exists(invitation_id=found.id)
    assert not await OutboxEvent.exists()
    assert (await Invitation.get(id=found.id)).status == InvitationStatus.EXPIRED


async def test_an_answer_given_after_the_link_was_read_is_replaced_not_doubled(shop_journey):
    found = await invitation(shop_journey)
    opened = await open_invitation(found.token, answering=True)
    assert opened is not None
    first = await answered_from_the_link(found, nps=7, csat=4, comment=None)

    second = await record_response(
        opened.invitation, nps=10, csat=5, comment="Even better", plan=opened.plan,
        dimensions=opened.dimensions,
    )  # fmt: skip

    assert second.id == first.id
    stored = await Answer.get(invitation_id=found.id)
    assert (stored.nps, stored.csat, stored.comment) == (10, 5, "Even better")
    assert await OutboxEvent.filter(type="response.created").count() == 1


async def test_concurrent_submissions_from_the_link_make_one_response(shop_journey):
    found = await invitation(shop_journey)

    responses = await asyncio.gather(
        *(answered_from_the_link(found, nps=s, csat=5, comment=None) for s in (8, 9, 10, 9))
    )

    assert len({r.id for r in responses}) == 1
    assert await Answer.filter(invitation_id=found.id).count() == 1
    assert await OutboxEvent.filter(type="response.created").count() == 1
