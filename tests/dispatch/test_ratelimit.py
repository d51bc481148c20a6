"""The per-sender rate limit on a real Redis: the schedule of slots it grants, in segments.

No test here sleeps: each asks for slots and reads the wait each was given, which is what a
send sleeps before it goes. A wait counts from the moment Redis was asked, so a busy machine
that takes a while over a hundred requests gets shorter waits; `slots` adds back the time
spent asking, so the tests compare when each slot starts. Two limiters on two connections
stand for two workers. The shop's long code sends one segment a second; its short code a hundred.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from itertools import pairwise

import pytest
from redis.asyncio import Redis

from dispatch.ratelimit import SenderBusy, SenderRateLimit

LONG_CODE = "+15005550006"
SHORT_CODE = "72345"
#: Slack for the few milliseconds between two requests to Redis in one test.
SLACK = 0.1

Factory = Callable[..., SenderRateLimit]


@pytest.fixture
async def limiter(redis_url: str) -> AsyncIterator[Factory]:
    """Builds limiters, each on a Redis connection of its own, as separate workers have."""
    clients: list[Redis] = []

    def build(
        sender: str = LONG_CODE, per_second: float = 1.0, **options: float
    ) -> SenderRateLimit:
        client = Redis.from_url(redis_url)
        clients.append(client)
        return SenderRateLimit(client, sender, per_second, **options)

    yield build
    for client in clients:
        await client.aclose()


async def slots(limit: SenderRateLimit, count: int, segments: int = 1) -> list[float]:
    """When each of `count` slots starts, in seconds after the first was asked for: the time
    spent asking (read before each request) plus the wait the limiter gave."""
    origin = time.monotonic()
    return [time.monotonic() - origin + await limit.reserve(segments) for _ in range(count)]


def spaced(waits: list[float], step: float) -> bool:
    """Each wait is one step after the one before, give or take the slack."""
    return all(abs(b - a - step) < SLACK for a, b in pairwise(waits))


async def test_the_first_send_goes_at_once_and_the_next_one_a_second_later(limiter):
    long_code = limiter()

    starts = await slots(long_code, 5)

    assert starts[0] == pytest.approx(0, abs=SLACK)
    assert spaced(starts, 1.0)
    assert starts[-1] == pytest.approx(4.0, abs=SLACK)


async def test_two_workers_share_one_schedule_for_one_sender(limiter):
    first, second = limiter(), limiter()

    waits = [await worker.reserve(1) for worker in (first, second, first, second)]

    assert spaced(waits, 1.0)
    assert waits[-1] == pytest.approx(3.0, abs=SLACK)


async def test_it_counts_segments_not_messages(limiter):
    long_code = limiter(per_second=2.0)

    three_segments = await long_code.reserve(3)
    after_it = await long_code.reserve(1)

    assert three_segments == 0
    assert after_it == pytest.approx(1.5, abs=SLACK)


async def test_each_sender_has_its_own_limit(limiter):
    long_code, short_code = limiter(LONG_CODE, 1.0), limiter(SHORT_CODE, 100.0)
    await long_code.reserve(10)

    assert await short_code.reserve(1) == 0
    assert await short_code.reserve(1) == pytest.approx(0.01, abs=SLACK / 10)


async def test_a_short_code_grants_a_hundred_segments_in_a_second(limiter):
    short_code = limiter(SHORT_CODE, 100.0)

    starts = await slots(short_code, 101)

    assert starts[99] < 1.0
    assert starts[100] == pytest.approx(1.0, abs=SLACK)


async def test_a_send_that_would_wait_too_long_takes_no_slot_and_is_retried(limiter):
    long_code = limiter(max_wait=5.0)
    await long_code.reserve(6)

    with pytest.raises(SenderBusy) as busy:
        await long_code.reserve(1)

    assert busy.value.permanent is False
    assert busy.value.wait_seconds == pytest.approx(6.0, abs=SLACK)
    assert f"sender {LONG_CODE} is at its rate limit" in busy.value.reason
    # The refused send took nothing: the next one is still six seconds away, not seven.
    with pytest.raises(SenderBusy) as again:
        await long_code.reserve(1)
    assert again.value.wait_seconds == pytest.approx(6.0, abs=SLACK)


async def test_acquire_sleeps_until_the_slot_and_nothing_is_free_meanwhile(limiter):
    short_code = limiter(SHORT_CODE, 100.0)

    for _ in range(3):
        await short_code.acquire(1)

    # Three slots of 10 ms were taken and slept through; the fourth is at most one away.
    assert await short_code.reserve(1) <= 0.01 + SLACK / 10


async def test_nothing_to_send_takes_no_slot(limiter):
    long_code = limiter()

    assert await long_code.reserve(0) == 0
    assert await long_code.reserve(1) == 0


def test_a_rate_must_be_positive(limiter):
    with pytest.raises(ValueError, match="per_second must be positive"):
        limiter(per_second=0)
