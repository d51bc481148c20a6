"""Claiming an invitation for sending: one conditional UPDATE, so two workers never both win."""

from __future__ import annotations

from datetime import datetime

from tortoise.expressions import F

from surveys.models import Invitation, InvitationStatus


async def claim_invitation(invitation_id: int, now: datetime) -> bool:
    """Move a due invitation from scheduled to sending; False if it is not due or taken."""
    claimed = await Invitation.filter(
        id=invitation_id, status=InvitationStatus.SCHEDULED, send_at__lte=now
    ).update(status=InvitationStatus.SENDING, attempts=F("attempts") + 1, updated_at=now)
    return claimed == 1
