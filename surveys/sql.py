"""Hand-written SQL for the review: one text for SQLite and PostgreSQL alike.

The review's figures are a few grouped counts over many rows, which the ORM would build
and read back as objects; written out they are one statement each, read as plain tuples.
Statements are written with `?` placeholders (SQLite's) and numbered for asyncpg here, so a
query reads the same in every module that writes one. Times are compared as the drivers
store them: aware UTC datetimes, which tortoise writes to SQLite as ISO text that sorts in
time order.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient


def connection() -> BaseDBAsyncClient:
    return connections.get("default")


def dialect(client: BaseDBAsyncClient | None = None) -> str:
    """sqlite or postgres."""
    return (client or connection()).capabilities.dialect


def numbered(sql: str, client: BaseDBAsyncClient | None = None) -> str:
    """`?` placeholders as `$1, $2, ...` for PostgreSQL; the SQL holds no literal `?`."""
    if dialect(client) != "postgres":
        return sql
    parts = sql.split("?")
    return "".join(f"{part}${i}" for i, part in enumerate(parts[:-1], start=1)) + parts[-1]


async def fetch_all(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Every row of a statement, as tuples."""
    client = connection()
    _, rows = await client.execute_query(numbered(sql, client), list(params))
    return [tuple(row) for row in rows]


async def fetch_batches(
    sql: str, params: Sequence[Any] = (), *, key_index: int = 0, size: int = 1000
) -> AsyncIterator[list[tuple[Any, ...]]]:
    """Rows in batches by keyset paging, so memory does not grow with the rows.

    `sql` must select the key (an increasing id) at `key_index`, end its WHERE clause with
    `AND <key> > ?` and be followed by nothing but `ORDER BY <key> LIMIT ?`, written by the
    caller: the key's last value and `size` are appended to `params` for each batch.
    """
    last: Any = 0
    while True:
        rows = await fetch_all(sql, [*params, last, size])
        if not rows:
            return
        yield rows
        if len(rows) < size:
            return
        last = rows[-1][key_index]
