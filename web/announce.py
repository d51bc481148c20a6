"""Telling the worker at once that something happened, instead of at its next minute.

An answer, an opt-out or a change to a case writes its event (and may open a case) in its
own transaction; the worker's crons would find them within a minute anyway. A kick after
the commit queues those runs now, so a CRM hears of an unhappy customer in seconds and the
case owner's email goes out at once. A kick that fails (Redis away) loses nothing: the
crons still find the work; so a Redis that does not answer is given `KICK_WAIT_SECONDS`,
and the customer who just answered is not kept waiting for it.

Each kick is a job with a fixed id, which arq enqueues only when no job of that id is
queued or kept (a watched check: three round trips each). Under a stream of answers the
kicks are mostly queued already, so one pipelined EXISTS asks about all three at once and
only the missing ones are enqueued.
"""

from __future__ import annotations

import asyncio
import logging

from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from redis.exceptions import RedisError
from starlette.requests import Request

from dispatch import feedback_job, notifications, outbox_publisher
from dispatch.resolution_survey import enqueue_resolution_survey

log = logging.getLogger("touchpoint.web")

#: A kick takes a few Redis round trips of a millisecond; past this the crons will do.
KICK_WAIT_SECONDS = 1.0

_KICKS = (
    (outbox_publisher.KICK_JOB_ID, outbox_publisher.kick),
    (notifications.KICK_JOB_ID, notifications.kick),
    (feedback_job.KICK_JOB_ID, feedback_job.kick),
)


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
    """Enqueue each kick that is neither queued nor kept, asking about all three at once."""
    async with redis.pipeline(transaction=False) as pipe:
        for job_id, _ in _KICKS:
            pipe.exists(job_key_prefix + job_id, result_key_prefix + job_id)
        queued = await pipe.execute()
    for (_, kick), found in zip(_KICKS, queued, strict=True):
        if not found:
            await kick(redis)
