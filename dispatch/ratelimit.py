"""The per-sender rate limit, shared by every worker through Redis, counted in SMS segments.

Carriers and Twilio throttle a sender by segment, not by message: a long code takes about
one segment a second, a short code or a Messaging Service about a hundred. Sending faster
only fills Twilio's queue (and past four hours of backlog, Twilio drops the messages).

The limit is GCRA (the generic cell rate algorithm) without a burst allowance: Redis keeps
one number per sender, the time at which the sender is next free (its "theoretical arrival
time"). A send of n segments takes the next free time and pushes it n intervals further.
The whole step is one Lua script that reads the Redis server's clock (TIME), so the hosts
the workers run on need not agree on the time, and two workers can never take one slot.

A send is given its slot at once and sleeps until then, so the waiting sends of all workers
go out in the order they asked, each at its own time, with one Redis call each and no
polling. A send whose slot is further away than `max_wait` takes no slot and raises
`SenderBusy`, a transient `ChannelError`, so the send task retries it later instead of
holding a worker's job slot (and its job timeout) while it waits.

A slot taken by a send that then crashes is simply lost: the sender sends a little less,
never more.
"""

from __future__ import annotations

import asyncio
import math

from redis.asyncio import Redis

from dispatch.channels.base import ChannelError

KEY_PREFIX = "touchpoint:ratelimit:sender:"

#: KEYS[1] the sender's next free time (µs since the epoch, Redis's clock);
#: ARGV[1] µs one segment takes, ARGV[2] segments, ARGV[3] the longest wait in µs.
#: Returns the wait in µs, negative when it is longer than allowed (nothing was taken).
_TAKE_SLOT = """
if redis.replicate_commands then redis.replicate_commands() end
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local free_at = tonumber(redis.call('GET', KEYS[1]) or '0')
local start = math.max(free_at, now)
local wait = start - now
if wait > tonumber(ARGV[3]) then
  return -math.max(wait, 1)
end
local next_free = start + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], string.format('%d', next_free),
           'PX', math.ceil((next_free - now) / 1000) + 1000)
return wait
"""


class SenderBusy(ChannelError):
    """The sender's next free slot is too far away; the send is retried later."""

    def __init__(self, sender: str, wait_seconds: float) -> None:
        super().__init__(
            f"sender {sender} is at its rate limit for the next {wait_seconds:.0f} s",
            permanent=False,
        )
        self.wait_seconds = wait_seconds


class SenderRateLimit:
    """One sender's segments-per-second limit, the same for every worker on this Redis."""

    def __init__(
        self, redis: Redis, sender: str, per_second: float, *, max_wait: float = 60.0
    ) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.redis = redis
        self.sender = sender
        self.per_second = per_second
        self.max_wait = max_wait
        self.key = KEY_PREFIX + sender
        self._interval_us = max(1, round(1_000_000 / per_second))
        self._script = redis.register_script(_TAKE_SLOT)

    async def reserve(self, segments: int) -> float:
        """Take the sender's next slot for `segments`; the seconds until it starts.

        The caller must wait that long before sending; `acquire` does. Raises `SenderBusy`
        (taking nothing) when the wait would be longer than `max_wait`.
        """
        if segments <= 0:
            return 0.0
        max_wait_us = math.floor(self.max_wait * 1_000_000)
        wait_us = int(
            await self._script(keys=[self.key], args=[self._interval_us, segments, max_wait_us])
        )
        if wait_us < 0:
            raise SenderBusy(self.sender, -wait_us / 1_000_000)
        return wait_us / 1_000_000

    async def acquire(self, segments: int) -> None:
        """Wait until the sender may send `segments` segments, or raise `SenderBusy`."""
        wait = await self.reserve(segments)
        if wait > 0:
            await asyncio.sleep(wait)
