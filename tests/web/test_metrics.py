"""/metrics: what the operator's Prometheus reads from a web process.

Counters are compared before and after, since they count for the whole test run; the
state figures are read from the database and Redis at scrape time, so they are exact.
"""

from __future__ import annotations

import dataclasses
import time
from datetime import UTC, datetime, timedelta

import httpx
from arq.constants import default_queue_name
from pydantic import SecretStr
from redis.asyncio import Redis

from dispatch.models import WebhookDelivery, WebhookEndpoint
from surveys.expiry import expire_invitations, expiry_reason
from surveys.metrics import reason_label
from surveys.models import Invitation
from surveys.settings import SurveysSettings
from tests.dispatch.cases import store, unhappy
from tests.scrape import samples, value
from tests.stories import ANNA, BEN, Shop, sent_invitation
from tests.surveys.resolution_cases import resolved_case, sent_survey, shop
from web.app import create_app
from web.metrics_figures import read_figures
from web.runtime import Runtime


async def scrape(client: httpx.AsyncClient):
    answer = await client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return samples(answer.text)


async def test_every_figure_is_read_and_says_so(client):
    found = await scrape(client)

    for figure in ("invitations", "queue", "follow_up_cases", "webhook_deliveries", "ready"):
        assert value(found, "touchpoint_figure_ok", figure=figure) == 1, figure
    for check in ("database", "redis", "migrations"):
        assert value(found, "touchpoint_ready", check=check) == 1
    assert ("touchpoint_queue_jobs", frozenset()) in found
    assert ("touchpoint_invitations", frozenset({("state", "scheduled")})) in found


async def test_metrics_need_no_session_and_are_not_the_consoles(client):
    answer = await client.get("/metrics", follow_redirects=False)

    assert answer.status_code == 200
    assert "set-cookie" not in answer.headers


async def test_events_are_counted_by_outcome(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    before = await scrape(client)
    await shop.delivered("A-1", to=ANNA)
    await shop.delivered("A-1", to=ANNA)  # the same event id again: a duplicate
    rejected = {"id": "bad-1", "type": "order.delivered", "occurred_at": "yesterday"}
    await client.post(
        "/api/v1/events",
        json={"events": [rejected]},
        headers={"Authorization": f"Bearer {api_key}"},
    )

    after = await scrape(client)

    for outcome in ("accepted", "duplicate", "rejected"):
        gained = value(after, "touchpoint_events_total", outcome=outcome) - value(
            before, "touchpoint_events_total", outcome=outcome
        )
        assert gained == 1, outcome


async def test_live_invitations_are_shown_by_state_from_the_database(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    await shop.delivered("B-1", to=BEN)
    await sent_invitation(client, api_key, event_id="C-1")

    found = await scrape(client)

    assert value(found, "touchpoint_invitations", state="scheduled") == 2
    assert value(found, "touchpoint_invitations", state="sent") == 1
    assert value(found, "touchpoint_invitations", state="sending") == 0
    shown = {dict(labels)["state"] for name, labels in found if name == "touchpoint_invitations"}
    assert shown == {"scheduled", "sending", "sent", "delivered"}  # final states only grow


async def test_the_queue_shows_its_depth_and_how_late_its_oldest_due_job_is(
    client, runtime: Runtime
):
    now_ms = time.time() * 1000
    await runtime.redis.zadd(
        default_queue_name,
        {"late": now_ms - 90_000, "due": now_ms - 1_000, "later": now_ms + 3_600_000},
    )

    found = await scrape(client)

    assert value(found, "touchpoint_queue_jobs") == 3
    assert value(found, "touchpoint_queue_due_jobs") == 2
    assert 90 <= value(found, "touchpoint_queue_oldest_due_seconds") < 120


async def test_an_empty_queue_is_not_late(client):
    found = await scrape(client)

    assert value(found, "touchpoint_queue_jobs") == 0
    assert value(found, "touchpoint_queue_oldest_due_seconds") == 0


async def test_answers_are_counted_once_by_channel_and_source(client, api_key, shop_journey):
    anna = await sent_invitation(client, api_key)
    before = await scrape(client)

    await client.post(f"/s/{anna.token}", data={"nps": "10", "csat": "4", "comment": ""})
    await client.post(f"/s/{anna.token}", data={"nps": "9", "csat": "4", "comment": "changed"})

    after = await scrape(client)
    labels = {"channel": "sms", "source": "web"}
    gained = value(after, "touchpoint_answers_total", **labels) - value(
        before, "touchpoint_answers_total", **labels
    )
    assert gained == 1


def gained(before, after, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_invitations_that_expire_unanswered_are_counted_with_their_reason(
    client, api_key, shop_journey
):
    anna = await sent_invitation(client, api_key)
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=anna.id).update(expires_at=past)
    before = await scrape(client)

    assert await expire_invitations(datetime.now(UTC), SurveysSettings().link_lifetime) == 1
    assert await expire_invitations(datetime.now(UTC), SurveysSettings().link_lifetime) == 0

    after = await scrape(client)
    ended = "touchpoint_invitations_ended_total"
    # Its own label, however many other reasons the process has counted before.
    assert reason_label(expiry_reason(SurveysSettings().link_lifetime)) == "no answer within days"
    assert gained(before, after, ended, state="expired", reason="no answer within days") == 1


async def test_resolution_survey_answers_are_counted_once_by_source_and_satisfaction(client, db):
    case = await sent_survey(await resolved_case(await shop(), ANNA))
    token = case.resolution_survey_token
    before = await scrape(client)

    await client.post(f"/r/{token}", data={"score": "5"})
    await client.post(f"/r/{token}", data={"score": "2"})  # a change: not a new answer

    after = await scrape(client)
    answers = "touchpoint_resolution_answers_total"
    assert gained(before, after, answers, source="web", satisfied="yes") == 1
    assert gained(before, after, answers, source="web", satisfied="no") == 0


async def test_follow_up_cases_open_and_overdue_are_shown(client, db):
    touchpoints = await store()
    after_sales = touchpoints["after-sales"]
    await unhappy(after_sales, ANNA, answered_at=datetime.now(UTC) - timedelta(days=2))
    await unhappy(after_sales, BEN, answered_at=datetime.now(UTC))

    found = await scrape(client)

    assert value(found, "touchpoint_follow_up_cases_open") == 2
    assert value(found, "touchpoint_follow_up_cases_overdue") == 1


async def test_failing_webhook_deliveries_are_shown(client, db):
    endpoint = await WebhookEndpoint.create(url="https://hooks.example/in", secret="s")
    later = datetime.now(UTC) + timedelta(hours=1)

    def delivery(event: str, status: str, error: str | None) -> WebhookDelivery:
        return WebhookDelivery(
            endpoint=endpoint,
            event_id=event,
            event_type="case.opened",
            body="{}",
            status=status,
            last_error=error,
            give_up_at=later,
        )

    await WebhookDelivery.bulk_create(
        [
            delivery("e1", "pending", "HTTP 500"),
            delivery("e2", "pending", None),
            delivery("e3", "failed", "timed out"),
            delivery("e4", "delivered", None),
        ]
    )

    found = await scrape(client)

    assert value(found, "touchpoint_webhook_deliveries_failing", state="retrying") == 1
    assert value(found, "touchpoint_webhook_deliveries_failing", state="failed") == 1


async def test_a_figure_that_cannot_be_read_is_left_out_and_marked(db):
    away = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        families = {family.name: family for family in await read_figures(away)}
    finally:
        await away.aclose()

    ok = {s.labels["figure"]: s.value for s in families["touchpoint_figure_ok"].samples}
    assert ok["queue"] == 0 and ok["invitations"] == 1
    assert "touchpoint_queue_jobs" not in families
    ready = {s.labels["check"]: s.value for s in families["touchpoint_ready"].samples}
    assert ready == {"database": 1, "redis": 0, "migrations": 1}


async def test_a_metrics_token_is_asked_for_when_set(runtime: Runtime):
    settings = runtime.settings.model_copy(update={"metrics_token": SecretStr("scrape-me")})
    guarded = dataclasses.replace(runtime, settings=settings)
    transport = httpx.ASGITransport(app=create_app(runtime=guarded))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        missing = await http.get("/metrics")
        wrong = await http.get("/metrics", headers={"Authorization": "Bearer guess"})
        right = await http.get("/metrics", headers={"Authorization": "Bearer scrape-me"})

    assert (missing.status_code, wrong.status_code, right.status_code) == (401, 401, 200)
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "touchpoint_events_total" in right.text
