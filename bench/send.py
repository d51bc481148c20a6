"""How fast the worker's job sends invitations, and what its guarantees cost.

Our path: `send_invitation`, the arq job itself, for each of N due invitations, 20 at a
time as one worker runs them: the claim, the customer's lock on Redis, the opt-out check,
the contact rules (history and competing invitations read from the database), rendering,
the message row, the console channel, and the outcome. The bare baseline, in the same run
on the same database: per invitation, what any sender must do (claim UPDATE, the
invitation and its customer read, message INSERT, sent UPDATE), 20 at a time, with
nothing checked. Rounds alternate ours and the baseline; the median is reported.

It also counts one send's round trips: SQL statements (tortoise's query log), connection
resets (asyncpg's pool resets a connection each time one is given back) and Redis round
trips (commands or pipelines sent; a Lua script is one).

    .venv/bin/python bench/send.py [--invitations 500] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
from redis.asyncio.connection import AbstractConnection
from rounds import Run, interleaved, medians  # bench/: run as python bench/NAME.py
from shop import open_shop

from dispatch.models import Message
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus

RUN = secrets.token_hex(3)
CONCURRENCY = 20


async def due_invitations(http: httpx.AsyncClient, key: str, tag: str, size: int) -> list[int]:
    occurred = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    events = [
        {
            "id": f"{RUN}-{tag}-{n}",
            "type": "order.delivered",
            "occurred_at": occurred,
            "customer": {"id": f"{RUN}-{tag}-c{n}", "phone": f"+1415555{n % 10000:04d}"},
        }
        for n in range(size)
    ]
    answer = await http.post(
        "/api/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 200, answer.text[:300]
    return [i["id"] for r in answer.json()["results"] for i in r["invitations"]]


async def in_parallel(ids: list[int], send: Callable[[int], Awaitable[None]]) -> float:
    queue = list(ids)

    async def lane() -> None:
        while queue:
            await send(queue.pop())

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(CONCURRENCY)))
    return time.perf_counter() - started


async def bare_send(invitation_id: int) -> None:
    now = datetime.now(UTC)
    claimed = await Invitation.filter(
        id=invitation_id, status=InvitationStatus.SCHEDULED, send_at__lte=now
    ).update(status=InvitationStatus.SENDING)
    assert claimed == 1
    invitation = await Invitation.filter(id=invitation_id).select_related("customer").get()
    await Message.create(
        invitation_id=invitation_id,
        channel="console",
        recipient=invitation.customer.phone,
        body="Hi",
    )
    await Invitation.filter(id=invitation_id).update(status=InvitationStatus.SENT, sent_at=now)


@dataclass
class RoundTrips:
    statements: int = 0
    resets: int = 0
    redis: int = 0


class _Statements(logging.Handler):
    def __init__(self, trips: RoundTrips) -> None:
        super().__init__(logging.DEBUG)
        self.trips = trips

    def emit(self, record: logging.LogRecord) -> None:
        if not record.getMessage().startswith(("Created", "Closed")):
            self.trips.statements += 1


@contextmanager
def counting(trips: RoundTrips) -> Iterator[None]:
    """Counts statements through tortoise's query log, and asyncpg's connection resets and
    redis-py's sends by wrapping the libraries' own methods for the while."""
    logger = logging.getLogger("tortoise.db_client")
    handler, level = _Statements(trips), logger.level
    reset = asyncpg.connection.Connection.reset
    send = AbstractConnection.send_packed_command

    async def counted_reset(self: asyncpg.Connection, **kwargs: Any) -> None:
        trips.resets += 1
        await reset(self, **kwargs)

    async def counted_send(self: AbstractConnection, *args: Any, **kwargs: Any) -> None:
        trips.redis += 1
        await send(self, *args, **kwargs)

    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    asyncpg.connection.Connection.reset = counted_reset  # type: ignore[method-assign]
    AbstractConnection.send_packed_command = counted_send  # type: ignore[method-assign]
    try:
        yield
    finally:
        asyncpg.connection.Connection.reset = reset  # type: ignore[method-assign]
        AbstractConnection.send_packed_command = send  # type: ignore[method-assign]
        logger.removeHandler(handler)
        logger.setLevel(level)


async def per_send(ids: list[int], send: Callable[[int], Awaitable[None]]) -> dict[str, float]:
    """The round trips of one send, averaged over `ids` sent one after the other."""
    trips = RoundTrips()
    with counting(trips):
        for invitation_id in ids:
            await send(invitation_id)
    return {name: count / len(ids) for name, count in vars(trips).items()}


async def main(size: int, rounds: int, database_url: str | None) -> None:
    async with open_shop(database_url) as shop:
        ctx = shop.runtime.worker_context()

        async def our_send(invitation_id: int) -> None:
            assert (await send_invitation(ctx, invitation_id)).startswith("sent")

        sends = {"ours": our_send, "bare": bare_send}
        trips = {}
        for name, send in sends.items():
            sample = await due_invitations(shop.http, shop.key, f"count-{name}", 20)
            trips[name] = await per_send(sample, send)

        cpu: dict[str, list[float]] = {name: [] for name in sends}

        def run(name: str) -> Run:
            async def measured(n: int) -> float:
                ids = await due_invitations(shop.http, shop.key, f"r{n}-{name}", size)
                began = time.process_time()
                elapsed = await in_parallel(ids, sends[name])
                cpu[name].append((time.process_time() - began) / size)
                return elapsed

            return measured

        times = medians(await interleaved({name: run(name) for name in sends}, rounds))
    cost = medians({name: values[1:] for name, values in cpu.items()})  # without the warm-up
    ours_s, bare_s = times["ours"], times["bare"]
    print(f"database        {shop.database}")
    print(f"invitations     {size}, {CONCURRENCY} at a time, median of {rounds} rounds")
    print(f"ours            {ours_s * 1000:8.1f} ms  ({size / ours_s:,.0f} sends/s)")
    print(f"bare            {bare_s * 1000:8.1f} ms  ({size / bare_s:,.0f} sends/s)")
    print(f"ratio           {ours_s / bare_s:8.1f}x")
    print(
        f"CPU a send      {cost['ours'] * 1000:8.2f} ms ours, {cost['bare'] * 1000:.2f} ms bare"
        " (this process: the event loop and SQLite's thread)"
    )
    for name, counted in trips.items():
        print(
            f"{name} per send   {counted['statements']:g} statements, {counted['resets']:g}"
            f" connection resets, {counted['redis']:g} Redis round trips"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.invitations, args.rounds, args.database_url))
