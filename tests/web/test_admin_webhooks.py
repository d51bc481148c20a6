"""The admin's webhooks pages: Alice adds the CRM's endpoint, reads each delivery and what
the CRM answered, sends a failed one again, disables and deletes the endpoint."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from dispatch.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from dispatch.webhook_delivery import deliver_webhook
from tests.console import form_token, post_form, signed_in
from tests.dispatch.webhook_setup import endpoint_at, published
from web.models import AuditEvent

PAGE = "/admin/webhooks"
ALL = ["case.opened", "case.resolved", "response.created", "opt_out.created"]


@pytest.fixture
async def alice(client) -> str:
    return await signed_in(client, "admin", "alice@shop.example")


async def add(client, url: str, events: list[str], description: str = "CRM"):
    token = await form_token(client, PAGE)
    data = {"url": url, "events": events, "description": description, "csrf_token": token}
    return await client.post(PAGE, data=data)


def shown_secret(page: str) -> str:
    found = re.search(r'id="new-secret-value" value="(whsec_[^"]+)"', page)
    assert found, "no secret shown"
    return found.group(1)


async def test_an_added_endpoint_shows_its_secret_once(client, alice):
    answer = await add(client, " https://crm.example.com/hooks ", ["case.opened", "case.resolved"])

    assert answer.status_code == 201
    secret = shown_secret(answer.text)
    assert "shown this once" in answer.text
    endpoint = await WebhookEndpoint.get(url="https://crm.example.com/hooks")
    assert (endpoint.secret, endpoint.events) == (secret, ["case.opened", "case.resolved"])
    assert (endpoint.created_by, endpoint.active, endpoint.description) == (alice, True, "CRM")
    listing = (await client.get(PAGE)).text
    assert "https://crm.example.com/hooks" in listing and secret not in listing
    [event] = await AuditEvent.filter(action="webhook.created")
    assert event.target == f"https://crm.example.com/hooks (webhook {endpoint.id})"
    assert event.detail == {"events": ["case.opened", "case.resolved"]}
    assert secret not in repr(event.detail)


@pytest.mark.parametrize(
    ("url", "events", "field", "words"),
    [
        ("ftp://crm.example.com/hooks", ALL, "url", "must start with https://"),
        ("javascript:alert(1)", ALL, "url", "must start with https://"),
        ("crm.example.com/hooks", ALL, "url", "must start with https://"),
        ("https://", ALL, "url", "no host name"),
        ("", ALL, "url", "Give the URL"),
        ("https://crm.example.com/" + "x" * 2000, ALL, "url", "at most 2000"),
        ("https://crm.example.com/hooks", [], "events", "at least one event"),
        (
            "https://crm.example.com/hooks",
            ["order.paid"],
            "events",
            "Unknown event type: order.paid",
        ),
    ],
)
async def test_a_bad_endpoint_is_refused_with_its_reason_and_nothing_added(
    client, alice, url, events, field, words
):
    answer = await add(client, url, events)

    assert answer.status_code == 400
    error = re.search(rf'id="{field}-error">([^<]*)<', answer.text)
    assert error is not None and words in error.group(1)
    assert 'id="new-secret-value"' not in answer.text
    assert await WebhookEndpoint.all().count() == 0
    assert not await AuditEvent.filter(action="webhook.created").exists()


@pytest.mark.parametrize("role", ["viewer", "agent", "editor"])
async def test_only_an_admin_may_see_or_add_webhooks(client, role):
    await signed_in(client, role)

    assert (await client.get(PAGE)).status_code == 403
    answer = await client.post(PAGE, data={"url": "https://crm.example.com/hooks"})
    assert answer.status_code in (403, 400)
    assert await WebhookEndpoint.all().count() == 0


async def test_each_attempt_and_its_answer_is_shown(client, alice, receiver, runtime):
    await endpoint_at(receiver)
    receiver.answer_next(500)
    [delivery] = await published("case.opened")
    ctx = runtime.worker_context() | {"webhook_first_retry_seconds": 0.001}
    await deliver_webhook(ctx, delivery.id)
    await deliver_webhook(ctx, delivery.id)

    listing = (await client.get(PAGE)).text
    page = (await client.get(f"{PAGE}/deliveries/{delivery.id}")).text

    assert f"/admin/webhooks/deliveries/{delivery.id}" in listing
    assert "HTTP 500" in page and "answered 500" in page
    assert "HTTP 200" in page and "answered 200" in page
    assert delivery.event_id in page and "delivered" in page
    assert "Send again" not in page


async def test_a_failed_delivery_is_shown_and_sent_again(client, alice, receiver, runtime):
    await endpoint_at(receiver)
    receiver.answer_next(503)
    [delivery] = await published("case.opened", window=timedelta(seconds=5))
    await deliver_webhook(runtime.worker_context(), delivery.id)
    path = f"{PAGE}/deliveries/{delivery.id}"
    page = (await client.get(path)).text
    assert "failed" in page and "gave up after 1 attempt(s); the last: HTTP 503" in page

    answer = await post_form(client, f"{path}/send-again", {}, page=path)

    assert answer.status_code == 303 and answer.headers["location"] == f"{path}?done=sent-again"
    assert (await WebhookDelivery.get(id=delivery.id)).status == "pending"
    [event] = await AuditEvent.filter(action="webhook.redelivered")
    assert event.detail == {"event_id": delivery.event_id, "delivery": delivery.id}
    assert await deliver_webhook(runtime.worker_context(), delivery.id) == "delivered"
    assert await WebhookAttempt.filter(delivery_id=delivery.id).count() == 2


async def test_a_delivery_not_failed_is_not_sent_again(client, alice, receiver, runtime):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    token = await form_token(client, PAGE)

    answer = await client.post(
        f"{PAGE}/deliveries/{delivery.id}/send-again", data={"csrf_token": token}
    )

    assert answer.status_code == 409 and "this one is pending" in answer.text
    assert not await AuditEvent.filter(action="webhook.redelivered").exists()


async def test_disabling_an_endpoint_stops_its_events_and_enabling_resumes(client, alice, receiver):
    endpoint = await endpoint_at(receiver)
    path = f"{PAGE}/{endpoint.id}"

    answer = await post_form(client, f"{path}/active", {"active": "no"}, page=path)

    assert answer.status_code == 303
    assert not (await WebhookEndpoint.get(id=endpoint.id)).active
    assert await published("case.opened") == []
    await post_form(client, f"{path}/active", {"active": "yes"}, page=path)
    assert (await WebhookEndpoint.get(id=endpoint.id)).active
    actions = [e.action for e in await AuditEvent.all().order_by("id")]
    assert actions[-2:] == ["webhook.disabled", "webhook.enabled"]


async def test_deleting_asks_first_then_removes_the_endpoint_and_its_history(
    client, alice, receiver
):
    endpoint = await endpoint_at(receiver)
    await published("case.opened")
    path = f"{PAGE}/{endpoint.id}/delete"

    confirm = await client.get(path)
    assert confirm.status_code == 200 and "its 1 deliveries" in confirm.text
    assert await WebhookEndpoint.exists()

    answer = await post_form(client, path, {})

    assert answer.status_code == 303
    assert not await WebhookEndpoint.exists() and not await WebhookDelivery.exists()
    [event] = await AuditEvent.filter(action="webhook.deleted")
    assert event.target == f"{endpoint.url} (webhook {endpoint.id})"


async def test_an_unknown_endpoint_or_delivery_is_a_404(client, alice):
    assert (await client.get(f"{PAGE}/999")).status_code == 404
    assert (await client.get(f"{PAGE}/999/delete")).status_code == 404
    assert (await client.get(f"{PAGE}/deliveries/999")).status_code == 404
