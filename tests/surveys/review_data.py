"""Answers with what the review breaks them down by, made straight through the ORM.

`answered` stores what `surveys.answer_dimensions` would have copied onto each answer (its
channel, language, segment, variant, interaction time and attributes), with an invitation
that carries the same, so that figures and response rates can be broken down alike.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from tortoise.transactions import in_transaction

from journeys.models import Customer, Interaction, Touchpoint
from surveys.models import Answer, AnswerAttribute, Invitation, InvitationStatus

_serial = itertools.count(1)


async def answered(
    touchpoint: Touchpoint,
    count: int = 1,
    *,
    at: datetime,
    nps: int | None = None,
    csat: int | None = None,
    channel: str = "sms",
    locale: str = "en",
    segment: str | None = None,
    variant: str = "A",
    experiment: str | None = None,
    interaction_at: datetime | None = None,
    attributes: dict[str, str] | None = None,
    sent_at: datetime | None = None,
) -> None:
    """`count` answers given `at`, their invitations sent an hour before (or `sent_at`),
    about interactions an hour before that (or `interaction_at`)."""
    await _invitations(
        touchpoint,
        count,
        sent_at=sent_at or at - timedelta(hours=1),
        answered_at=at,
        nps=nps,
        csat=csat,
        channel=channel,
        locale=locale,
        segment=segment,
        variant=variant,
        experiment=experiment,
        interaction_at=interaction_at or (sent_at or at) - timedelta(hours=2),
        attributes=attributes or {},
    )


async def unanswered(
    touchpoint: Touchpoint,
    count: int = 1,
    *,
    sent_at: datetime,
    channel: str = "sms",
    locale: str = "en",
    segment: str | None = None,
    variant: str = "A",
    experiment: str | None = None,
) -> None:
    """`count` invitations sent at `sent_at` that nobody answered."""
    await _invitations(
        touchpoint,
        count,
        sent_at=sent_at,
        answered_at=None,
        nps=None,
        csat=None,
        channel=channel,
        locale=locale,
        segment=segment,
        variant=variant,
        experiment=experiment,
        interaction_at=sent_at - timedelta(hours=1),
        attributes={},
    )


async def _invitations(
    touchpoint: Touchpoint,
    count: int,
    *,
    sent_at: datetime,
    answered_at: datetime | None,
    nps: int | None,
    csat: int | None,
    channel: str,
    locale: str,
    segment: str | None,
    variant: str,
    experiment: str | None,
    interaction_at: datetime,
    attributes: dict[str, str],
) -> None:
    async with in_transaction():
        customer = await Customer.create(
            external_id=f"review-customer-{next(_serial)}", segment=segment, locale=locale
        )
        for _ in range(count):
            serial = next(_serial)
            interaction = await Interaction.create(
                event_id=f"review-event-{serial}",
                type=touchpoint.trigger,
                occurred_at=interaction_at,
                customer=customer,
                attributes=attributes,
            )
            invitation = await Invitation.create(
                token=f"review-token-{serial}",
                interaction=interaction,
                touchpoint=touchpoint,
                customer=customer,
                journey_version=2,
                status=InvitationStatus.ANSWERED if answered_at else InvitationStatus.SENT,
                send_at=sent_at,
                sent_at=sent_at,
                channel=channel,
                locale=locale,
                variant=variant,
                experiment=experiment,
            )
            if answered_at is None:
                continue
            answer = await Answer.create(
                invitation=invitation,
                touchpoint=touchpoint,
                nps=nps,
                csat=csat,
                answered_at=answered_at,
                channel=channel,
                locale=locale,
                segment=segment,
                variant=variant,
                experiment=experiment,
                interaction_at=interaction_at,
            )
            for name, value in attributes.items():
                await AnswerAttribute.create(answer=answer, name=name, value=value)
