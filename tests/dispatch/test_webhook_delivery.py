"""Delivering an event to the CRM's endpoint: signed, retried with backoff, given up on after
the window, every attempt kept with its answer, and a failed one sent again."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from arq.connections import ArqRedis
from arq.jobs import Job, JobStatus

from dispatch.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from dispatch.webhook_delivery import (
    claim_delivery,
    deliver_webhook,
    job_id,
    redeliver,
    retry_delay,
)
from dispatch.webhooks import verify_signature
from tests.dispatch.webhook_setup import WINDOW, endpoint_at, published


@pytest.fixture
def ctx(runtime) -> dict:
    return runtime.worker_context()


async def queued(redis: ArqRedis, delivery_id: int, attempt: int) -> bool:
    status = await Job(job_id(delivery_id, attempt), redis).status()
    return status in (JobStatus.deferred, JobStatus.queued)


async def test_a_delivery_taken_at_once_is_delivered_and_its_attempt_kept(ctx, receiver):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")

    assert await deliver_webhook(ctx, delivery.id) == "delivered"

    [post] = receiver.posts
    assert post.path == "/hooks" and post.signed is True
    assert post.event_id == delivery.event_id
    assert post.headers["touchpoint-event-type"] == "case.opened"
    assert json.loads(post.body)["data"]["case_id"] == 7
    done = await WebhookDelivery.get(id=delivery.id)
    assert (done.status, done.attempts, done.next_attempt_at) == ("delivered", 1, None)
    assert done.delivered_at is not None
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert (attempt.status_code, attempt.response_body, attempt.error) == (
        200,
        "answered 200",
        None,
    )
    assert attempt.duration_ms is not None


async def test_the_signature_holds_for_the_body_as_sent(ctx, receiver):
    endpoint = await endpoint_at(receiver)
    [delivery] = await published("case.opened")

    await deliver_webhook(ctx, delivery.id)

    [post] = receiver.posts
    header = post.headers["touchpoint-signature"]
    assert verify_signature(endpoint.secret, post.body, header, datetime.now(UTC))
    assert post.body.decode() == delivery.body


async def test_a_500_is_tried_again_after_30_seconds(ctx, receiver, runtime):
    await endpoint_at(receiver)
    receiver.answer_next(500)
    [delivery] = await published("case.opened")
    before = datetime.now(UTC)

    outcome = await deliver_webhook(ctx, delivery.id)

    assert outcome.startswith("retrying at") and outcome.endswith("HTTP 500")
    waiting = await WebhookDelivery.get(id=delivery.id)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "HTTP 500")
    assert before + timedelta(seconds=29) < waiting.next_attempt_at < before + timedelta(seconds=35)
    assert await queued(runtime.redis, delivery.id, 2)
    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert (attempt.status_code, attempt.response_body) == (500, "answered 500")


async def test_a_try_before_its_time_does_nothing(ctx, receiver):
    await endpoint_at(receiver)
    receiver.answer_next(500)
    [delivery] = await published("case.opened")
    await deliver_webhook(ctx, delivery.id)

    assert await deliver_webhook(ctx, delivery.id) == "skipped: not due, or taken by another worker"
    assert len(receiver.posts) == 1


async def test_two_workers_never_both_claim_a_delivery(db, receiver):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    now = datetime.now(UTC)

    assert [await claim_delivery(delivery.id, now), await claim_delivery(delivery.id, now)] == [
        True,
        False,
    ]


async def test_it_gives_up_when_the_next_try_would_be_past_the_window(ctx, receiver):
    await endpoint_at(receiver)
    receiver.answer_always(503)
    [delivery] = await published("case.opened", window=timedelta(seconds=10))

    outcome = await deliver_webhook(ctx, delivery.id)

    assert outcome == "failed: gave up after 1 attempt(s); the last: HTTP 503"
    failed = await WebhookDelivery.get(id=delivery.id)
    assert (failed.status, failed.next_attempt_at) == ("failed", None)
    assert failed.last_error == "gave up after 1 attempt(s); the last: HTTP 503"


async def test_a_receiver_that_is_not_there_is_an_attempt_with_its_error(ctx, receiver):
    endpoint = await endpoint_at(receiver)
    await WebhookEndpoint.filter(id=endpoint.id).update(url="http://127.0.0.1:9/hooks")
    [delivery] = await published("case.opened")

    await deliver_webhook(ctx, delivery.id)

    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert attempt.status_code is None and attempt.error.startswith("could not connect")
    assert (await WebhookDelivery.get(id=delivery.id)).status == "pending"


async def test_a_slow_receiver_is_an_attempt_with_no_answer_in_time(ctx, receiver):
    await endpoint_at(receiver)
    receiver.hold_next(5)
    [delivery] = await published("case.opened")

    await deliver_webhook(ctx | {"webhook_timeout_seconds": 0.3}, delivery.id)

    [attempt] = await WebhookAttempt.filter(delivery_id=delivery.id)
    assert (attempt.status_code, attempt.error) == (None, "no answer in time")


async def test_a_redirect_is_not_followed(ctx, receiver):
    await endpoint_at(receiver)
    receiver.answer_next(301)
    [delivery] = await published("case.opened")

    await deliver_webhook(ctx, delivery.id)

    assert len(receiver.posts) == 1
    assert (await WebhookDelivery.get(id=delivery.id)).last_error == "HTTP 301"


async def test_a_disabled_endpoint_gets_nothing(ctx, receiver):
    endpoint = await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await WebhookEndpoint.filter(id=endpoint.id).update(active=False)

    assert await deliver_webhook(ctx, delivery.id) == "failed: the endpoint is disabled"
    assert receiver.posts == []


async def test_a_failed_delivery_can_be_sent_again_with_a_new_window(ctx, receiver, runtime):
    await endpoint_at(receiver)
    receiver.answer_next(503)
    [delivery] = await published("case.opened", window=timedelta(seconds=10))
    await deliver_webhook(ctx, delivery.id)

    assert await redeliver(runtime.redis, delivery.id, WINDOW)

    again = await WebhookDelivery.get(id=delivery.id)
    assert again.status == "pending"
    assert again.give_up_at > datetime.now(UTC) + timedelta(hours=23)
    assert await queued(runtime.redis, delivery.id, 2)
    assert await deliver_webhook(ctx, delivery.id) == "delivered"
    assert [p.status for p in receiver.posts] == [503, 200]
    assert len(receiver.events()) == 1


async def test_only_a_failed_delivery_is_sent_again(ctx, receiver, runtime):
    await endpoint_at(receiver)
    [delivery] = await published("case.opened")
    await deliver_webhook(ctx, delivery.id)

    assert not await redeliver(runtime.redis, delivery.id, WINDOW)
    assert (await WebhookDelivery.get(id=delivery.id)).status == "delivered"


@pytest.mark.parametrize(
    ("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1920), (8, 3600), (30, 3600)]
)
def test_the_wait_doubles_from_30_seconds_to_an_hour(attempts, seconds):
    assert retry_delay(attempts, 30, 3600) == timedelta(seconds=seconds)
