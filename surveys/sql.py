"""Hand-written SQL for the review: one text for SQLite and PostgreSQL alike.

The review's figures are a few grouped counts over many rows, which the ORM would build
and read back as objects; written out they are one statement each, read as plain tuples.
Statements are written with `?` placeholders (SQLite's) and numbered for asyncpg here, so a
query reads the same in every module that writes one. Times are compared as the drivers
store them: aware UTC datetimes, which tortoise writes to SQLite as ISO text that sorts in
time order.

The review may read from a replica (TOUCHPOINT_REPORTS_DATABASE_URL, registered as the
tortoise connection `reports`): code that reads for a report runs inside `reading_reports()`,
and then these statements, and the ORM's reads through web.database's router, go there.
Outside it, and for every write, the main database answers, so a page that has just saved
something reads it back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from tortoise import connections
from tortoise.backends.base.client import BaseDBAsyncClient

#: The tortoise connection that reports read from when one is configured.
REPORTS = "reports"

_reading_reports: ContextVar[bool] = ContextVar("reading_reports", default=False)
#: Whether this process opened a reports connection (set by web.database).
_reports_connected = False


def use_reports_connection(connected: bool) -> None:
    global _reports_connected
    _reports_connected = connected


def reports_connected() -> bool:
    return _reports_connected


@contextmanager
def reading_reports() -> Iterator[None]:
    """Reads made inside go to the reports connection, when one is configured."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


def reads_reports() -> bool:
    """True inside `reading_reports()` when a separate reports connection is open."""
    return _reports_connected and _reading_reports.get()


def connection() -> BaseDBAsyncClient:
    """Where a statement read now goes: the reports connection while reading for a report."""
    return connections.get(REPORTS if reads_reports() else "default")


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
