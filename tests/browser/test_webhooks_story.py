"""Alice adds the CRM's webhook on her phone, copies its secret, and later reads why a
delivery failed and sends it again; every page checked with axe-core."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect

from dispatch.models import WebhookDelivery, WebhookEndpoint
from dispatch.webhook_delivery import deliver_webhook
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer
from tests.browser.signing_in import signed_in
from tests.dispatch.webhook_setup import published
from tests.servers.webhooks import WebhookReceiver


def test_alice_adds_a_webhook_and_sends_a_failed_delivery_again(
    live: LiveServer, phone: Page, receiver: WebhookReceiver
):
    signed_in(phone, live, "admin")
    phone.goto(f"{live.url}/admin/webhooks")
    assert_accessible(phone)

    phone.get_by_label("URL").fill("ftp://crm.example.com/hooks")
    phone.get_by_role("button", name="Add endpoint").click()
    expect(phone.locator("#url-error")).to_contain_text("must start with https://")
    assert_accessible(phone)

    phone.get_by_label("URL").fill(f"{receiver.url}/crm")
    phone.get_by_label("opt_out.created").uncheck()
    phone.get_by_label("Description").fill("CRM")
    phone.get_by_role("button", name="Add endpoint").click()
    secret = phone.get_by_role("textbox", name="Signing secret of").input_value()
    assert secret.startswith("whsec_")
    assert_accessible(phone)
    endpoint = live.run(lambda: WebhookEndpoint.get(url=f"{receiver.url}/crm"))
    assert endpoint.secret == secret
    assert endpoint.events == ["case.opened", "case.resolved", "response.created"]

    receiver.secret = secret
    receiver.answer_always(503)
    [delivery] = live.run(lambda: published("case.opened", window=timedelta(seconds=1)))
    assert live.runtime is not None
    context = live.runtime.worker_context()
    live.run(lambda: deliver_webhook(context, delivery.id))

    phone.goto(f"{live.url}/admin/webhooks/{endpoint.id}")
    assert_accessible(phone)
    phone.get_by_role("link", name=f"case.opened delivery {delivery.id}").click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Delivery of case.opened")
    expect(phone.get_by_text("gave up after 1 attempt(s); the last: HTTP 503")).to_be_visible()
    assert_accessible(phone)

    receiver.answer_always(200)
    phone.get_by_role("button", name="Send again").click()
    expect(phone.get_by_role("status")).to_contain_text("queued to be sent again")
    assert live.run(lambda: WebhookDelivery.get(id=delivery.id)).status in ("pending", "delivered")

    phone.goto(f"{live.url}/admin/webhooks/{endpoint.id}/delete")
    assert_accessible(phone)
    phone.get_by_role("button", name="Delete the endpoint").click()
    expect(phone.get_by_role("status")).to_contain_text("is deleted")
    assert not live.run(lambda: WebhookEndpoint.exists())
