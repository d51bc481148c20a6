"""Answers that took part in experiments, made straight through the ORM: the invitation's
variant and experiment copied onto the answer as intake does, and interaction attributes
(`script: B`) as AnswerAttribute rows."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from journeys.models import Customer, Interaction, Touchpoint
from surveys.models import Answer, AnswerAttribute, Invitation, InvitationStatus
from tests.surveys.factories import ONLINE_STORE

_serial = itertools.count(1)

#: The online store with a wording experiment on its order touchpoint.
STORE_WITH_EXPERIMENT: dict[str, Any] = {
    **ONLINE_STORE,
    "messages": {"sms": {"A": "Rate your order: {link}", "B": "Two taps to help us: {link}"}},
    "experiments": {"sms-wording": {"variants": {"A": 1, "B": 1}, "touchpoints": ["order"]}},
}


async def sent(
    touchpoint: Touchpoint,
    count: int,
    *,
    at: datetime,
    answered: int = 0,
    nps: int | None = None,
    csat: int | None = None,
    variant: str = "A",
    experiment: str | None = None,
    attributes: dict[str, str] | None = None,
) -> None:
    """`count` invitations sent at `at`, the first `answered` of them answered an hour
    later with `nps` and `csat`."""
    async with in_transaction():
        customer = await Customer.create(external_id=f"experiment-customer-{next(_serial)}")
        for number in range(count):
            serial = next(_serial)
            interaction = await Interaction.create(
                event_id=f"experiment-event-{serial}",
                type=touchpoint.trigger,
                occurred_at=at,
                customer=customer,
            )
            is_answered = number < answered
            invitation = await Invitation.create(
                token=f"experiment-token-{serial}",
                interaction=interaction,
                touchpoint=touchpoint,
                customer=customer,
                journey_version=2,
                status=InvitationStatus.ANSWERED if is_answered else InvitationStatus.SENT,
                send_at=at,
                sent_at=at,
                channel="sms",
                variant=variant,
                experiment=experiment,
            )
            if not is_answered:
                continue
            answer = await Answer.create(
                invitation=invitation,
                touchpoint=touchpoint,
                nps=nps,
                csat=csat,
                answered_at=at + timedelta(hours=1),
                interaction_at=at,
                channel="sms",
                locale="en",
                variant=variant,
                experiment=experiment,
            )
            for name, value in (attributes or {}).items():
                await AnswerAttribute.create(answer=answer, name=name, value=value)


async def answered(touchpoint: Touchpoint, count: int, *, at: datetime, **answer: Any) -> None:
    """`count` invitations sent at `at`, every one of them answered."""
    await sent(touchpoint, count, at=at, answered=count, **answer)
