"""Putting invitations on the arq queue: one job per invitation, its id the invitation's.

The job id makes enqueueing idempotent, so the sweeper can enqueue whatever is due without
ever creating a second job for an invitation that is already queued.

A batch of events can schedule a thousand invitations at once, and arq's `enqueue_job`
takes a few round trips per job. So a batch is enqueued in one pipelined round trip: a
small Lua script per job does what `enqueue_job` does, atomically (skip the job if its key
or result exists, else store it and add it to the queue), writing the same keys in the
same format (`arq.constants`, `arq.jobs.serialize_job`), so arq's worker runs them as its
own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime

from arq.connections import ArqRedis
from arq.constants import default_queue_name, expires_extra_ms, job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms, to_unix_ms

log = logging.getLogger("touchpoint.dispatch")

SEND_INVITATION = "send_invitation"

_ENQUEUE = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then
  return 0
end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


def job_id(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


async def enqueue_invitations(redis: ArqRedis, due: Iterable[tuple[int, datetime]]) -> int:
    """Enqueue (invitation id, send time) pairs; returns how many were new on the queue."""
    script = redis.register_script(_ENQUEUE)
    now_ms = timestamp_ms()
    async with redis.pipeline(transaction=False) as pipe:
        for invitation_id, send_at in due:
            key = job_id(invitation_id)
            score = max(to_unix_ms(send_at), now_ms)
            job = serialize_job(
                SEND_INVITATION, (invitation_id,), {}, None, now_ms, serializer=redis.job_serializer
            )
            await script(
                keys=[job_key_prefix + key, result_key_prefix + key, default_queue_name],
                args=[score - now_ms + expires_extra_ms, job, score, key],
                client=pipe,
            )
        queued = await pipe.execute()
    return sum(queued)
