"""`touchpoint worker --burst` sends what falls due and stops, whatever waits for later.

The queue always holds invitations for next week, so a burst worker that waited for an
empty queue would never stop."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Retry, func

from dispatch.burst import HORIZON_SECONDS
from dispatch.eager_worker import EagerWorker


async def burst_until_stopped(redis: ArqRedis, job: Any, *, within: float = 20) -> EagerWorker:
    """A burst worker run to its own end; fails if it has not stopped `within` seconds."""
    worker = EagerWorker(
        functions=[func(job, name="step", keep_result=0)],
        redis_pool=redis,
        handle_signals=False,
        burst=True,
        poll_delay=0.1,
        keep_result=0,
    )
    try:
        await asyncio.wait_for(worker.main(), within)
    finally:
        await worker.close()
    return worker


async def queue(redis_url: str) -> ArqRedis:
    return await create_pool(RedisSettings.from_dsn(redis_url))


async def test_it_sends_what_is_due_and_stops_though_next_week_is_queued(redis_url):
    ran: list[str] = []

    async def step(ctx: dict[str, Any], name: str) -> None:
        ran.append(name)

    redis = await queue(redis_url)
    await redis.enqueue_job("step", "due", _job_id="due")
    await redis.enqueue_job("step", "next week", _job_id="later", _defer_by=timedelta(days=7))

    await burst_until_stopped(redis, step)

    assert ran == ["due"]
    assert await redis.zscore("arq:queue", "later") is not None  # left for the workers


async def test_it_waits_for_a_job_deferred_by_seconds(redis_url):
    tries: list[int] = []

    async def step(ctx: dict[str, Any], name: str) -> None:
        tries.append(ctx["job_try"])
        if len(tries) == 1:
            raise Retry(defer=timedelta(seconds=1))

    redis = await queue(redis_url)
    await redis.enqueue_job("step", "busy customer", _job_id="busy")

    await burst_until_stopped(redis, step)

    assert tries == [1, 2]
    assert await redis.zcard("arq:queue") == 0


async def test_it_waits_for_a_job_falling_due_within_its_horizon(redis_url):
    ran: list[str] = []

    async def step(ctx: dict[str, Any], name: str) -> None:
        ran.append(name)

    redis = await queue(redis_url)
    await redis.enqueue_job("step", "soon", _job_id="soon", _defer_by=timedelta(seconds=1.5))
    beyond = timedelta(seconds=HORIZON_SECONDS + 60)
    await redis.enqueue_job("step", "beyond", _job_id="beyond", _defer_by=beyond)

    await burst_until_stopped(redis, step)

    assert ran == ["soon"]
