"""After an answer the worker is kicked: each kick queued once, asked about in one go."""

from __future__ import annotations

from arq.constants import default_queue_name
from arq.jobs import Job, JobStatus

from dispatch import feedback_job, notifications, outbox_publisher
from web.announce import kick_missing

KICKS = (outbox_publisher.KICK_JOB_ID, notifications.KICK_JOB_ID, feedback_job.KICK_JOB_ID)


async def test_every_kick_is_queued_once_however_often_it_is_asked_for(runtime):
    redis = runtime.redis

    await kick_missing(redis)
    queued = {job: await redis.zscore(default_queue_name, job) for job in KICKS}
    await kick_missing(redis)
    await kick_missing(redis)

    assert [await Job(job, redis).status() for job in KICKS] == [JobStatus.queued] * 3
    assert await redis.zcard(default_queue_name) == 3
    assert {job: await redis.zscore(default_queue_name, job) for job in KICKS} == queued


async def test_a_kick_the_worker_has_taken_is_queued_again(runtime):
    redis = runtime.redis
    await kick_missing(redis)
    await redis.delete(f"arq:job:{notifications.KICK_JOB_ID}")
    await redis.zrem(default_queue_name, notifications.KICK_JOB_ID)

    await kick_missing(redis)

    assert await Job(notifications.KICK_JOB_ID, redis).status() == JobStatus.queued
    assert await redis.zcard(default_queue_name) == 3
