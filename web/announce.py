"""Telling the worker at once that something happened, instead of at its next minute.

An answer, an opt-out or a change to a case writes its event (and may open a case) in its
own transaction; the worker's crons would find them within a minute anyway. A kick after
the commit queues those runs now, so a CRM hears of an unhappy customer in seconds and the
case owner's email goes out at once. A kick that fails (Redis away) loses nothing: the
crons still find the work.
"""

from __future__ import annotations

import logging

from redis.exceptions import RedisError
from starlette.requests import Request

from dispatch import feedback_job, notifications, outbox_publisher
from dispatch.resolution_survey import enqueue_resolution_survey

log = logging.getLogger("touchpoint.web")


async def announce(request: Request, *, resolved_case: int | None = None) -> None:
    """Kick the publisher, the case notifications and the comments' analysis; after a
    resolve, the case's survey."""
    redis = request.app.state.runtime.redis
    try:
        await outbox_publisher.kick(redis)
        await notifications.kick(redis)
        await feedback_job.kick(redis)
        if resolved_case is not None:
            await enqueue_resolution_survey(redis, resolved_case)
    except (RedisError, OSError) as error:
        log.warning("could not queue the follow-up work now (the crons will): %s", error)
