"""Follow-up cases for the console's tests: the shop's journey with its cases going to the
care team, and unhappy answers from the standing cast that open cases.

The answers are stored straight through the ORM and the case opened by surveys.followups,
at a chosen moment, so a test can have a case that is overdue now.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dispatch.models import Message
from journeys.loader import load_journey
from journeys.models import Customer, Interaction, Touchpoint
from journeys.store import apply_journey
from surveys.followups import open_case
from surveys.models import Answer, FollowUpCase, Invitation, InvitationStatus, Team, TeamMember
from tests.stories import Person
from web.models import User

SHOP_JOURNEY = Path(__file__).parent / "journeys" / "fixtures" / "shop.yaml"
CARE = "care"
#: The care team's root causes.
CAUSES = ["Late delivery", "Damaged parcel", "Rude courier"]
_serial = itertools.count(1)


async def care_journey() -> None:
    """The shop, its unhappy customers followed up by the care team: first response within
    2 hours, resolution within a day (wall clock)."""
    text = SHOP_JOURNEY.read_text("utf-8").replace(
        "targets: {nps: 40, csat: 85}\n",
        "targets: {nps: 40, csat: 85}\nfollow_up: {team: care}\n",
        1,
    )
    await apply_journey(load_journey(text, source=str(SHOP_JOURNEY)), text)


async def care_team(*members: str, key: str = CARE, name: str = "Customer care") -> Team:
    """The team with these console users (by email) as members taking cases."""
    team = await Team.create(key=key, name=name, email=f"{key}@shop.example", root_causes=CAUSES)
    for email in members:
        user = await User.get(email=email)
        await TeamMember.create(team=team, user_id=user.id, email=user.email)
    return team


async def a_case(
    person: Person,
    *,
    nps: int = 3,
    comment: str | None = "The parcel came two days late.",
    touchpoint: str = "use",
    opened_at: datetime | None = None,
) -> FollowUpCase:
    """`person` answered the `touchpoint` survey (sent by SMS) unhappily at `opened_at`
    (default now); the answer opened a case."""
    opened_at = opened_at or datetime.now(UTC)
    serial = next(_serial)
    customer, _ = await Customer.get_or_create(
        external_id=person.id,
        defaults={"phone": person.phone, "email": person.email, "locale": person.locale},
    )
    point = await Touchpoint.get(key=touchpoint, journey__key="shop")
    sent_at = opened_at - timedelta(hours=1)
    interaction = await Interaction.create(
        event_id=f"order-{serial}",
        type=point.trigger,
        occurred_at=sent_at - timedelta(days=7),
        customer=customer,
        journey_key="shop",
    )
    channel = "sms" if person.phone else "email"
    invitation = await Invitation.create(
        token=f"case-token-{serial}",
        interaction=interaction,
        touchpoint=point,
        customer=customer,
        journey_version=1,
        status=InvitationStatus.ANSWERED,
        send_at=sent_at,
        sent_at=sent_at,
        channel=channel,
    )
    message = await Message.create(
        invitation=invitation,
        channel=channel,
        recipient=person.phone or person.email,
        body=f"How was your purchase? 10 seconds: http://testserver/s/x{serial}",
        status="sent",
    )
    await Message.filter(id=message.id).update(created_at=sent_at)
    answer = await Answer.create(
        invitation=invitation,
        touchpoint=point,
        nps=nps,
        csat=None,
        comment=comment,
        answered_at=opened_at,
    )
    case = await open_case(invitation, answer=answer, now=opened_at)
    assert case is not None, "the answer should have opened a case"
    return case
