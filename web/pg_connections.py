"""PostgreSQL connections that go back to the pool without a reset statement.

asyncpg's pool sends `SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL`
whenever a connection is released, so each statement tortoise runs outside a transaction
costs two round trips. Touchpoint never leaves anything for that statement to undo: it
takes no session advisory locks, opens no cursor outside a transaction, never LISTENs and
never SETs a session variable. So the reset statement is dropped. A transaction left open
is still rolled back on release (asyncpg does that whatever the reset statement says).
"""

from __future__ import annotations

from typing import Any

import asyncpg
from tortoise.backends.base.config_generator import expand_db_url

ASYNCPG_ENGINE = "tortoise.backends.asyncpg"


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]
    def get_reset_query(self) -> str:
        return ""


def connection_settings(database_url: str) -> str | dict[str, Any]:
    """The tortoise connection for a database URL: PostgreSQL's with `PooledConnection`."""
    config = expand_db_url(database_url)
    if config["engine"] != ASYNCPG_ENGINE:
        return database_url
    config["credentials"]["connection_class"] = PooledConnection
    return config
