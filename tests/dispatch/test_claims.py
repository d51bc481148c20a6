"""Two workers racing for one invitation: exactly one of them may send it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from dispatch.claims import claim_invitation
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, Shop


async def test_only_one_of_two_racing_claims_wins(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")
    now = datetime.now(UTC) + timedelta(seconds=1)

    wins = await asyncio.gather(*(claim_invitation(invitation.id, now) for _ in range(5)))

    assert sorted(wins) == [False, False, False, False, True]
    claimed = await Invitation.get(id=invitation.id)
    assert (claimed.status, claimed.attempts) == (InvitationStatus.SENDING, 1)


async def test_an_invitation_is_not_claimed_before_its_send_time(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA, days_ago=1)
    invitation = await shop.invitation_for("A-1")

    assert not await claim_invitation(invitation.id, datetime.now(UTC))
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.SCHEDULED


async def test_a_suppressed_invitation_is_never_claimed(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA, days_ago=60)
    invitation = await shop.invitation_for("A-1")

    assert invitation.status == InvitationStatus.SUPPRESSED
    assert not await claim_invitation(invitation.id, datetime.now(UTC) + timedelta(days=90))
