"""What the contact rules are told about Anna: the surveys she got and the ones still pending."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from journeys.contact import Competitor, PastSurvey
from journeys.models import Customer, Interaction, Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition
from surveys.contact_history import competing_invitations, contact_history, contact_situation
from surveys.models import Invitation, InvitationStatus
from tests.surveys.factories import ONLINE_STORE, create_journey

S = InvitationStatus
NOW = datetime.now(UTC).replace(microsecond=0)
DAY = timedelta(days=1)
_serial = itertools.count(1)

SUPPORT: dict[str, Any] = {
    **ONLINE_STORE,
    "journey": "support",
    "touchpoints": [
        {"key": "ticket", "stage": "after-sale", "trigger": "ticket.closed", "survey": "quick"}
    ],
}


@pytest.fixture
async def shop(db: str) -> dict[str, Touchpoint]:
    return {**await create_journey(), **await create_journey(SUPPORT)}


@pytest.fixture
async def anna(db: str) -> Customer:
    return await Customer.create(external_id="anna")


@pytest.fixture
async def ben(db: str) -> Customer:
    return await Customer.create(external_id="ben")


async def invite(
    touchpoint: Touchpoint,
    customer: Customer,
    status: InvitationStatus,
    *,
    sent_at: datetime | None = None,
    send_at: datetime = NOW,
    occurred_at: datetime = NOW - 7 * DAY,
    version: int = 2,
) -> Invitation:
    serial = next(_serial)
    interaction = await Interaction.create(
        event_id=f"event-{serial}",
        type=touchpoint.trigger,
        occurred_at=occurred_at,
        customer=customer,
    )
    return await Invitation.create(
        token=f"token-{serial}",
        interaction=interaction,
        touchpoint=touchpoint,
        customer=customer,
        journey_version=version,
        status=status,
        send_at=send_at,
        sent_at=sent_at,
    )


async def test_the_history_holds_only_surveys_sent_to_this_customer_newest_first(shop, anna, ben):
    await invite(shop["order"], anna, S.SENT, sent_at=NOW - 10 * DAY)
    await invite(shop["ticket"], anna, S.ANSWERED, sent_at=NOW - 3 * DAY)
    await invite(shop["ship"], anna, S.DELIVERED, sent_at=NOW - 500 * DAY)
    await invite(shop["browse"], anna, S.SCHEDULED)
    await invite(shop["browse"], anna, S.FAILED)
    await invite(shop["ship"], ben, S.SENT, sent_at=NOW - DAY)
    itself = await invite(shop["after-sales"], anna, S.SENDING, sent_at=NOW - 2 * DAY)

    history = await contact_history(anna.id, excluding=itself.id)

    assert history == [
        PastSurvey(NOW - 3 * DAY, "support", "ticket"),
        PastSurvey(NOW - 10 * DAY, "online-store", "order"),
    ]
    assert all(p.sent_at.tzinfo is not None for p in history)
    longer = await contact_history(anna.id, excluding=itself.id, since=NOW - 600 * DAY)
    assert longer[-1] == PastSurvey(NOW - 500 * DAY, "online-store", "ship")


async def test_competitors_are_the_customers_other_pending_invitations(shop, anna, ben):
    order = await invite(shop["order"], anna, S.SCHEDULED, send_at=NOW + 2 * DAY)
    ship = await invite(shop["ship"], anna, S.SENDING, occurred_at=NOW - 3 * DAY)
    for status in (S.SENT, S.SUPPRESSED, S.EXPIRED, S.ANSWERED):
        await invite(shop["browse"], anna, status, sent_at=NOW - DAY)
    await invite(shop["order"], ben, S.SCHEDULED)
    itself = await invite(shop["ticket"], anna, S.SCHEDULED)

    competitors = await competing_invitations(anna.id, excluding=itself.id)

    assert competitors == [
        Competitor(ship.id, "online-store", "ship", 2, NOW, NOW - 3 * DAY, 14 * DAY),
        Competitor(order.id, "online-store", "order", 1, NOW + 2 * DAY, NOW - 7 * DAY, 14 * DAY),
    ]


async def test_a_competitor_is_read_with_the_journey_version_it_was_scheduled_with(shop, anna):
    raw = {**ONLINE_STORE, "touchpoints": [dict(t) for t in ONLINE_STORE["touchpoints"]]}
    raw["touchpoints"][1].update(priority=9, delay="P3D", max_age="P30D")
    await JourneyVersion.create(
        journey=await Journey.get(key="online-store"),
        version=3,
        definition=JourneyDefinition.model_validate(raw).model_dump(mode="json", by_alias=True),
        digest="third",
    )
    occurred = NOW - 5 * DAY
    old = await invite(shop["order"], anna, S.SCHEDULED, occurred_at=occurred)
    new = await invite(shop["order"], anna, S.SCHEDULED, occurred_at=occurred, version=3)
    other = await invite(shop["ship"], anna, S.SCHEDULED, occurred_at=occurred, version=3)

    competitors = await competing_invitations(anna.id, excluding=0)

    by_id = {c.invitation_id: c for c in competitors}
    assert (by_id[old.id].priority, by_id[old.id].due) == (1, occurred)  # no delay in version 2
    assert (by_id[new.id].priority, by_id[new.id].due) == (9, occurred + 3 * DAY)
    assert by_id[new.id].max_age == 30 * DAY
    assert by_id[other.id].priority == 2


async def test_a_customer_with_nothing_has_no_history_and_no_competitors(shop, anna):
    assert await contact_history(anna.id, excluding=0) == []
    assert await competing_invitations(anna.id, excluding=0) == []


async def test_one_read_tells_the_same_history_and_competitors_as_the_two(shop, anna, ben):
    await invite(shop["order"], anna, S.SENT, sent_at=NOW - 10 * DAY)
    await invite(shop["ticket"], anna, S.ANSWERED, sent_at=NOW - 3 * DAY)
    await invite(shop["ship"], anna, S.DELIVERED, sent_at=NOW - 500 * DAY)
    await invite(shop["order"], anna, S.SCHEDULED, send_at=NOW + 2 * DAY)
    await invite(shop["ship"], anna, S.SENDING, occurred_at=NOW - 3 * DAY, sent_at=NOW - DAY)
    await invite(shop["browse"], anna, S.FAILED)
    await invite(shop["ship"], ben, S.SCHEDULED, sent_at=NOW - DAY)
    itself = await invite(shop["after-sales"], anna, S.SENDING)
    since = NOW - 400 * DAY

    history, competitors = await contact_situation(anna.id, excluding=itself.id, since=since)

    assert history == await contact_history(anna.id, excluding=itself.id, since=since)
    assert competitors == await competing_invitations(anna.id, excluding=itself.id)
    assert [p.touchpoint for p in history] == ["ship", "ticket", "order"]
    assert [c.touchpoint for c in competitors] == ["ship", "order"]
    history, competitors = await contact_situation(ben.id, excluding=0, since=NOW)
    assert (history, len(competitors)) == ([], 1)
