"""Publishing the outbox: each event becomes one webhook delivery per endpoint that wants it.

The change that caused an event wrote it to the outbox in its own transaction
(surveys/outbox.py). Here, in one transaction per batch, each unpublished event, oldest
first, is stamped `published_at` and fanned out to a WebhookDelivery row for every active
endpoint subscribed to its type; after the commit the deliveries are put on the queue.
So an event is announced once, and only once its change is committed.

Two workers publishing at once never publish an event twice: on PostgreSQL the batch is
read with SELECT ... FOR UPDATE SKIP LOCKED, so each takes rows the other has not; and
everywhere each event is claimed by a conditional UPDATE (published_at still null), with
(endpoint, event_id) unique on the deliveries behind it.

The worker publishes on a cron; the web process may `kick` it right after a commit, so a
receiver hears of an answer within seconds rather than at the next minute.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from tortoise.transactions import in_transaction

from dispatch.models import WebhookDelivery, WebhookEndpoint
from dispatch.queue import QueuedJob, enqueue_jobs
from dispatch.settings import DispatchSettings
from dispatch.webhook_delivery import enqueue_delivery
from dispatch.webhooks import event_body
from surveys.models import OutboxEvent

log = logging.getLogger("touchpoint.dispatch.webhooks")

#: The kicked job's name: the cron has the function's own name, and arq keys both by name.
PUBLISH_EVENTS = "publish_events_now"
#: The one job id of a kicked publish: a kick while one is queued adds nothing.
KICK_JOB_ID = "outbox:publish"
KICK = QueuedJob(KICK_JOB_ID, PUBLISH_EVENTS)
BATCH = 200
_DEFAULTS = DispatchSettings.model_construct()


async def publish_events(ctx: dict[str, Any]) -> int:
    """An arq cron and job: publish every unpublished event; returns how many."""
    window = ctx.get(
        "webhook_retry_window", timedelta(seconds=_DEFAULTS.webhook_retry_window_seconds)
    )
    published = 0
    while True:
        count, deliveries = await publish_batch(datetime.now(UTC), window)
        for delivery in deliveries:
            await enqueue_delivery(ctx["redis"], delivery)
        published += count
        if count < BATCH:
            return published


async def publish_batch(now: datetime, window: timedelta) -> tuple[int, list[WebhookDelivery]]:
    """Publish up to BATCH events in one transaction; returns how many, and the deliveries."""
    endpoints = await WebhookEndpoint.filter(active=True).order_by("id")
    deliveries: list[WebhookDelivery] = []
    async with in_transaction():
        events = (
            await OutboxEvent.filter(published_at__isnull=True)
            .order_by("id")
            .limit(BATCH)
            .select_for_update(skip_locked=True)
        )
        published = 0
        for event in events:
            claimed = await OutboxEvent.filter(id=event.id, published_at__isnull=True).update(
                published_at=now
            )
            if not claimed:
                continue
            published += 1
            wanted = [e for e in endpoints if event.type in (e.events or [])]
            deliveries += [await _delivery(e, event, now, window) for e in wanted]
    if published:
        log.info("%d event(s) published, %d webhook delivery(ies)", published, len(deliveries))
    return published, deliveries


async def _delivery(
    endpoint: WebhookEndpoint, event: OutboxEvent, now: datetime, window: timedelta
) -> WebhookDelivery:
    body = event_body(event.event_id, event.type, event.occurred_at, event.data)
    return await WebhookDelivery.create(
        endpoint_id=endpoint.id,
        event_id=event.event_id,
        event_type=event.type,
        body=body,
        status="pending",
        next_attempt_at=now,
        give_up_at=now + window,
    )


async def kick(redis: ArqRedis) -> None:
    """Ask the worker to publish now; call it after committing a change that wrote an event."""
    await enqueue_jobs(redis, [KICK])
