"""Claiming an invitation for sending: one conditional UPDATE, so two workers never both win.

Written as SQL (`surveys.statements`): it runs once per send, and the ORM took more CPU to
build it than the database takes to run it.
"""

from __future__ import annotations

from datetime import datetime

from surveys.models import Invitation, InvitationStatus
from surveys.statements import execute

_CLAIM = (
    "UPDATE invitation SET status = ?, attempts = attempts + 1, updated_at = ?"
    " WHERE id = ? AND status = ? AND send_at <= ?"
)


async def claim_invitation(invitation_id: int, now: datetime) -> bool:
    """Move a due invitation from scheduled to sending; False if it is not due or taken."""
    values = [
        InvitationStatus.SENDING.value,
        now,
        invitation_id,
        InvitationStatus.SCHEDULED.value,
        now,
    ]
    return await execute(Invitation, _CLAIM, values) == 1
