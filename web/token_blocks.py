"""The addresses refused survey links right now, known in every web process at once.

The token throttle (web/token_throttle.py) used to ask Redis on every survey, resolution
and unsubscribe page whether the client's address had missed too often: a round trip on
the pages customers open most, for the rare guesser. Now each web process keeps the
blocked addresses in memory and is told of a new one by Redis pub/sub: the miss that takes
an address to its limit is counted, the address added to a sorted set of blocks (its score
the end of the window) and announced on a channel, in one script call. A process that
starts, or whose subscription broke and came back, subscribes first and then reads the
sorted set, so it misses no block made meanwhile.

While a process is not subscribed (starting, Redis away or restarting), `wait_seconds`
says so and the throttle asks Redis per request, as before. A block reaches the other
processes within a Redis round trip of the miss that made it; a guesser spread over them
gains at most the requests already in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time

from redis.asyncio import Redis
from redis.exceptions import RedisError

PREFIX = "touchpoint:token-misses"
BLOCKED = "touchpoint:token-blocked"
#: Pub/sub channels are shared by all of a Redis server's databases: the database is part
#: of the name, so two installations on one server do not block each other's customers.
CHANNEL = "touchpoint:token-blocks:{db}"
#: How long the listener waits before subscribing again after Redis went away.
RESUBSCRIBE_SECONDS = 1.0

log = logging.getLogger("touchpoint.token_throttle")

#: KEYS: the address's miss count, the blocks; ARGV: the window in seconds, the misses
#: allowed, the address, the channel. Counts the miss; at the limit, blocks the address
#: until the count's window ends (the set's score: Redis's clock, in milliseconds) and
#: announces it with the milliseconds left, so no process's clock need agree with Redis's.
#: Returns the count and the window left in milliseconds.
_COUNT_MISS = """
local misses = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if misses >= tonumber(ARGV[2]) then
  local now = redis.call('TIME')
  local ends = now[1] * 1000 + math.floor(now[2] / 1000) + left
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now[1] * 1000)
  redis.call('ZADD', KEYS[2], ends, ARGV[3])
  if redis.call('PTTL', KEYS[2]) < left then redis.call('PEXPIRE', KEYS[2], left) end
  redis.call('PUBLISH', ARGV[4], ARGV[3] .. ' ' .. left)
end
return {misses, left}
"""


class TokenBlocks:
    """One web process's view of the blocked addresses, kept by a listener task."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.channel = CHANNEL.format(db=redis.connection_pool.connection_kwargs.get("db", 0))
        #: address -> the end of its block, in seconds since the epoch
        self._until: dict[str, float] = {}
        self._subscribed = False
        self._listener: asyncio.Task[None] | None = None
        self._count_miss = redis.register_script(_COUNT_MISS)

    def start(self) -> None:
        """Start listening, once; called by the throttle on the first link it sees, so a
        process that serves no link (a worker) never subscribes."""
        if self._listener is None:
            self._listener = asyncio.get_running_loop().create_task(self._listen())

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        self._subscribed = False

    @property
    def subscribed(self) -> bool:
        return self._subscribed

    def wait_seconds(self, address: str) -> int | None:
        """Seconds `address` must wait (0: none), or None when this process is not
        subscribed and cannot tell without asking Redis."""
        if not self._subscribed:
            return None
        until = self._until.get(address)
        if until is None:
            return 0
        left = until - time.time()
        if left <= 0:
            self._until.pop(address, None)
            return 0
        return max(1, math.ceil(left))

    async def ask(self, address: str, allowed: int) -> int:
        """Seconds `address` must wait, asked of Redis (for a process not subscribed); 0
        while it has missed fewer than `allowed` times in its window."""
        key = f"{PREFIX}:{address}"
        misses = await self.redis.get(key)
        if misses is None or int(misses) < allowed:
            return 0
        left = await self.redis.pttl(key)
        return max(1, -(-left // 1000))

    async def count_miss(self, address: str, allowed: int, window_seconds: int) -> int:
        """Count an unknown link from `address`; at the limit, block it everywhere.
        Returns the address's misses in this window."""
        keys = [f"{PREFIX}:{address}", BLOCKED]
        args = [window_seconds, allowed, address, self.channel]
        misses, left_ms = await self._count_miss(keys=keys, args=args)
        if int(misses) >= allowed:
            self._block(address, time.time() + int(left_ms) / 1000)
        return int(misses)

    def _block(self, address: str, until: float) -> None:
        now = time.time()
        if len(self._until) > 10_000:  # many guessers at once: forget the ended blocks
            self._until = {a: u for a, u in self._until.items() if u > now}
        if until > now:
            self._until[address] = max(until, self._until.get(address, 0.0))

    async def _listen(self) -> None:
        while True:
            try:
                await self._follow()
            except (OSError, RedisError) as error:  # TimeoutError is an OSError
                if self._subscribed:
                    log.warning("blocked addresses not followed, Redis went away: %r", error)
            except Exception:  # never a dead listener that still says it follows
                log.exception("blocked addresses not followed; subscribing again")
            self._subscribed = False
            await asyncio.sleep(RESUBSCRIBE_SECONDS)

    async def _follow(self) -> None:
        async with self.redis.pubsub() as pubsub:
            await pubsub.subscribe(self.channel)
            # The subscription is confirmed before the set is read: a block made between
            # the two is in the set, in a message, or both, never in neither.
            while await pubsub.get_message(timeout=5.0) is None:
                pass
            seconds, micros = await self.redis.time()
            redis_ms = seconds * 1000 + micros // 1000
            blocks = await self.redis.zrangebyscore(BLOCKED, redis_ms, "+inf", withscores=True)
            now = time.time()
            for address, until_ms in blocks:
                self._block(address.decode(), now + (until_ms - redis_ms) / 1000)
            self._subscribed = True
            async for message in pubsub.listen():
                if message["type"] == "message":
                    address, left_ms = message["data"].decode().rsplit(" ", 1)
                    self._block(address, time.time() + float(left_ms) / 1000)
