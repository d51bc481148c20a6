"""The shop's side: thousands of `order.delivered` events posted as an integrator would.

Batches go in through the HTTP API, a few at once. A batch that gets no answer (the
connection cut while the database or the web process restarts) or a 5xx is posted again,
the same events with the same ids, until the API answers: an event answered `duplicate`
was kept by an earlier try whose answer was lost. What the API said is tallied, so the
audit can check that every event it accepted is in the database.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.stories import Person

BATCH = 25


def customers(count: int) -> list[Person]:
    """`count` customers with a phone each, all different."""
    return [Person(f"chaos-{n}", phone=f"+1415200{n:04d}") for n in range(count)]


def order_event(person: Person, occurred: datetime) -> dict[str, Any]:
    return {
        "id": f"order-{person.id}",
        "type": "order.delivered",
        "occurred_at": occurred.isoformat(),
        "customer": person.as_customer(),
    }


@dataclass
class Intake:
    """What the API answered, event by event, and what it took to get the answers."""

    accepted: set[str] = field(default_factory=set)
    duplicate: set[str] = field(default_factory=set)
    invitation_ids: set[int] = field(default_factory=set)
    failures: Counter[str] = field(default_factory=Counter)

    @property
    def kept(self) -> set[str]:
        return self.accepted | self.duplicate

    def take(self, answer: dict[str, Any]) -> None:
        for result in answer["results"]:
            if result["status"] == "accepted":
                self.accepted.add(result["id"])
                self.invitation_ids.update(i["id"] for i in result["invitations"])
            elif result["status"] == "duplicate":
                self.duplicate.add(result["id"])
            else:
                raise AssertionError(f"an event was rejected: {result}")


async def post_until_answered(
    http: httpx.AsyncClient, batch: list[dict[str, Any]], intake: Intake, within: float
) -> None:
    """Post one batch until the API answers it (200), as an integrator retries, for at
    most `within` seconds."""
    give_up = asyncio.get_running_loop().time() + within
    while True:
        try:
            answer = await http.post("/api/v1/events", json={"events": batch})
        except httpx.TransportError as error:
            intake.failures[type(error).__name__] += 1
        else:
            if answer.status_code == 200:
                intake.take(answer.json())
                return
            assert answer.status_code >= 500, f"{answer.status_code}: {answer.text}"
            intake.failures[f"HTTP {answer.status_code}"] += 1
        if asyncio.get_running_loop().time() > give_up:
            raise AssertionError(f"the API never took a batch; failures: {intake.failures}")
        await asyncio.sleep(0.5)


async def deliver_orders(
    base_url: str,
    api_key: str,
    people: list[Person],
    *,
    spread_over: float,
    posters: int = 3,
    within: float = 60,
) -> Intake:
    """Every person's order, delivered eight days ago (so its survey is due at once),
    posted in batches by `posters` clients at once, the batches spread over about
    `spread_over` seconds as a shop's orders arrive over the day; a batch the API has not
    taken within `within` seconds fails the story."""
    occurred = datetime.now(UTC) - timedelta(days=8)
    events = [order_event(person, occurred) for person in people]
    batches: asyncio.Queue[list[dict[str, Any]]] = asyncio.Queue()
    for start in range(0, len(events), BATCH):
        batches.put_nowait(events[start : start + BATCH])
    intake = Intake()
    headers = {"Authorization": f"Bearer {api_key}"}

    pace = spread_over * posters / batches.qsize()

    async def poster() -> None:
        async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=15) as http:
            while not batches.empty():
                await post_until_answered(http, batches.get_nowait(), intake, within)
                await asyncio.sleep(pace)

    await asyncio.gather(*(poster() for _ in range(posters)))
    return intake
