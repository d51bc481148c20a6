"""Publishing the outbox: each event once, to every active endpoint that subscribed to it,
and only once its change is committed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from arq.jobs import Job, JobStatus

from dispatch.models import WebhookDelivery, WebhookEndpoint
from dispatch.outbox_publisher import KICK_JOB_ID, kick, publish_batch, publish_events
from dispatch.webhook_delivery import job_id
from surveys.models import OutboxEvent
from surveys.outbox import record_event
from tests.dispatch.webhook_setup import CASE, WINDOW, endpoint_at


async def test_an_event_goes_to_each_endpoint_that_wants_it(runtime, receiver):
    crm = await endpoint_at(receiver, ("case.opened", "case.resolved"), path="/crm")
    await endpoint_at(receiver, ("response.created",), path="/warehouse")
    event = await record_event("case.opened", CASE)

    assert await publish_events(runtime.worker_context()) == 1

    [delivery] = await WebhookDelivery.all()
    assert (delivery.endpoint_id, delivery.event_id) == (crm.id, event.event_id)
    assert (delivery.event_type, delivery.status) == ("case.opened", "pending")
    assert (await OutboxEvent.get(id=event.id)).published_at is not None
    status = await Job(job_id(delivery.id, 1), runtime.redis).status()
    assert status in (JobStatus.queued, JobStatus.deferred)


async def test_a_disabled_endpoint_hears_of_nothing(runtime, receiver):
    crm = await endpoint_at(receiver, ("case.opened",))
    await WebhookEndpoint.filter(id=crm.id).update(active=False)
    await record_event("case.opened", CASE)

    assert await publish_events(runtime.worker_context()) == 1
    assert not await WebhookDelivery.exists()


async def test_events_are_published_oldest_first_and_once(runtime, receiver):
    await endpoint_at(receiver)
    first = await record_event("case.opened", CASE)
    second = await record_event("case.resolved", CASE)

    assert await publish_events(runtime.worker_context()) == 2
    assert await publish_events(runtime.worker_context()) == 0

    deliveries = await WebhookDelivery.all().order_by("id")
    assert [d.event_id for d in deliveries] == [first.event_id, second.event_id]


async def test_two_publishers_racing_publish_each_event_once(runtime, receiver):
    await endpoint_at(receiver)
    for number in range(30):
        await record_event("case.opened", {"case_id": number})
    now = datetime.now(UTC)

    counts = await asyncio.gather(*(publish_batch(now, WINDOW) for _ in range(3)))

    assert sum(count for count, _ in counts) == 30
    assert await WebhookDelivery.all().count() == 30
    assert not await OutboxEvent.filter(published_at__isnull=True).exists()


async def test_an_event_rolled_back_with_its_change_is_never_published(runtime, receiver):
    from tortoise.transactions import in_transaction

    await endpoint_at(receiver)
    try:
        async with in_transaction():
            await record_event("case.opened", CASE)
            raise RuntimeError("the change failed")
    except RuntimeError:
        pass

    assert await publish_events(runtime.worker_context()) == 0
    assert not await WebhookDelivery.exists()


async def test_a_kick_queues_one_publish(runtime):
    await kick(runtime.redis)
    await kick(runtime.redis)

    assert await Job(KICK_JOB_ID, runtime.redis).status() == JobStatus.queued
    assert await runtime.redis.zcard("arq:queue") == 1
