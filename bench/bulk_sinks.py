"""Where bulk rows go: COPY on PostgreSQL, executemany on SQLite, through the drivers.

Both drop the secondary indexes of the tables written before the load and make them again
from their own stored definitions afterwards (a B-tree built once from sorted rows instead
of one random insert per row into each of a dozen indexes), so the indexes at the end are
exactly those the migrations made. The definitions are kept in a table of their own until
they are made again, so the next build after one stopped half-way makes them at its end.
Foreign keys are not checked row by row during the copy (the rows are made consistent by
`bulk_rows`); the primary and unique keys are, as they stay in place.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

#: Where the dropped indexes' definitions wait to be made again.
KEPT = "bench_dropped_index"


class Sink(Protocol):
    async def largest_ids(self, tables: Sequence[str]) -> dict[str, int]: ...
    async def drop_indexes(self, tables: Sequence[str]) -> None: ...
    async def write(
        self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]
    ) -> None: ...
    async def make_indexes(self) -> None: ...
    async def close(self) -> None: ...


class PostgresSink:
    def __init__(self, conn: Any, url: str) -> None:
        self.conn, self.url = conn, url

    @classmethod
    async def open(cls, url: str) -> PostgresSink:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        sink = cls(conn, url)
        try:  # no foreign key triggers per copied row (a superuser's right)
            await conn.execute("SET session_replication_role = replica")
        except asyncpg.InsufficientPrivilegeError:
            pass
        await conn.execute("SET maintenance_work_mem = '256MB'")
        # The indexes are made two at a time over two connections (`make_indexes`).
        await conn.execute("SET max_parallel_maintenance_workers = 0")
        return sink

    async def largest_ids(self, tables: Sequence[str]) -> dict[str, int]:
        return {
            t: await self.conn.fetchval(f"SELECT COALESCE(MAX(id), 0) FROM {t}") for t in tables
        }

    async def drop_indexes(self, tables: Sequence[str]) -> None:
        if await self.conn.fetchval("SELECT to_regclass($1) IS NOT NULL", KEPT):
            return  # a build stopped before it made them again: they are still to make
        async with self.conn.transaction():
            await self.conn.execute(f"CREATE TABLE {KEPT} (name text, definition text)")
            await self.conn.execute(
                f"INSERT INTO {KEPT} SELECT indexname, indexdef FROM pg_indexes i"
                " WHERE schemaname = current_schema() AND tablename = ANY($1::text[])"
                " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                list(tables),
            )
            for (name,) in await self.conn.fetch(f"SELECT name FROM {KEPT}"):
                await self.conn.execute(f'DROP INDEX "{name}"')

    async def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if rows:
            await self.conn.copy_records_to_table(table, records=rows, columns=list(columns))

    async def make_indexes(self, connections: int = 2) -> None:
        """The dropped indexes made again, `connections` at a time (CREATE INDEX on one
        table does not wait for another on the same table), then the id sequences moved
        past the ids written."""
        exists = await self.conn.fetchval("SELECT to_regclass($1) IS NOT NULL", KEPT)
        if not exists:
            return
        waiting = list(await self.conn.fetch(f"SELECT name, definition FROM {KEPT}"))
        others = [await PostgresSink.open(self.url) for _ in range(connections - 1)]

        async def make(conn: Any) -> None:
            while waiting:
                name, definition = waiting.pop()
                await conn.execute(_if_not_exists(definition))
                await conn.execute(f"DELETE FROM {KEPT} WHERE name = $1", name)

        try:
            await asyncio.gather(*(make(each.conn) for each in [self, *others]))
        finally:
            for each in others:
                await each.close()
        await self.conn.execute(f"DROP TABLE {KEPT}")
        for table in await self._serial_tables():
            await self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" GREATEST((SELECT MAX(id) FROM {table}), 1))"
            )

    async def _serial_tables(self) -> list[str]:
        rows = await self.conn.fetch(
            "SELECT table_name FROM information_schema.columns WHERE table_schema ="
            " current_schema() AND column_name = 'id' AND column_default LIKE 'nextval%'"
        )
        return [row[0] for row in rows]

    async def close(self) -> None:
        await self.conn.close()


class SqliteSink:
    """sqlite3 itself on the database file: one transaction per written batch, the file
    synced only at the end."""

    def __init__(self, path: str) -> None:
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute("PRAGMA cache_size = -262144")  # 256 MiB

    async def largest_ids(self, tables: Sequence[str]) -> dict[str, int]:
        return {
            t: self.db.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
            for t in tables
        }

    async def drop_indexes(self, tables: Sequence[str]) -> None:
        if self._kept():
            return  # a build stopped before it made them again: they are still to make
        marks = ", ".join("?" for _ in tables)
        self.db.execute("BEGIN")
        self.db.execute(f"CREATE TABLE {KEPT} (name TEXT, definition TEXT)")
        self.db.execute(
            f"INSERT INTO {KEPT} SELECT name, sql FROM sqlite_master WHERE type = 'index'"
            f" AND sql IS NOT NULL AND tbl_name IN ({marks})",
            list(tables),
        )
        for (name,) in self.db.execute(f"SELECT name FROM {KEPT}").fetchall():
            self.db.execute(f'DROP INDEX "{name}"')
        self.db.execute("COMMIT")

    async def write(self, table: str, columns: Sequence[str], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        marks = ", ".join("?" for _ in columns)
        self.db.execute("BEGIN")
        self.db.executemany(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            [tuple(_lite(v) for v in row) for row in rows],
        )
        self.db.execute("COMMIT")

    async def make_indexes(self) -> None:
        if not self._kept():
            return
        for name, definition in self.db.execute(f"SELECT name, definition FROM {KEPT}").fetchall():
            self.db.execute(_if_not_exists(definition))
            self.db.execute(f"DELETE FROM {KEPT} WHERE name = ?", [name])
        self.db.execute(f"DROP TABLE {KEPT}")

    def _kept(self) -> bool:
        found = self.db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", [KEPT]
        ).fetchone()
        return found is not None

    async def close(self) -> None:
        self.db.close()


def _if_not_exists(definition: str) -> str:
    """An index's stored definition, made again only where it is missing."""
    for start in ("CREATE INDEX", "CREATE UNIQUE INDEX"):
        if definition.startswith(start):
            return start + " IF NOT EXISTS" + definition[len(start) :]
    return definition


def _lite(value: Any) -> Any:
    """What tortoise stores in SQLite for a datetime: ISO text with a space."""
    return value.isoformat(" ") if isinstance(value, datetime) else value


async def open_sink(url: str) -> Sink:
    if url.startswith(("postgres://", "postgresql://")):
        return await PostgresSink.open(url)
    return SqliteSink(url.removeprefix("sqlite://"))
