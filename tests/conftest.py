"""Shared test fixtures: a migrated database and a real Redis.

The database is SQLite in a temporary folder, or the PostgreSQL named by
TEST_DATABASE_URL (its schema is dropped and migrated afresh once per run). Redis is the
one named by REDIS_URL, or the bundled redis-server started for this run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise, connections

from web.database import connect, migrate
from web.redis import EmbeddedRedis


def _reset_postgres(url: str) -> None:
    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'touchpoint.sqlite3'}"
    asyncio.run(migrate(url))
    return url


async def _empty_tables() -> None:
    conn = connections.get("default")
    tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        statements = "".join(f"DELETE FROM {table};" for table in tables)
        await conn.execute_script(f"PRAGMA foreign_keys=OFF;{statements}PRAGMA foreign_keys=ON;")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """A connected, empty database; yields its URL."""
    await connect(database_url)
    await _empty_tables()
    try:
        yield database_url
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis")))
    try:
        yield server.url
    finally:
        server.shutdown()


@pytest.fixture
async def redis_url(redis_server: str) -> str:
    """A real Redis, emptied for this test."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_server)
    await client.flushdb()
    await client.aclose()
    return redis_server
