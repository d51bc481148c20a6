"""How fast a batch of 1000 events goes from HTTP to committed invitations.

Our path: POST /api/v1/events through the whole app (auth, validation, matching, customer
upsert, interaction and invitation rows, one transaction, enqueueing on Redis). The bare
baseline, in the same run and on the same database: the same number of interaction and
invitation rows written with plain multi-row INSERTs and no checks at all. The ratio says
what the product's guarantees cost on top of the unavoidable writes.

Rounds are interleaved (ours, then the baseline, then ours again...) after one warm-up
round of each, so both see the same caches and the same load on a shared machine; the
median of the rounds is reported. Every id and token carries this run's mark, so runs
against a kept database never collide. `--profile` prints where our path spends its time
(pyinstrument, from the `bench` extra).

    .venv/bin/python bench/intake.py [--events 1000] [--rounds 5] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from shop import open_shop  # bench/shop.py: run as python bench/NAME.py
from tortoise import connections

#: This run's mark on event ids and tokens, so runs against a kept database never collide.
RUN = secrets.token_hex(4)


def batch(round_: int, size: int) -> list[dict]:
    occurred = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    return [
        {
            "id": f"{RUN}-r{round_}-e{n}",
            "type": "order.delivered",
            "occurred_at": occurred,
            "customer": {"id": f"c{n}", "phone": f"+1415555{n % 10000:04d}", "locale": "en"},
        }
        for n in range(size)
    ]


class Clock:
    """Wall time, and this process's CPU time (the event loop and SQLite's thread; not the
    PostgreSQL or Redis servers), which a loaded machine disturbs less."""

    def __enter__(self) -> Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_: object) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


async def ours(http: httpx.AsyncClient, key: str, round_: int, size: int) -> Clock:
    events = batch(round_, size)
    with Clock() as clock:
        answer = await http.post(
            "/api/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {key}"}
        )
    assert answer.status_code == 200 and answer.json()["accepted"] == size, answer.text[:300]
    return clock


async def baseline(round_: int, size: int, customer_id: int, touchpoint_id: int) -> Clock:
    """Two multi-row INSERTs in one transaction; the interactions' ids come back with
    RETURNING, as any writer of linked rows needs them."""
    conn = connections.get("default")
    dialect = conn.capabilities.dialect
    now: datetime | str = datetime.now(UTC)
    if dialect != "postgres":
        now = now.isoformat(" ")  # what tortoise itself hands SQLite
    mark = (lambda i: f"${i}") if dialect == "postgres" else (lambda i: "?")
    with Clock() as clock:
        await _bare_writes(conn, mark, now, round_, size, customer_id, touchpoint_id)
    return clock


async def _bare_writes(
    conn: Any,
    mark: Callable[[int], str],
    now: datetime | str,
    round_: int,
    size: int,
    customer_id: int,
    touchpoint_id: int,
) -> None:
    async with conn._in_transaction() as tx:
        rows, values = [], []
        for n in range(size):
            base = len(values)
            rows.append(f"({', '.join(mark(base + i + 1) for i in range(5))}, '{{}}', NOW_)")
            values += [f"{RUN}-b{round_}-e{n}", "order.delivered", now, customer_id, None]
        sql = (
            "INSERT INTO interaction (event_id, type, occurred_at, customer_id, journey_key,"
            " attributes, received_at) VALUES " + ", ".join(rows) + " RETURNING id"
        ).replace("NOW_", "CURRENT_TIMESTAMP")
        ids = await tx.execute_query_dict(sql, values)
        rows, values = [], []
        for n, row in enumerate(ids):
            base = len(values)
            rows.append(
                f"({', '.join(mark(base + i + 1) for i in range(6))}, 1, 'en', 'A', 0,"
                " CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
            values += [f"{RUN}-b{round_}-t{n}", row["id"], touchpoint_id, customer_id, "scheduled"]
            values.append(now)
        await tx.execute_query(
            "INSERT INTO invitation (token, interaction_id, touchpoint_id, customer_id, status,"
            " send_at, journey_version, locale, variant, attempts, created_at, updated_at)"
            " VALUES " + ", ".join(rows),
            values,
        )


async def main(size: int, rounds: int, database_url: str | None, profile: bool) -> None:
    async with open_shop(database_url) as shop:
        await ours(shop.http, shop.key, -1, size)  # warm up: customers exist from here on
        conn = connections.get("default")
        customer = await conn.execute_query_dict("SELECT MIN(id) AS id FROM customer")
        touchpoint = await conn.execute_query_dict("SELECT id FROM touchpoint WHERE key = 'use'")
        ids = customer[0]["id"], touchpoint[0]["id"]
        await baseline(-1, size, *ids)
        if profile:
            await profiled(shop, rounds, size)
            return
        our_times, base_times = [], []
        for r in range(rounds):
            our_times.append(await ours(shop.http, shop.key, r, size))
            base_times.append(await baseline(r, size, *ids))
    ours_s = statistics.median(c.wall for c in our_times)
    base_s = statistics.median(c.wall for c in base_times)
    ours_cpu = statistics.median(c.cpu for c in our_times)
    base_cpu = statistics.median(c.cpu for c in base_times)
    print(f"database        {shop.database}")
    print(f"batch           {size} events, median of {rounds} interleaved rounds")
    print(f"ours            {ours_s * 1000:8.1f} ms  ({size / ours_s:,.0f} events/s)")
    print(f"bare INSERTs    {base_s * 1000:8.1f} ms  ({size / base_s:,.0f} rows/s)")
    print(f"ratio           {ours_s / base_s:8.1f}x")
    print(f"CPU (this process) ours {ours_cpu * 1000:.1f} ms, bare {base_cpu * 1000:.1f} ms")
    print(f"load average    {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


async def profiled(shop: object, rounds: int, size: int) -> None:
    from pyinstrument import Profiler  # the bench extra

    profiler = Profiler(interval=0.0005, async_mode="enabled")
    with profiler:
        for r in range(rounds):
            await ours(shop.http, shop.key, r, size)  # type: ignore[attr-defined]
    print(profiler.output_text(unicode=True, color=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--database-url")
    parser.add_argument("--profile", action="store_true", help="print where our path spends time")
    args = parser.parse_args()
    asyncio.run(main(args.events, args.rounds, args.database_url, args.profile))
