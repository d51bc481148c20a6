"""Failed sign-ins slow the next ones down, per account and per client address.

Counted in Redis, so the count holds across web processes. Within a window (15 minutes by
default) the first `allowed` failures cost nothing; each one after locks sign-in for twice
as long as the one before, from 30 seconds up to the window. A client address may fail four
times as often as an account, because many people may share one (an office behind NAT).
A success clears the account's count, not the address's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from redis.asyncio import Redis

PREFIX = "touchpoint:sign-in"
FIRST_LOCK_SECONDS = 30
ADDRESS_FACTOR = 4


def lock_seconds(failures: int, allowed: int, longest: int) -> int:
    """How long sign-in stays locked after the `failures`-th failure in the window."""
    if failures < allowed:
        return 0
    return min(FIRST_LOCK_SECONDS * 2 ** min(failures - allowed, 16), longest)


@dataclass(frozen=True)
class SignInThrottle:
    redis: Redis
    allowed: int
    window_seconds: int

    def _keys(self, email: str, address: str) -> list[tuple[str, int]]:
        account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
        return [
            (f"{PREFIX}:account:{account}", self.allowed),
            (f"{PREFIX}:address:{address}", self.allowed * ADDRESS_FACTOR),
        ]

    async def wait_seconds(self, email: str, address: str) -> int:
        """Seconds until this account may try again from this address; 0 means now."""
        waits = [await self.redis.pttl(f"{key}:lock") for key, _ in self._keys(email, address)]
        longest = max(waits)
        return 0 if longest <= 0 else -(-longest // 1000)

    async def failed(self, email: str, address: str) -> int:
        """Count a failure; returns the seconds sign-in is now locked for (0: not locked)."""
        wait = 0
        for key, allowed in self._keys(email, address):
            failures = await self.redis.incr(key)
            if failures == 1:
                await self.redis.expire(key, self.window_seconds)
            seconds = lock_seconds(failures, allowed, self.window_seconds)
            if seconds:
                await self.redis.set(f"{key}:lock", 1, ex=seconds)
            wait = max(wait, seconds)
        return wait

    async def succeeded(self, email: str, address: str) -> None:
        account_key, _ = self._keys(email, address)[0]
        await self.redis.delete(account_key, f"{account_key}:lock")


def describe_wait(seconds: int) -> str:
    """ "30 seconds", "2 minutes": how long the sign-in page says to wait."""
    if seconds < 90:
        return f"{seconds} second{'s' * (seconds != 1)}"
    minutes = -(-seconds // 60)
    return f"{minutes} minutes"
