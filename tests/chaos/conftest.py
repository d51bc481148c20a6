"""The chaos story's size and its own servers.

CHAOS_EVENTS sets how many events come in (a short run by default, in the suite; `make
chaos` runs thousands), CHAOS_WORKERS how many workers send, CHAOS_SEED the provider's
dice; CHAOS_LOGS names a folder to keep the processes' logs in (default: pytest's tmp).
The story never uses the suite's database or Redis.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from journeys.loader import load_journey
from journeys.store import apply_journey
from tests.chaos.cluster import PostgresCluster, unavailable
from tests.chaos.provider import UnreliableTwilio
from tests.chaos.redis_server import RedisServer, redis_of_its_own
from tests.chaos.world import LATE_SECONDS, World
from tests.conftest import SHOP_JOURNEY
from web.auth import create_api_key
from web.database import connect, disconnect, migrate


def _setting(name: str, default: int) -> int:
    value = os.environ.get(name, str(default))
    if not value.isdigit() or int(value) < 1:
        raise pytest.UsageError(f"{name} must be a whole number above 0, got {value!r}")
    return int(value)


@pytest.fixture(scope="module")
def size() -> dict[str, int]:
    return {
        "events": _setting("CHAOS_EVENTS", 600),
        "workers": _setting("CHAOS_WORKERS", 3),
        "seed": _setting("CHAOS_SEED", 11),
    }


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    reason = unavailable()
    if reason:
        pytest.skip(f"the chaos story needs a PostgreSQL cluster of its own: {reason}")
    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def own_redis() -> Iterator[RedisServer]:
    with redis_of_its_own("the chaos story") as server:
        yield server


@pytest.fixture
def unreliable_twilio(size: dict[str, int]) -> Iterator[UnreliableTwilio]:
    with UnreliableTwilio(seed=size["seed"], late_seconds=LATE_SECONDS) as server:
        yield server


async def shop_with_a_key(database_url: str) -> str:
    """Migrate, apply the shop's journey, and make the shop's API key."""
    await migrate(database_url)
    await connect(database_url)
    try:
        text = SHOP_JOURNEY.read_text("utf-8")
        await apply_journey(load_journey(text, source=str(SHOP_JOURNEY)), text)
        _, key = await create_api_key("shop")
    finally:
        await disconnect()
    return key


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CHAOS_LOGS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
async def world(
    postgres: PostgresCluster,
    own_redis: RedisServer,
    unreliable_twilio: UnreliableTwilio,
    size: dict[str, int],
    logs: Path,
) -> AsyncIterator[World]:
    key = await shop_with_a_key(postgres.url)
    built = await asyncio.to_thread(
        World, postgres, own_redis, unreliable_twilio, logs, size["workers"], key
    )
    try:
        yield built
    finally:
        built.close()
