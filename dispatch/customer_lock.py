"""One customer's sends, one at a time across every worker.

The contact rules read what was already sent to the customer. Two workers deciding for the
same customer at once (an order and a ship survey due in the same minute) would each see
the other's survey as not yet sent, and both would go. A short Redis lock per customer
makes decide-and-send serial per customer, and only per customer, so the queue still runs
at full speed across customers.

The lock expires on its own (after the job timeout and a margin), so a worker killed while
holding it blocks that one customer for seconds, not for good.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis

KEY_PREFIX = "touchpoint:lock:customer:"

#: Delete the lock only if it is still ours: an expired lock may have been taken since.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


@asynccontextmanager
async def customer_lock(redis: Redis, customer_id: int, ttl_seconds: float) -> AsyncIterator[bool]:
    """Yield True when this worker holds the customer's lock, False when another does."""
    key = f"{KEY_PREFIX}{customer_id}"
    token = secrets.token_hex(8)
    taken = await redis.set(key, token, nx=True, px=max(int(ttl_seconds * 1000), 1))
    try:
        yield bool(taken)
    finally:
        if taken:
            await redis.eval(_RELEASE, 1, key, token)
