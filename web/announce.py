"""Telling the worker at once that something happened, instead of at its next minute.

An answer, an opt-out or a change to a case writes its event (and may open a case) in its
own transaction; the worker's crons would find them within a minute anyway. A kick after
the commit queues those runs now, so a CRM hears of an unhappy customer in seconds and the
case owner's email goes out at once. A kick that fails (Redis away) loses nothing: the
crons still find the work; so a Redis that does not answer is given `KICK_WAIT_SECONDS`,
and the customer who just answered is not kept waiting for it.

Each kick is a job with a fixed id, which arq enqueues only when no job of that id is
queued or kept (a watched check: three round trips each). All three are asked for in one
script call (`dispatch.queue.enqueue_jobs`): each is enqueued unless it is queued or kept
already, as under a stream of answers it mostly is.
"""

from __future__ import annotations

import asyncio
import logging

from arq.connections import ArqRedis
from redis.exceptions import RedisError
from starlette.requests import Request

from dispatch import feedback_job, notifications, outbox_publisher
from dispatch.queue import enqueue_jobs
from dispatch.resolution_survey import enqueue_resolution_survey

log = logging.getLogger("touchpoint.web")

#: A kick takes a few Redis round trips of a millisecond; past this the crons will do.
KICK_WAIT_SECONDS = 1.0

_KICKS = (outbox_publisher.KICK, notifications.KICK, feedback_job.KICK)


async def announce(request: Request, *, resolved_case: int | None = None) -> None:
    """Kick the publisher, the case notifications and the comments' analysis; after a
    resolve, the case's survey."""
    redis = request.app.state.runtime.redis
    try:
        async with asyncio.timeout(KICK_WAIT_SECONDS):
            await kick_missing(redis)
            if resolved_case is not None:
                await enqueue_resolution_survey(redis, resolved_case)
    except (RedisError, OSError) as error:  # TimeoutError is an OSError
        log.warning("could not queue the follow-up work now (the crons will): %r", error)


async def kick_missing(redis: ArqRedis) -> None:
    """Enqueue each kick that is neither queued nor kept, all three in one round trip."""
    await enqueue_jobs(redis, _KICKS)
