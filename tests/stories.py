"""The standing cast of the tests' stories, and a shop that sends events about them.

Anna has a phone and reads English; Ben only gave an email address; Chen reads Chinese and
gave both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from arq.worker import Worker

from dispatch.worker import create_worker
from surveys.models import Invitation, InvitationStatus
from web.runtime import Runtime


@dataclass(frozen=True)
class Person:
    id: str
    phone: str | None = None
    email: str | None = None
    locale: str = "en"
    first_name: str | None = None
    timezone: str | None = None

    def as_customer(self) -> dict[str, Any]:
        fields = {
            "id": self.id,
            "phone": self.phone,
            "email": self.email,
            "locale": self.locale,
            "first_name": self.first_name,
            "timezone": self.timezone,
        }
        return {k: v for k, v in fields.items() if v is not None}


ANNA = Person("anna", phone="+14155550123", first_name="Anna", timezone="America/Los_Angeles")
BEN = Person("ben", email="ben@example.com", first_name="Ben")
CHEN = Person(
    "chen", phone="+8613800138000", email="chen@example.cn", locale="zh-CN", first_name="陈"
)


class Shop:
    """A business system posting events through the API, as an integrator would."""

    def __init__(self, http: httpx.AsyncClient, api_key: str) -> None:
        self.http = http
        self.headers = {"Authorization": f"Bearer {api_key}"}

    async def event(
        self, event_type: str, event_id: str, to: Person, days_ago: float, **extra: Any
    ) -> dict[str, Any]:
        occurred = datetime.now(UTC) - timedelta(days=days_ago)
        event = {
            "id": event_id,
            "type": event_type,
            "occurred_at": occurred.isoformat(),
            "customer": to.as_customer(),
            **extra,
        }
        answer = await self.http.post(
            "/api/v1/events", json={"events": [event]}, headers=self.headers
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["results"][0]

    async def delivered(self, order: str, to: Person, days_ago: float = 8) -> dict[str, Any]:
        return await self.event("order.delivered", order, to, days_ago)

    async def ticket_closed(self, ticket: str, to: Person, days_ago: float = 8) -> dict[str, Any]:
        return await self.event("ticket.closed", ticket, to, days_ago)

    async def invitation_for(self, event_id: str) -> Invitation:
        return await Invitation.get(interaction__event_id=event_id).prefetch_related("customer")


async def sent_invitation(
    client: httpx.AsyncClient,
    api_key: str,
    customer: dict[str, Any] | None = None,
    event_id: str = "evt-1",
) -> Invitation:
    """The `use` invitation of a delivered order, as the worker leaves it once sent."""
    event = {
        "id": event_id,
        "type": "order.delivered",
        "occurred_at": (datetime.now(UTC) - timedelta(days=8)).isoformat(),
        "customer": customer or ANNA.as_customer(),
    }
    answer = await client.post(
        "/api/v1/events", json={"events": [event]}, headers={"Authorization": f"Bearer {api_key}"}
    )
    assert answer.status_code == 200, answer.text
    [found] = answer.json()["results"][0]["invitations"]
    await Invitation.filter(id=found["id"]).update(
        status=InvitationStatus.SENT, sent_at=datetime.now(UTC), channel="sms"
    )
    return await Invitation.get(id=found["id"])


async def run_worker_until_idle(runtime: Runtime) -> None:
    """A real arq worker on the real Redis, in burst mode: it stops when the queue is empty."""
    pool = await runtime.new_redis_pool()
    worker = create_worker(
        pool, runtime.worker_context(), burst=True, handle_signals=False, poll_delay=0.05
    )
    try:
        await worker.main()
    finally:
        await worker.close()


async def run_worker_until(
    runtime: Runtime, done: Callable[[], Awaitable[bool]], seconds: float = 15.0
) -> None:
    """The real worker on the real Redis until `done()` holds and no job is running. A
    burst worker would wait for the deferred job; this one is stopped instead."""
    pool = await runtime.new_redis_pool()
    worker = create_worker(pool, runtime.worker_context(), handle_signals=False, poll_delay=0.05)
    running = asyncio.create_task(worker.main())
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    try:
        while not (await done() and _idle(worker)):
            if running.done():
                running.result()  # what stopped the worker, raised here
            assert loop.time() < deadline, f"not done after {seconds} s: {worker!r}"
            await asyncio.sleep(0.05)
    finally:
        running.cancel()
        with suppress(asyncio.CancelledError):
            await running
        await worker.close()


def _idle(worker: Worker) -> bool:
    return all(task.done() for task in worker.tasks.values())
