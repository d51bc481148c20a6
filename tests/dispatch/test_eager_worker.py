"""A full worker takes the next due job when a slot frees, not at its next poll.

The poll delay is set to a minute, so a worker that waited for its next poll could not
finish within the seconds each test allows."""

from __future__ import annotations

import asyncio
from typing import Any

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import in_progress_key_prefix
from arq.worker import func

from dispatch.eager_worker import EagerWorker
from tests.e2e.faults import eventually

LONG_POLL = 60.0


async def pool(redis_url: str) -> ArqRedis:
    return await create_pool(RedisSettings.from_dsn(redis_url))


def worker_for(redis: ArqRedis, job: Any, *, max_jobs: int) -> EagerWorker:
    return EagerWorker(
        functions=[func(job, name="step", keep_result=0)],
        redis_pool=redis,
        handle_signals=False,
        poll_delay=LONG_POLL,
        max_jobs=max_jobs,
        keep_result=0,
    )


async def test_a_full_worker_takes_the_next_due_job_as_soon_as_a_slot_frees(redis_url):
    done: list[int] = []

    async def step(ctx: dict[str, Any], n: int) -> None:
        await asyncio.sleep(0.05)
        done.append(n)

    redis = await pool(redis_url)
    for n in range(6):
        await redis.enqueue_job("step", n, _job_id=f"step:{n}")
    worker = worker_for(redis, step, max_jobs=2)
    await run_until_complete(worker, 6, within=10)
    assert sorted(done) == list(range(6))


async def test_it_never_runs_more_jobs_at_once_than_its_slots(redis_url):
    at_once, most = 0, 0

    async def step(ctx: dict[str, Any], n: int) -> None:
        nonlocal at_once, most
        at_once += 1
        most = max(most, at_once)
        # Long enough that a slot's job still runs while the others are taken, however
        # slowly a loaded machine answers the round trips of taking them.
        await asyncio.sleep(0.2)
        at_once -= 1

    redis = await pool(redis_url)
    for n in range(30):
        await redis.enqueue_job("step", n, _job_id=f"step:{n}")
    worker = worker_for(redis, step, max_jobs=3)
    await run_until_complete(worker, 30, within=20)
    assert most == 3

    # arq counts a job complete just before it takes it off the queue.
    async def queue_empty() -> bool:
        return not await redis.zcard("arq:queue")

    await eventually(queue_empty, within=5, what="the queue is empty")


async def test_an_idle_worker_reads_the_queue_at_its_poll_pace(redis_url):
    """Nothing due: one read of the queue at start, then none until the next poll."""
    redis = await pool(redis_url)
    worker = worker_for(redis, nothing, max_jobs=2)
    before = await queue_reads(redis)
    running = asyncio.create_task(worker.main())
    await asyncio.sleep(1.0)
    running.cancel()
    await asyncio.gather(running, return_exceptions=True)
    await worker.close()
    assert await queue_reads(redis) - before == 1


async def test_a_job_is_taken_once_with_arqs_in_progress_mark(redis_url):
    """One script call checks and marks, as arq's transaction did: a job running elsewhere,
    gone from the queue or not yet due is left alone, and its slot is given back."""
    redis = await pool(redis_url)
    await redis.enqueue_job("step", 1, _job_id="due")
    await redis.enqueue_job("step", 2, _job_id="elsewhere")
    await redis.enqueue_job("step", 3, _job_id="later", _defer_by=60)
    await redis.psetex(in_progress_key_prefix + "elsewhere", 60_000, b"1")

    running, finish = asyncio.Event(), asyncio.Event()

    async def step(ctx: dict[str, Any], n: int) -> None:
        running.set()
        await finish.wait()

    worker = worker_for(redis, step, max_jobs=5)
    try:
        await worker.start_jobs([b"due", b"elsewhere", b"later", b"gone"])
        await asyncio.wait_for(running.wait(), 5)
        assert set(worker.tasks) == {"due"}
        assert worker.job_counter == 1
        marked = await redis.pttl(in_progress_key_prefix + "due")
        assert 0 < marked <= worker.in_progress_timeout_s * 1000
        assert not await redis.exists(in_progress_key_prefix + "later")
        finish.set()
        await asyncio.gather(*worker.tasks.values())
        assert worker.jobs_complete == 1 and worker.job_counter == 0
        assert await redis.zrange("arq:queue", 0, -1) == [b"elsewhere", b"later"]
    finally:
        await worker.close()


async def run_until_complete(worker: EagerWorker, jobs: int, *, within: float) -> None:
    """Runs the worker until it completed `jobs` jobs; fails after `within` seconds (far
    less than its poll delay)."""
    running = asyncio.create_task(worker.main())
    try:
        async with asyncio.timeout(within):
            while worker.jobs_complete < jobs:
                await asyncio.sleep(0.02)
                assert not running.done()
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        # arq counts a job complete before it takes it off the queue: the last jobs may
        # still be finishing, and closing the worker would cancel them mid-write.
        if worker.tasks:
            await asyncio.wait(list(worker.tasks.values()), timeout=5)
        await worker.close()


async def nothing(ctx: dict[str, Any]) -> None:
    return None


async def queue_reads(redis: ArqRedis) -> int:
    """How many times the Redis server was asked for due jobs, by its own count."""
    stats = await redis.info("commandstats")
    return int(stats.get("cmdstat_zrangebyscore", {}).get("calls", 0))
