"""The webhook sweeper: every minute, no delivery is left behind by a lost job or worker.

Redis is a queue, not the source of truth. A delivery that is `pending` and due has its
try enqueued again (the job id makes that harmless when the job is still queued); one
`delivering` for longer than the stuck-send grace lost its worker mid-POST: its open
attempt is closed as unknown and the delivery is tried again, or given up on once its
retry window has passed. Trying again may POST an event the receiver already took; the
event id, the same on every try, lets the receiver drop it.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch.models import WebhookAttempt, WebhookDelivery
from dispatch.webhook_delivery import enqueue_delivery

log = logging.getLogger("touchpoint.dispatch.webhooks")

LOOKAHEAD = timedelta(minutes=2)
PAGE = 500
STOPPED = "the worker stopped during the POST; what the receiver did is unknown"
#: When no grace is in the worker's context: the stuck-send grace's default.
DEFAULT_GRACE = timedelta(seconds=600)


async def sweep_webhook_deliveries(ctx: dict[str, Any]) -> int:
    """An arq cron job: returns how many deliveries it put back on the queue or gave up on."""
    now = datetime.now(UTC)
    given_up = await _release_stuck(now - ctx.get("stuck_send_grace", DEFAULT_GRACE), now)
    return given_up + await _enqueue_due(ctx, now + LOOKAHEAD)


async def _release_stuck(cutoff: datetime, now: datetime) -> int:
    """Back to pending, or failed past the window; returns how many were given up on."""
    stuck = await WebhookDelivery.filter(status="delivering", updated_at__lt=cutoff).limit(PAGE)
    given_up = 0
    for delivery in stuck:
        await WebhookAttempt.filter(
            delivery_id=delivery.id, status_code__isnull=True, error__isnull=True
        ).update(error=STOPPED)
        changes: dict[str, Any] = {"status": "pending", "next_attempt_at": now}
        changes["last_error"] = STOPPED
        if now >= delivery.give_up_at:
            changes["status"], changes["next_attempt_at"] = "failed", None
            changes["last_error"] = f"gave up after {delivery.attempts} attempt(s); {STOPPED}"
        changed = await WebhookDelivery.filter(
            id=delivery.id, status="delivering", updated_at__lt=cutoff
        ).update(**changes, updated_at=now)
        given_up += changed and changes["status"] == "failed"
        if changed:
            log.warning("webhook delivery %s %s: %s", delivery.id, changes["status"], STOPPED)
    return given_up


async def _enqueue_due(ctx: dict[str, Any], horizon: datetime) -> int:
    queued, last_id = 0, 0
    while True:
        due = (
            await WebhookDelivery.filter(
                status="pending", next_attempt_at__lte=horizon, id__gt=last_id
            )
            .order_by("id")
            .limit(PAGE)
        )
        if not due:
            return queued
        for delivery in due:
            queued += await enqueue_delivery(ctx["redis"], delivery)
        last_id = due[-1].id
