"""How fast the worker's job sends invitations, and what its guarantees cost.

Our path: `send_invitation`, the arq job itself, for each of N due invitations, 20 at a
time as one worker runs them: the claim, the customer's lock on Redis, the opt-out check,
the contact rules (history and competing invitations read from the database), rendering,
the message row, the console channel, and the outcome. The bare baseline, in the same run
on the same database: per invitation, the three writes any sender must make (claim UPDATE,
message INSERT, sent UPDATE), 20 at a time, with nothing checked.

    .venv/bin/python bench/send.py [--invitations 500] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
from shop import open_shop  # bench/shop.py: run as python bench/NAME.py

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
            "customer": {"id": f"{tag}-c{n}", "phone": f"+1415555{n % 10000:04d}"},
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
    await Message.create(
        invitation_id=invitation_id, channel="console", recipient="+14155550000", body="Hi"
    )
    await Invitation.filter(id=invitation_id).update(status=InvitationStatus.SENT, sent_at=now)


async def main(size: int, database_url: str | None) -> None:
    async with open_shop(database_url) as shop:
        ours_ids = await due_invitations(shop.http, shop.key, "ours", size)
        bare_ids = await due_invitations(shop.http, shop.key, "bare", size)
        ctx = shop.runtime.worker_context()

        async def our_send(invitation_id: int) -> None:
            assert (await send_invitation(ctx, invitation_id)).startswith("sent")

        ours_s = await in_parallel(ours_ids, our_send)
        bare_s = await in_parallel(bare_ids, bare_send)
    print(f"database        {shop.database}")
    print(f"invitations     {size}, {CONCURRENCY} at a time")
    print(f"ours            {ours_s * 1000:8.1f} ms  ({size / ours_s:,.0f} sends/s)")
    print(f"bare writes     {bare_s * 1000:8.1f} ms  ({size / bare_s:,.0f} sends/s)")
    print(f"ratio           {ours_s / bare_s:8.1f}x")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    asyncio.run(main(args.invitations, args.database_url))
