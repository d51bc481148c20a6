"""What the webhook tests share: an endpoint at the loopback receiver, and a published event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch.models import WebhookDelivery, WebhookEndpoint
from dispatch.outbox_publisher import publish_batch
from dispatch.webhook_endpoints import add_endpoint, check_endpoint
from surveys.outbox import EVENT_TYPES, record_event
from tests.servers.webhooks import WebhookReceiver

WINDOW = timedelta(hours=24)
CASE = {"case_id": 7, "customer_id": "anna", "reason": "NPS 3"}


async def endpoint_at(
    receiver: WebhookReceiver, events: tuple[str, ...] = EVENT_TYPES, path: str = "/hooks"
) -> WebhookEndpoint:
    """The CRM's endpoint, as an admin adds it; the receiver checks its signatures."""
    form, errors = check_endpoint(receiver.url + path, list(events), "CRM")
    assert form is not None, errors
    endpoint = await add_endpoint(form, "alice@shop.example")
    receiver.secret = endpoint.secret
    return endpoint


async def published(
    type: str = "case.opened", data: dict[str, Any] | None = None, window: timedelta = WINDOW
) -> list[WebhookDelivery]:
    """An event recorded and published: its deliveries, one per subscribed endpoint."""
    await record_event(type, data or CASE)
    _, deliveries = await publish_batch(datetime.now(UTC), window)
    return deliveries
