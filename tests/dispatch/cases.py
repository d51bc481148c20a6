"""Follow-up cases for the notification and reply tests: the online store's logistics team,
and an unhappy customer of the standing cast whose answer opens a case.

The store follows up its detractors with the logistics team: first response within two
hours, resolution within a day, on the wall clock, in Shanghai time.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from journeys.models import Customer, Interaction, Touchpoint
from surveys.followups import open_case
from surveys.models import Answer, FollowUpCase, Invitation, InvitationStatus, Team, TeamMember
from tests.stories import Person
from tests.surveys.factories import ONLINE_STORE, create_journey

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: A Monday morning in Shanghai, when the story's detractor answers.
MONDAY_10 = datetime(2030, 12, 2, 10, 0, tzinfo=SHANGHAI)
LEE = "lee@shop.example"
LOGISTICS_INBOX = "logistics@shop.example"

STORE: dict[str, Any] = ONLINE_STORE | {
    "follow_up": {"team": "logistics", "first_response": "PT2H", "resolution": "P1D"}
}

_serial = count(1)


async def store() -> dict[str, Touchpoint]:
    """The online store, following up its detractors with the logistics team."""
    return await create_journey(STORE)


async def logistics(*agents: str, inbox: str | None = LOGISTICS_INBOX) -> Team:
    """The logistics team, its shared inbox and its agents (user ids 1, 2, ...)."""
    team = await Team.create(key="logistics", name="Logistics", email=inbox)
    for user_id, email in enumerate(agents, start=1):
        await TeamMember.create(team=team, user_id=user_id, email=email)
    return team


async def unhappy(
    touchpoint: Touchpoint,
    person: Person,
    *,
    answered_at: datetime,
    nps: int = 3,
    comment: str | None = "The parcel came three days late.",
    consent: dict[str, bool] | None = None,
) -> FollowUpCase:
    """`person` answers the touchpoint's survey with a detractor's score, opening a case."""
    serial = next(_serial)
    customer, _ = await Customer.get_or_create(
        external_id=person.id,
        defaults={
            "phone": person.phone,
            "email": person.email,
            "locale": person.locale,
            "attributes": {"first_name": person.first_name} if person.first_name else {},
            "consent": consent or {},
        },
    )
    interaction = await Interaction.create(
        event_id=f"order-{serial}",
        type=touchpoint.trigger,
        occurred_at=answered_at,
        customer=customer,
    )
    invitation = await Invitation.create(
        token=f"case-token-{serial}",
        interaction=interaction,
        touchpoint=touchpoint,
        customer=customer,
        journey_version=2,
        status=InvitationStatus.ANSWERED,
        send_at=answered_at,
        sent_at=answered_at,
        channel="sms",
        locale=person.locale,
    )
    answer = await Answer.create(
        invitation=invitation,
        touchpoint=touchpoint,
        nps=nps,
        csat=2,
        comment=comment,
        answered_at=answered_at,
    )
    case = await open_case(invitation, answer=answer, now=answered_at.astimezone(UTC))
    assert case is not None, "the answer should have opened a case"
    return case
