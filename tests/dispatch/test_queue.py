"""Enqueueing a batch of invitations: arq's own jobs, each once, however large the batch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arq.connections import ArqRedis
from arq.constants import default_queue_name
from arq.jobs import Job, JobStatus
from redis.asyncio import Redis

from dispatch.queue import JOBS_PER_CALL, enqueue_invitations, job_id


async def arq_redis(url: str) -> ArqRedis:
    return ArqRedis(connection_pool=Redis.from_url(url).connection_pool)


async def test_a_batch_larger_than_one_call_is_queued_whole_and_once(redis_url):
    redis = await arq_redis(redis_url)
    later = datetime.now(UTC).replace(microsecond=0) + timedelta(days=1)
    due = [(n, later + timedelta(minutes=n)) for n in range(1, JOBS_PER_CALL + 501)]
    try:
        assert await enqueue_invitations(redis, due) == JOBS_PER_CALL + 500
        assert await enqueue_invitations(redis, due) == 0  # already queued: nothing new
        assert await redis.zcard(default_queue_name) == JOBS_PER_CALL + 500
        job = Job(job_id(1234), redis)
        assert await job.status() == JobStatus.deferred
        info = await job.info()
        assert info is not None
        assert (info.function, info.args) == ("send_invitation", (1234,))
        score = await redis.zscore(default_queue_name, job_id(1234))
        assert score == int((later + timedelta(minutes=1234)).timestamp() * 1000)
    finally:
        await redis.aclose()


async def test_an_invitation_already_due_is_queued_for_now(redis_url):
    redis = await arq_redis(redis_url)
    before = datetime.now(UTC)
    try:
        assert await enqueue_invitations(redis, [(7, before - timedelta(hours=3))]) == 1
        score = await redis.zscore(default_queue_name, job_id(7))
        assert score >= int(before.timestamp() * 1000)
        assert await enqueue_invitations(redis, []) == 0
    finally:
        await redis.aclose()


async def test_a_redis_that_forgot_the_script_still_takes_the_batch(redis_url):
    """A restarted Redis has no scripts cached: the batch goes with the script's text."""
    redis = await arq_redis(redis_url)
    due = datetime.now(UTC) + timedelta(hours=1)
    try:
        await redis.script_flush()
        assert await enqueue_invitations(redis, [(1, due), (2, due)]) == 2
        assert await enqueue_invitations(redis, [(2, due), (3, due)]) == 1
        assert await redis.zcard(default_queue_name) == 3
        assert await redis.ping()  # the connection went back to the pool in working order
    finally:
        await redis.aclose()
