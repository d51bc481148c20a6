"""An answer carries what the review breaks it down by, as it was when the customer answered."""

from __future__ import annotations

from datetime import UTC, datetime

from journeys.models import Customer, Interaction, Touchpoint
from surveys.answer_dimensions import attribute_rows
from surveys.models import Answer, AnswerAttribute, Invitation, InvitationStatus
from surveys.responses import record_response


def test_the_interactions_attributes_win_over_the_customers():
    customer = {"region": "east", "store": "Online", "tier_since": 2024}
    interaction = {"store": "Shanghai-1", "script": "B"}
    assert attribute_rows(customer, interaction) == {
        "region": "east",
        "store": "Shanghai-1",
        "tier_since": "2024",
        "script": "B",
    }


def test_only_plain_values_are_kept_and_personal_ones_never():
    rows = attribute_rows(
        {"first_name": "Anna", "email": "anna@example.com", "vip": True, "tags": ["a", "b"]},
        {"items": {"sku": "X"}, "total": 12.5, "note": "   ", "x" * 64: "too long a name"},
    )
    assert rows == {"vip": "true", "total": "12.5"}


def test_a_long_value_is_cut_not_refused():
    assert attribute_rows({}, {"store": "S" * 300}) == {"store": "S" * 200}


async def _sent_invitation(segment: str | None) -> Invitation:
    customer = await Customer.create(
        external_id="anna",
        phone="+14155550123",
        segment=segment,
        attributes={"first_name": "Anna", "region": "east"},
    )
    occurred = datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    interaction = await Interaction.create(
        event_id="evt-1",
        type="order.delivered",
        occurred_at=occurred,
        customer=customer,
        attributes={"store": "Shanghai-1"},
    )
    return await Invitation.create(
        token="token-dimensions",
        interaction=interaction,
        touchpoint=await Touchpoint.get(key="use"),
        customer=customer,
        journey_version=1,
        status=InvitationStatus.SENT,
        send_at=datetime.now(UTC),
        sent_at=datetime.now(UTC),
        channel="sms",
        locale="zh-CN",
        variant="B",
        experiment="sms-wording",
    )


async def test_a_stored_answer_carries_its_invitations_customers_and_interactions_dimensions(
    shop_journey,
):
    invitation = await _sent_invitation(segment="A")
    answer = await record_response(invitation, nps=3, csat=2, comment="太慢了")

    stored = await Answer.get(id=answer.id)
    assert (stored.channel, stored.locale, stored.segment) == ("sms", "zh-CN", "A")
    assert (stored.variant, stored.experiment) == ("B", "sms-wording")
    assert stored.interaction_at == datetime(2026, 9, 30, 23, 0, tzinfo=UTC)
    assert stored.analysed is None  # the worker analyses the comment
    rows = await AnswerAttribute.filter(answer_id=answer.id).order_by("name")
    assert [(row.name, row.value) for row in rows] == [("region", "east"), ("store", "Shanghai-1")]


async def test_the_segment_stays_what_it_was_when_the_customer_answered(shop_journey):
    invitation = await _sent_invitation(segment="B")
    answer = await record_response(invitation, nps=9, csat=5, comment=None)
    await Customer.filter(external_id="anna").update(segment="A")

    again = await record_response(invitation, nps=10, csat=5, comment="Great")
    assert again.id == answer.id
    assert (await Answer.get(id=answer.id)).segment == "B"
    assert await AnswerAttribute.filter(answer_id=answer.id).count() == 2


async def test_an_edited_comment_is_analysed_again(shop_journey):
    invitation = await _sent_invitation(segment=None)
    answer = await record_response(invitation, nps=5, csat=3, comment="Late")
    await Answer.filter(id=answer.id).update(analysed="0123456789abcdef", sentiment="negative")

    await record_response(invitation, nps=5, csat=3, comment="Late and broken")
    stored = await Answer.get(id=answer.id)
    assert (stored.analysed, stored.sentiment) == (None, None)
