"""The sweeper: every minute, enqueue every invitation that is due soon.

Redis is a queue, not the source of truth; if it lost its data, or an enqueue failed after
the events were committed, the sweeper puts the invitations back on the queue. Job ids make
this harmless for invitations that are queued already.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch.queue import enqueue_invitations
from surveys.models import Invitation, InvitationStatus

LOOKAHEAD = timedelta(minutes=2)
PAGE = 1000


async def sweep_due_invitations(ctx: dict[str, Any]) -> int:
    horizon = datetime.now(UTC) + LOOKAHEAD
    queued, last_id = 0, 0
    while True:
        due = await (
            Invitation.filter(
                status=InvitationStatus.SCHEDULED, send_at__lte=horizon, id__gt=last_id
            )
            .order_by("id")
            .limit(PAGE)
            .values_list("id", "send_at")
        )
        if not due:
            return queued
        queued += await enqueue_invitations(ctx["redis"], due)
        last_id = due[-1][0]
