"""Resolved cases for the resolution survey's tests: a customer of the standing cast got a
survey by a channel, answered as a detractor (which opened the case), and an agent
resolved it. Made through the real code (`record_response`, `resolve`), on the online
store of `tests.surveys.factories`, with the send window the test needs."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from journeys.models import Customer, Interaction, Touchpoint
from surveys.followups import Actor, resolve
from surveys.models import FollowUpCase, Invitation, InvitationStatus
from surveys.responses import record_response
from tests.stories import Person
from tests.surveys.factories import ONLINE_STORE, create_journey

AGENT = Actor("user", 7, "olivia@shop.example")
_serial = itertools.count(1)


def store(window: dict[str, str] | None = None, timezone: str = "UTC") -> dict[str, Any]:
    """The online store with its send window open all day unless `window` says otherwise."""
    raw = copy.deepcopy(ONLINE_STORE)
    raw["timezone"] = timezone
    raw["send_window"] = window or {"start": "00:00", "end": "24:00"}
    return raw


async def shop(window: dict[str, str] | None = None, timezone: str = "UTC") -> Touchpoint:
    """The store's `order` touchpoint (NPS and CSAT; a detractor opens a case)."""
    return (await create_journey(store(window, timezone)))["order"]


async def resolved_case(
    touchpoint: Touchpoint,
    person: Person,
    *,
    channel: str = "sms",
    timezone: str | None = None,
    consent: dict[str, bool] | None = None,
) -> FollowUpCase:
    """`person` answered the `channel` survey with a 3 and an agent resolved the case."""
    customer = await Customer.get_or_none(external_id=person.id) or await Customer.create(
        external_id=person.id,
        phone=person.phone,
        email=person.email,
        locale=person.locale,
        timezone=timezone,
        attributes={"first_name": person.first_name} if person.first_name else {},
        consent=consent or {},
    )
    serial = next(_serial)
    sent_at = datetime.now(UTC) - timedelta(days=1)
    interaction = await Interaction.create(
        event_id=f"order-{serial}", type="order.placed", occurred_at=sent_at, customer=customer
    )
    invitation = await Invitation.create(
        token=f"survey-token-{serial}",
        interaction=interaction,
        touchpoint=touchpoint,
        customer=customer,
        journey_version=2,
        status=InvitationStatus.SENT,
        send_at=sent_at,
        sent_at=sent_at,
        channel=channel,
        locale=person.locale,
    )
    await record_response(invitation, nps=3, csat=None, comment=None, partial=True)
    case = await FollowUpCase.get(invitation_id=invitation.id)
    await resolve(case, AGENT, note="Refunded the delivery fee.")
    return await FollowUpCase.get(id=case.id)


async def sent_survey(case: FollowUpCase, channel: str = "sms") -> FollowUpCase:
    """As the worker leaves it once sent (for tests of the answer, not of the send)."""
    await FollowUpCase.filter(id=case.id).update(
        resolution_survey_status="sent",
        resolution_survey_sent_at=datetime.now(UTC),
        resolution_survey_channel=channel,
    )
    return await FollowUpCase.get(id=case.id)
