"""Delivering one event to one endpoint: a signed POST, retried with backoff for a day.

A delivery is a row written when its event is published (dispatch/outbox_publisher.py).
Each try is an arq job whose id names the delivery and the attempt
(`webhook:<id>:<attempt>`), deferred to `next_attempt_at`, so the sweeper can enqueue a
lost one again without ever queueing it twice. The job claims the delivery (pending ->
delivering, one conditional UPDATE), writes the attempt row, POSTs, then stores what the
receiver answered. A 2xx is delivered; anything else (an error status, a timeout, a
refused connection, a redirect) is tried again after 30 s, doubling up to an hour, until
the retry window (24 hours) has passed: then the delivery is `failed`, with the last
answer, for an admin to read and send again (`redeliver`).

Delivery is at least once: a worker that dies after the receiver took the POST but before
the answer was stored leaves the delivery `delivering`, and the sweeper
(dispatch/webhook_recovery.py) tries it again. The event id, the same on every try, is how
the receiver drops the second one.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from arq.connections import ArqRedis
from tortoise.expressions import F

from dispatch.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from dispatch.settings import DispatchSettings
from dispatch.webhooks import signed_headers

log = logging.getLogger("touchpoint.dispatch.webhooks")

DELIVER_WEBHOOK = "deliver_webhook"
#: How much of a receiver's answer is kept for the admins to read.
ANSWER_LIMIT = 2000
_DEFAULTS = DispatchSettings.model_construct()


def job_id(delivery_id: int, attempt: int) -> str:
    return f"webhook:{delivery_id}:{attempt}"


def retry_delay(attempts: int, first: float, cap: float) -> timedelta:
    """The wait after the `attempts`-th failed try: first, doubling, at most cap."""
    return timedelta(seconds=min(first * 2 ** max(attempts - 1, 0), cap))


async def enqueue_delivery(redis: ArqRedis, delivery: WebhookDelivery) -> bool:
    """Queue the delivery's next try for its time; False when that try is queued already."""
    at = delivery.next_attempt_at or datetime.now(UTC)
    job = await redis.enqueue_job(
        DELIVER_WEBHOOK,
        delivery.id,
        _job_id=job_id(delivery.id, delivery.attempts + 1),
        _defer_until=at,
    )
    return job is not None


async def claim_delivery(delivery_id: int, now: datetime) -> bool:
    """pending -> delivering when its time has come; False if not due or taken."""
    claimed = await WebhookDelivery.filter(
        id=delivery_id, status="pending", next_attempt_at__lte=now
    ).update(status="delivering", attempts=F("attempts") + 1, updated_at=now)
    return claimed == 1


async def deliver_webhook(ctx: dict[str, Any], delivery_id: int) -> str:
    """The arq job: one try of one delivery."""
    now = datetime.now(UTC)
    if not await claim_delivery(delivery_id, now):
        return "skipped: not due, or taken by another worker"
    delivery = await WebhookDelivery.get(id=delivery_id).prefetch_related("endpoint")
    endpoint: WebhookEndpoint = delivery.endpoint
    if not endpoint.active:
        await _finish(delivery, "failed", "the endpoint is disabled", now)
        return "failed: the endpoint is disabled"
    attempt = await WebhookAttempt.create(delivery_id=delivery.id, attempted_at=now)
    timeout = ctx.get("webhook_timeout_seconds", _DEFAULTS.webhook_timeout_seconds)
    error = await _post(endpoint, delivery, attempt, timeout)
    if error is None:
        await _finish(delivery, "delivered", None, datetime.now(UTC))
        return "delivered"
    return await _after_failure(ctx, delivery, error)


async def _post(
    endpoint: WebhookEndpoint, delivery: WebhookDelivery, attempt: WebhookAttempt, seconds: float
) -> str | None:
    """POST the body signed now; store the answer on the attempt; None when it was taken."""
    headers = signed_headers(
        endpoint.secret, delivery.event_id, delivery.event_type, delivery.body, datetime.now(UTC)
    )
    started = time.monotonic()
    error: str | None
    try:
        async with httpx.AsyncClient(timeout=seconds, follow_redirects=False) as http:
            answer = await http.post(endpoint.url, content=delivery.body.encode(), headers=headers)
    except httpx.HTTPError as failure:
        error = _describe(failure)
        attempt.error = error
    else:
        attempt.status_code = answer.status_code
        attempt.response_body = answer.text[:ANSWER_LIMIT]
        error = None if answer.is_success else f"HTTP {answer.status_code}"
        attempt.error = error
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    await attempt.save()
    return error


def _describe(failure: httpx.HTTPError) -> str:
    if isinstance(failure, httpx.TimeoutException):
        return "no answer in time"
    if isinstance(failure, httpx.ConnectError):
        return f"could not connect: {failure}"[:500]
    return f"{type(failure).__name__}: {failure}"[:500]


async def _after_failure(ctx: dict[str, Any], delivery: WebhookDelivery, error: str) -> str:
    """Try again after the backoff, or give up when that would be past the window."""
    now = datetime.now(UTC)
    first = ctx.get("webhook_first_retry_seconds", _DEFAULTS.webhook_first_retry_seconds)
    cap = ctx.get("webhook_max_retry_delay_seconds", _DEFAULTS.webhook_max_retry_delay_seconds)
    attempts = delivery.attempts  # loaded after the claim, which counted this try
    next_at = now + retry_delay(attempts, first, cap)
    if next_at > delivery.give_up_at:
        reason = f"gave up after {attempts} attempt(s); the last: {error}"
        await _finish(delivery, "failed", reason, now)
        log.warning("webhook delivery %s failed: %s", delivery.id, reason)
        return f"failed: {reason}"
    changed = await WebhookDelivery.filter(id=delivery.id, status="delivering").update(
        status="pending", next_attempt_at=next_at, last_error=error, updated_at=now
    )
    if changed:
        delivery.next_attempt_at = next_at
        await enqueue_delivery(ctx["redis"], delivery)
    return f"retrying at {next_at:%H:%M:%S}: {error}"


async def _finish(delivery: WebhookDelivery, status: str, error: str | None, now: datetime) -> None:
    """Store the final state; only a delivery still `delivering` is changed."""
    changes: dict[str, Any] = {"status": status, "next_attempt_at": None, "updated_at": now}
    if status == "delivered":
        changes["delivered_at"] = now
    else:
        changes["last_error"] = error
    await WebhookDelivery.filter(id=delivery.id, status="delivering").update(**changes)


async def redeliver(
    redis: ArqRedis, delivery_id: int, window: timedelta, now: datetime | None = None
) -> bool:
    """Send a failed delivery again, with a fresh retry window; False if it is not failed."""
    now = now or datetime.now(UTC)
    changed = await WebhookDelivery.filter(id=delivery_id, status="failed").update(
        status="pending",
        next_attempt_at=now,
        give_up_at=now + window,
        last_error=None,
        updated_at=now,
    )
    if changed:
        await enqueue_delivery(redis, await WebhookDelivery.get(id=delivery_id))
        log.info("webhook delivery %s sent again", delivery_id)
    return bool(changed)
