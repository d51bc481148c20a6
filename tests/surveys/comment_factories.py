"""Answers with comments, themes and dimensions, made straight through the ORM.

The online store of `tests.surveys.factories` reports in Shanghai time; `written` stores
as many answers as a test needs in three bulk inserts, so a test can stream thousands.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from tortoise.transactions import in_transaction

from journeys.models import Customer, Interaction, Touchpoint
from surveys.models import Answer, AnswerAttribute, AnswerTheme, Invitation, InvitationStatus

_serial = itertools.count(1)
MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)


async def written(
    touchpoint: Touchpoint,
    count: int = 1,
    *,
    comment: str | None = None,
    nps: int | None = None,
    csat: int | None = None,
    answered_at: datetime = MID_Q3,
    themes: tuple[str, ...] = (),
    sentiment: str | None = None,
    attributes: dict[str, str] | None = None,
    **columns: Any,
) -> list[Answer]:
    """`count` answers alike, in id order; `columns` are further answer columns (locale,
    channel, segment, variant, source)."""
    async with in_transaction():
        customer = await Customer.create(external_id=f"writer-{next(_serial)}")
        serials = [next(_serial) for _ in range(count)]
        await Interaction.bulk_create(
            [
                Interaction(
                    event_id=f"written-{serial}",
                    type=touchpoint.trigger,
                    occurred_at=answered_at,
                    customer=customer,
                )
                for serial in serials
            ]
        )
        interactions = await Interaction.filter(
            event_id__in=[f"written-{s}" for s in serials]
        ).order_by("id")
        await Invitation.bulk_create(
            [
                Invitation(
                    token=f"written-{interaction.id}",
                    interaction=interaction,
                    touchpoint=touchpoint,
                    customer=customer,
                    journey_version=2,
                    status=InvitationStatus.ANSWERED,
                    send_at=answered_at,
                    sent_at=answered_at,
                )
                for interaction in interactions
            ]
        )
        invitations = await Invitation.filter(
            token__in=[f"written-{i.id}" for i in interactions]
        ).order_by("id")
        await Answer.bulk_create(
            [
                Answer(
                    invitation=invitation,
                    touchpoint=touchpoint,
                    nps=nps,
                    csat=csat,
                    comment=comment,
                    sentiment=sentiment,
                    answered_at=answered_at,
                    interaction_at=answered_at,
                    **columns,
                )
                for invitation in invitations
            ]
        )
        stored = await Answer.filter(invitation_id__in=[i.id for i in invitations]).order_by("id")
        if themes:
            await AnswerTheme.bulk_create(
                [AnswerTheme(answer=a, theme=theme) for a in stored for theme in themes]
            )
        if attributes:
            await AnswerAttribute.bulk_create(
                [
                    AnswerAttribute(answer=a, name=name, value=value)
                    for a in stored
                    for name, value in attributes.items()
                ]
            )
    return list(stored)
