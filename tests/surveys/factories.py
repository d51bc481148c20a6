"""Journeys, invitations and responses made straight through the ORM, for report tests.

The online store of DESIGN.md, with its Shanghai time zone and targets, is the standing
journey; `answers` and `invitations` fill it with as many rows as a test needs.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from journeys.models import Customer, Interaction, Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition, Targets
from surveys.models import Answer, Invitation, InvitationStatus

_serial = itertools.count(1)

ONLINE_STORE: dict[str, Any] = {
    "journey": "online-store",
    "name": "Online store",
    "timezone": "Asia/Shanghai",
    "send_window": {"start": "09:00", "end": "20:00"},
    "targets": {"nps": 40, "csat": 85},
    "touchpoints": [
        {"key": "browse", "stage": "pre-sale", "trigger": "product.viewed", "survey": "quick"},
        {"key": "order", "stage": "in-sale", "trigger": "order.placed", "survey": "nps-csat"},
        {"key": "ship", "stage": "in-sale", "trigger": "order.shipped", "survey": "quick"},
        {
            "key": "after-sales",
            "stage": "after-sale",
            "trigger": "ticket.closed",
            "survey": "nps-csat",
            "targets": {"csat": 90},
        },
    ],
    "surveys": {
        "quick": {"questions": [{"type": "csat", "text": "How satisfied are you?"}]},
        "nps-csat": {
            "questions": [
                {"type": "nps", "text": "How likely are you to recommend us?"},
                {"type": "csat", "text": "How satisfied are you with this step?"},
            ]
        },
    },
}


async def create_journey(
    raw: dict[str, Any] = ONLINE_STORE, *, inactive: tuple[str, ...] = ()
) -> dict[str, Touchpoint]:
    """The journey, its current version, and its touchpoints by key (created in reverse,
    so that a report in definition order is not merely in insertion order)."""
    definition = JourneyDefinition.model_validate(raw)
    journey = await Journey.create(
        key=definition.journey, name=definition.name, timezone=definition.timezone, version=2
    )
    # An earlier version with other targets, which the report must not read.
    earlier = definition.model_copy(update={"targets": Targets(nps=-100, csat=0)})
    await JourneyVersion.create(
        journey=journey,
        version=1,
        definition=earlier.model_dump(mode="json", by_alias=True),
        digest="earlier",
    )
    await JourneyVersion.create(
        journey=journey,
        version=2,
        definition=definition.model_dump(mode="json", by_alias=True),
        digest="current",
    )
    touchpoints = {}
    for tp in reversed(definition.touchpoints):
        touchpoints[tp.key] = await Touchpoint.create(
            journey=journey,
            key=tp.key,
            stage=tp.stage,
            trigger=tp.trigger,
            active=tp.key not in inactive,
        )
    return touchpoints


async def invitations(
    touchpoint: Touchpoint,
    count: int,
    *,
    sent_at: datetime | None,
    answered_at: datetime | None = None,
    nps: int | None = None,
    csat: int | None = None,
) -> None:
    """`count` invitations sent at `sent_at` (None: not sent yet), answered if `answered_at`."""
    async with in_transaction():
        customer = await Customer.create(external_id=f"customer-{next(_serial)}")
        for _ in range(count):
            serial = next(_serial)
            interaction = await Interaction.create(
                event_id=f"event-{serial}",
                type=touchpoint.trigger,
                occurred_at=sent_at or answered_at or datetime.now(UTC),
                customer=customer,
            )
            if sent_at is None:
                status = InvitationStatus.SCHEDULED
            else:
                status = InvitationStatus.ANSWERED if answered_at else InvitationStatus.SENT
            invitation = await Invitation.create(
                token=f"token-{serial}",
                interaction=interaction,
                touchpoint=touchpoint,
                customer=customer,
                journey_version=2,
                status=status,
                send_at=sent_at or datetime.now(UTC),
                sent_at=sent_at,
            )
            if answered_at is not None:
                await Answer.create(
                    invitation=invitation,
                    touchpoint=touchpoint,
                    nps=nps,
                    csat=csat,
                    answered_at=answered_at,
                )


async def answers(
    touchpoint: Touchpoint,
    count: int,
    *,
    answered_at: datetime,
    nps: int | None = None,
    csat: int | None = None,
    sent_at: datetime | None = None,
) -> None:
    """`count` responses with the same answers, their invitations sent an hour before."""
    await invitations(
        touchpoint,
        count,
        sent_at=sent_at or answered_at - timedelta(hours=1),
        answered_at=answered_at,
        nps=nps,
        csat=csat,
    )
