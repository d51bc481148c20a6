"""The CRM hears of what happens, once, whatever fails on the way.

Alice, an admin, adds the CRM's endpoint in the console and copies its secret into the
CRM, which checks every POST's signature and drops an event id it has already taken.

- Anna answers her survey while the CRM is having a bad moment: it answers 500, then 200.
  The CRM gets the answer once.
- The CRM is gone for good: the delivery is tried with growing waits until its retry
  window has passed (three seconds here, 24 hours by default), then given up on, and Alice
  reads the failure and every attempt in the console.
- A `touchpoint worker` is killed while the CRM holds its POST unanswered. Once the
  stuck-send grace has passed, the next worker's sweeper tries the delivery again: the CRM
  gets the event a second time and drops it by its id; nothing is lost.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from dispatch.models import WebhookAttempt, WebhookDelivery
from dispatch.optouts import opt_out
from dispatch.webhook_recovery import STOPPED
from surveys.responses import record_response
from tests.console import form_token, signed_in
from tests.e2e.faults import WorkerProcess, eventually, worker_environment
from tests.servers.twilio import TwilioServer
from tests.servers.webhooks import WebhookReceiver
from tests.stories import ANNA, BEN, run_worker_until_idle, sent_invitation
from web.settings import Settings

WINDOW = 3.0
GRACE = 3.0


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Retries 0.1 s apart, doubling, for a retry window of three seconds."""
    quick = {"webhook_first_retry_seconds": 0.1, "webhook_retry_window_seconds": WINDOW}
    return settings.model_copy(update={"dispatch": settings.dispatch.model_copy(update=quick)})


async def alice_adds_the_crm(client, receiver: WebhookReceiver, events: list[str]) -> None:
    await signed_in(client, "admin", "alice@shop.example")
    token = await form_token(client, "/admin/webhooks")
    data = {"url": f"{receiver.url}/crm", "events": events, "csrf_token": token}
    answer = await client.post("/admin/webhooks", data=data)
    assert answer.status_code == 201, answer.text
    found = re.search(r'id="new-secret-value" value="(whsec_[^"]+)"', answer.text)
    assert found is not None
    receiver.secret = found.group(1)


async def test_a_crm_that_answers_500_then_200_gets_the_answer_once(
    client, api_key, shop_journey, runtime, receiver
):
    await alice_adds_the_crm(client, receiver, ["response.created"])
    receiver.answer_next(500)
    invitation = await sent_invitation(client, api_key)

    await record_response(invitation, nps=3, csat=2, comment="The parcel was late")
    await run_worker_until_idle(runtime)

    [delivery] = await WebhookDelivery.all()
    assert [p.status for p in receiver.posts] == [500, 200]
    assert all(p.signed for p in receiver.posts)
    assert receiver.events() == [delivery.event_id]
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    codes = [a.status_code for a in await WebhookAttempt.filter(delivery_id=delivery.id)]
    assert sorted(codes) == [200, 500]


async def test_a_crm_that_never_recovers_is_given_up_on_and_alice_sees_why(
    client, api_key, shop_journey, runtime, receiver
):
    await alice_adds_the_crm(client, receiver, ["response.created"])
    receiver.answer_always(503)
    invitation = await sent_invitation(client, api_key)

    await record_response(invitation, nps=9, csat=5, comment=None)
    await run_worker_until_idle(runtime)

    [delivery] = await WebhookDelivery.all()
    tries = len(receiver.posts)
    assert tries >= 2 and receiver.events() == []
    assert (delivery.status, delivery.attempts) == ("failed", tries)
    reason = f"gave up after {tries} attempt(s); the last: HTTP 503"
    assert delivery.last_error == reason
    page = (await client.get(f"/admin/webhooks/deliveries/{delivery.id}")).text
    assert reason in page and page.count("HTTP 503") >= tries and "Send again" in page


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return worker_environment(
        db,
        redis_url,
        twilio,
        tmp_path,
        job_timeout_seconds="2",
        stuck_send_grace_seconds=str(GRACE),
        webhook_timeout_seconds="1",
    )


@pytest.mark.slow
async def test_a_worker_killed_mid_delivery_loses_nothing(client, environment, receiver, tmp_path):
    await alice_adds_the_crm(client, receiver, ["opt_out.created"])
    receiver.hold_next(60)
    await opt_out(BEN.email or "", "email", "email-unsubscribe")

    with WorkerProcess(environment, tmp_path / "killed.log") as worker:
        await eventually(lambda: len(receiver.posts) == 1, within=30, what="the CRM holds a POST")
        worker.kill()
    killed_at = time.monotonic()
    [delivery] = await WebhookDelivery.all()
    assert delivery.status == "delivering"

    await asyncio.sleep(max(0.0, killed_at + GRACE + 0.5 - time.monotonic()))
    with WorkerProcess(environment, tmp_path / "restarted.log", burst=True) as restarted:
        restarted.finish(within=60)

    delivered = await WebhookDelivery.get(id=delivery.id)
    assert (delivered.status, delivered.attempts) == ("delivered", 2)
    assert [p.event_id for p in receiver.posts] == [delivery.event_id] * 2
    assert receiver.events() == [delivery.event_id]
    first, second = await WebhookAttempt.filter(delivery_id=delivery.id).order_by("id")
    assert (first.status_code, first.error) == (None, STOPPED)
    assert second.status_code == 200
    assert ANNA.phone not in delivered.body and "ben@example.com" in delivered.body
