"""The chaos story's size and its own servers.

CHAOS_EVENTS sets how many events come in (a short run by default, in the suite; `make
chaos` runs thousands), CHAOS_WORKERS how many workers send, CHAOS_SEED the provider's
dice. The story never uses the suite's database or Redis.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.chaos.cluster import PostgresCluster, unavailable
from tests.chaos.provider import UnreliableTwilio
from tests.chaos.redis_server import RedisServer, redis_binary
from tests.chaos.world import LATE_SECONDS, World


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
    binary = redis_binary()
    if binary is None:
        pytest.skip("the chaos story needs a redis-server binary of its own (apt install redis)")
    server = RedisServer(binary).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def unreliable_twilio(size: dict[str, int]) -> Iterator[UnreliableTwilio]:
    with UnreliableTwilio(seed=size["seed"], late_seconds=LATE_SECONDS) as server:
        yield server


@pytest.fixture
def world(
    postgres: PostgresCluster,
    own_redis: RedisServer,
    unreliable_twilio: UnreliableTwilio,
    size: dict[str, int],
    tmp_path: Path,
) -> Iterator[World]:
    built = World(postgres, own_redis, unreliable_twilio, tmp_path, size["workers"])
    try:
        yield built
    finally:
        built.close()
