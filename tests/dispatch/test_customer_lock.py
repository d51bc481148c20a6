"""The per-customer lock on the real Redis: one holder at a time per customer, a release that
only ever removes its own hold, and an expiry that frees a customer whose worker died."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack

import pytest
from redis.asyncio import Redis

from dispatch.customer_lock import KEY_PREFIX, customer_lock

ANNA, BEN = 7, 8
KEY = f"{KEY_PREFIX}{ANNA}"


@pytest.fixture
async def redis(redis_url: str) -> AsyncIterator[Redis]:
    client = Redis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


async def eventually(check: Callable[[], Awaitable[bool]], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "the condition never held"
        await asyncio.sleep(0.01)


async def test_a_second_worker_is_refused_while_the_first_holds_the_customer(redis):
    async with customer_lock(redis, ANNA, 30) as first:
        async with customer_lock(redis, ANNA, 30) as second:
            assert (first, second) == (True, False)
        assert await redis.exists(KEY), "the refused worker must not release the first's hold"
        async with customer_lock(redis, BEN, 30) as other_customer:
            assert other_customer, "another customer's sends are not held up"
    assert not await redis.exists(KEY)
    async with customer_lock(redis, ANNA, 30) as after:
        assert after


async def test_the_lock_expires_after_its_ttl(redis):
    async with customer_lock(redis, ANNA, 30):
        assert 29_000 < await redis.pttl(KEY) <= 30_000


async def test_a_worker_that_died_holding_the_lock_frees_the_customer_when_it_expires(redis):
    dead = AsyncExitStack()  # entered, never left: the worker was killed mid-send
    assert await dead.enter_async_context(customer_lock(redis, ANNA, 0.3))
    async with customer_lock(redis, ANNA, 30) as meanwhile:
        assert not meanwhile

    async def free() -> bool:
        async with customer_lock(redis, ANNA, 30) as taken:
            return taken

    await eventually(free)
    assert not await redis.exists(KEY)


async def test_a_late_release_leaves_the_next_holders_lock_alone(redis):
    async with AsyncExitStack() as slow, AsyncExitStack() as next_worker:
        assert await slow.enter_async_context(customer_lock(redis, ANNA, 0.2))
        slow_token = await redis.get(KEY)
        await eventually(lambda: _gone(redis))  # the slow send outlived its lock
        assert await next_worker.enter_async_context(customer_lock(redis, ANNA, 30))
        next_token = await redis.get(KEY)
        assert next_token != slow_token

        await slow.aclose()  # the slow worker finishes and releases

        assert await redis.get(KEY) == next_token
        async with customer_lock(redis, ANNA, 30) as third:
            assert not third
        await next_worker.aclose()
        assert not await redis.exists(KEY)


async def _gone(redis: Redis) -> bool:
    return not await redis.exists(KEY)
