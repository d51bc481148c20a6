"""Putting invitations on the arq queue: one job per invitation, its id the invitation's.

The job id makes enqueueing idempotent, so the sweeper can enqueue whatever is due without
ever creating a second job for an invitation that is already queued.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from arq.connections import ArqRedis

log = logging.getLogger("touchpoint.dispatch")

SEND_INVITATION = "send_invitation"


def job_id(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


async def enqueue_invitations(redis: ArqRedis, due: Iterable[tuple[int, datetime]]) -> int:
    """Enqueue (invitation id, send time) pairs; returns how many were new on the queue."""
    queued = 0
    for invitation_id, send_at in due:
        job = await redis.enqueue_job(
            SEND_INVITATION, invitation_id, _job_id=job_id(invitation_id), _defer_until=send_at
        )
        queued += job is not None
    return queued
