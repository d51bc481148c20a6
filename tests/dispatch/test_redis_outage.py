"""A worker rides out a Redis outage: it keeps running, and sends what is queued after."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import suppress
from datetime import UTC, datetime

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool

from dispatch.queue import enqueue_invitations
from dispatch.worker import create_worker
from surveys.models import Invitation, InvitationStatus
from tests.chaos.redis_server import RedisServer, redis_of_its_own
from tests.e2e.faults import deliver_orders, eventually
from tests.stories import ANNA

pytestmark = pytest.mark.slow


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    """A Redis of this test's own, which it stops and starts."""
    with redis_of_its_own("this test") as server:
        yield server


@pytest.fixture
async def pool(own_redis: RedisServer) -> AsyncIterator[ArqRedis]:
    connected = await create_pool(RedisSettings.from_dsn(own_redis.url))
    yield connected
    await connected.aclose()


async def test_a_worker_keeps_running_while_redis_is_away_and_sends_once_it_is_back(
    client, api_key, shop_journey, runtime, own_redis, pool
):
    [invitation_id] = await deliver_orders(client, api_key, [ANNA])
    worker = create_worker(pool, runtime.worker_context(), handle_signals=False, poll_delay=0.05)
    running = asyncio.create_task(worker.async_run())
    try:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(own_redis.halt)
        await asyncio.sleep(1.5)  # polls fail meanwhile
        assert not running.done(), running.exception()
        await asyncio.to_thread(own_redis.start)

        await enqueue_invitations(pool, [(invitation_id, datetime.now(UTC))])

        async def sent() -> bool:
            invitation = await Invitation.get(id=invitation_id)
            return invitation.status == InvitationStatus.SENT

        await eventually(sent, within=20, what="the invitation is sent")
    finally:
        running.cancel()
        with suppress(asyncio.CancelledError):
            await running
    assert worker.job_counter == 0, "a concurrency slot was never given back"
