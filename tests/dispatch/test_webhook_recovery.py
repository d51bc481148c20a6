"""The webhook sweeper: a delivery whose job was lost is queued again, one whose worker
died mid-POST is tried again (or given up on past its window), and nothing twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from arq.jobs import Job, JobStatus
from redis.asyncio import Redis

from dispatch.models import WebhookAttempt, WebhookDelivery
from dispatch.webhook_delivery import claim_delivery, deliver_webhook, job_id
from dispatch.webhook_recovery import STOPPED, sweep_webhook_deliveries
from tests.dispatch.webhook_setup import endpoint_at, published


@pytest.fixture
def ctx(runtime) -> dict:
    return runtime.worker_context() | {"stuck_send_grace": timedelta(seconds=60)}


async def died_mid_post(delivery: WebhookDelivery, minutes_ago: float) -> None:
    """What a worker killed during the POST leaves: the delivery claimed, an open attempt."""
    then = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    assert await claim_delivery(delivery.id, datetime.now(UTC))
    await WebhookAttempt.create(delivery_id=delivery.id, attempted_at=then)
    await WebhookDelivery.filter(id=delivery.id).update(updated_at=then)


async def test_a_due_delivery_whose_job_was_lost_is_queued_again_once(ctx, receiver, redis_url):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await Redis.from_url(redis_url).flushdb()

    assert await sweep_webhook_deliveries(ctx) == 1
    assert await sweep_webhook_deliveries(ctx) == 0

    status = await Job(job_id(delivery.id, 1), ctx["redis"]).status()
    assert status in (JobStatus.queued, JobStatus.deferred)


async def test_a_delivery_stuck_mid_post_is_tried_again(ctx, receiver):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await died_mid_post(delivery, minutes_ago=5)

    await sweep_webhook_deliveries(ctx)

    released = await WebhookDelivery.get(id=delivery.id)
    assert (released.status, released.last_error) == ("pending", STOPPED)
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert attempt.error == STOPPED
    assert await deliver_webhook(ctx, delivery.id) == "delivered"
    assert len(receiver.events()) == 1


async def test_a_delivery_in_flight_within_the_grace_is_left_alone(ctx, receiver):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await died_mid_post(delivery, minutes_ago=0.5)

    assert await sweep_webhook_deliveries(ctx) == 0

    assert (await WebhookDelivery.get(id=delivery.id)).status == "delivering"
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert attempt.error is None


async def test_a_delivery_stuck_past_its_window_is_given_up_on(ctx, receiver):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await died_mid_post(delivery, minutes_ago=5)
    # It was published a day ago: its window closed a minute ago.
    closed = datetime.now(UTC) - timedelta(minutes=1)
    await WebhookDelivery.filter(id=delivery.id).update(give_up_at=closed)

    assert await sweep_webhook_deliveries(ctx) == 1

    failed = await WebhookDelivery.get(id=delivery.id)
    assert failed.status == "failed"
    assert failed.last_error == f"gave up after 1 attempt(s); {STOPPED}"
