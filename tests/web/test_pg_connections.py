"""PostgreSQL connections go back to the pool without the reset statement, yet a
transaction left open is still rolled back."""

from __future__ import annotations

import os

import asyncpg
import pytest

from web.database import tortoise_config
from web.pg_connections import PooledConnection, connection_settings

POSTGRES = os.environ.get("TEST_DATABASE_URL", "")


def test_postgresql_connections_are_pooled_without_the_reset_statement():
    config = tortoise_config("postgres://touchpoint@db.internal:5432/touchpoint")
    default = config["connections"]["default"]

    assert default["engine"] == "tortoise.backends.asyncpg"
    assert default["credentials"]["connection_class"] is PooledConnection
    assert default["credentials"]["database"] == "touchpoint"


def test_sqlite_is_left_as_its_url():
    assert connection_settings("sqlite:///tmp/t.sqlite3") == "sqlite:///tmp/t.sqlite3"


@pytest.mark.skipif(not POSTGRES.startswith("postgres"), reason="needs TEST_DATABASE_URL")
async def test_a_transaction_left_open_is_rolled_back_on_release(db):
    dsn = POSTGRES.replace("postgres://", "postgresql://", 1)
    pool = await asyncpg.create_pool(dsn, min_size=1, max_size=1, connection_class=PooledConnection)
    try:
        async with pool.acquire() as conn:
            await conn.execute("BEGIN")
            await conn.execute(
                "INSERT INTO journey (key, name, version, timezone, active,"
                " created_at, updated_at) VALUES ('left-open', 'x', 1, 'UTC',"
                " true, now(), now())"
            )
        async with pool.acquire() as conn:  # the same one connection
            assert not conn.is_in_transaction()
            assert await conn.fetchval("SELECT count(*) FROM journey") == 0
    finally:
        await pool.close()
