"""Every web process knows the blocked addresses without asking Redis per page: a block
made in one reaches the others over pub/sub, a process starting later reads the blocks in
force, and a process that lost Redis says it cannot tell, so the throttle asks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import ConnectionPool, Redis

from tests.chaos.redis_server import redis_of_its_own
from tests.e2e.faults import eventually
from web.token_blocks import TokenBlocks

ALLOWED, WINDOW = 3, 600
GUESSER, NEIGHBOUR = "203.0.113.5", "203.0.113.6"


@asynccontextmanager
async def web_process(url: str, database: int | None = None) -> AsyncIterator[TokenBlocks]:
    """One web process's view: its own Redis client and listener, following the blocks."""
    redis = client(url, database)
    blocks = TokenBlocks(redis)
    blocks.start()
    try:
        await eventually(lambda: blocks.subscribed, within=10, what="subscribed")
        yield blocks
    finally:
        await blocks.stop()
        await redis.aclose()


def client(url: str, database: int | None = None) -> Redis:
    """A client of the server at `url`, on another of its databases if given."""
    pool = ConnectionPool.from_url(url)
    if database is not None:
        pool.connection_kwargs["db"] = database
    return Redis.from_pool(pool)


async def guess(blocks: TokenBlocks, times: int) -> list[int]:
    return [await blocks.count_miss(GUESSER, ALLOWED, WINDOW) for _ in range(times)]


async def test_a_block_made_in_one_process_reaches_the_others(redis_url):
    async with web_process(redis_url) as first, web_process(redis_url) as second:
        assert await guess(first, ALLOWED - 1) == [1, 2]
        assert second.wait_seconds(GUESSER) == 0

        assert await guess(first, 1) == [ALLOWED]

        assert 1 <= first.wait_seconds(GUESSER) <= WINDOW  # the process that counted it
        await eventually(
            lambda: second.wait_seconds(GUESSER) > 0, within=10, what="blocked in the second"
        )
        assert second.wait_seconds(GUESSER) <= WINDOW
        assert second.wait_seconds(NEIGHBOUR) == first.wait_seconds(NEIGHBOUR) == 0


async def test_a_process_starting_later_reads_the_blocks_in_force(redis_url):
    async with web_process(redis_url) as first:
        await guess(first, ALLOWED)

    async with web_process(redis_url) as later:
        assert 1 <= later.wait_seconds(GUESSER) <= WINDOW
        assert later.wait_seconds(NEIGHBOUR) == 0


async def test_a_block_ends_with_the_window_of_misses(redis_url):
    async with web_process(redis_url) as first, web_process(redis_url) as second:
        for blocks in (first, second):
            await blocks.count_miss(GUESSER, 1, window_seconds=1)
        assert first.wait_seconds(GUESSER) == 1

        await eventually(lambda: first.wait_seconds(GUESSER) == 0, within=3, what="unblocked")
        await eventually(lambda: second.wait_seconds(GUESSER) == 0, within=3, what="unblocked")


async def test_installations_on_other_databases_of_one_server_do_not_block_each_other(
    redis_url,
):
    database = client(redis_url).connection_pool.connection_kwargs.get("db", 0)
    other = (database + 1) % 16
    async with client(redis_url, other) as theirs_redis:
        await theirs_redis.delete("touchpoint:token-blocked")
    async with web_process(redis_url) as ours, web_process(redis_url, other) as theirs:
        assert ours.channel != theirs.channel
        await guess(ours, ALLOWED)
        await guess(ours, 1)  # a block announced twice is still one block

        await asyncio.sleep(0.2)
        assert ours.wait_seconds(GUESSER) > 0
        assert theirs.wait_seconds(GUESSER) == 0


async def test_without_redis_a_process_cannot_tell_and_after_it_follows_again():
    with redis_of_its_own("this test") as server:
        async with web_process(server.url) as blocks:
            server.halt()
            await eventually(lambda: not blocks.subscribed, within=10, what="unsubscribed")
            assert blocks.wait_seconds(GUESSER) is None  # the throttle asks Redis, or lets by

            server.start()  # empty, as a restart without persistence leaves it
            await eventually(lambda: blocks.subscribed, within=10, what="subscribed again")
            assert blocks.wait_seconds(GUESSER) == 0
            async with web_process(server.url) as other:
                await guess(other, ALLOWED)
            await eventually(
                lambda: (blocks.wait_seconds(GUESSER) or 0) > 0, within=10, what="blocked"
            )
