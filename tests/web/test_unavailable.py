"""While the database or Redis is away, a request is answered 503 with Retry-After."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest
import redis.exceptions
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dispatch.settings import SmtpSettings, TwilioSettings
from journeys.loader import load_journey
from journeys.store import apply_journey
from tests.chaos.cluster import PostgresCluster, unavailable
from tests.conftest import SHOP_JOURNEY
from tests.stories import ANNA
from web.app import create_app
from web.auth import create_api_key
from web.database import migrate
from web.runtime import start_runtime, stop_runtime
from web.settings import Settings
from web.unavailable import RETRY_AFTER, UnavailableMiddleware, what_is_away


def closed_mid_query() -> BaseException:
    """A transaction's rollback failing on the connection the server just closed."""
    try:
        raise asyncpg.ConnectionDoesNotExistError("connection was closed in the middle")
    except asyncpg.ConnectionDoesNotExistError:
        try:
            raise asyncpg.InterfaceError("cannot call Transaction.rollback()")
        except asyncpg.InterfaceError as error:
            return error


@pytest.mark.parametrize(
    "error, away",
    [
        (asyncpg.CannotConnectNowError("starting up"), "the database"),
        (asyncpg.ConnectionDoesNotExistError("closed"), "the database"),
        (closed_mid_query(), "the database"),
        (ConnectionRefusedError(111, "Connect call failed"), "the database or Redis"),
        (redis.exceptions.ConnectionError("Connection closed by server."), "Redis"),
        (asyncpg.InterfaceError("cannot perform operation: another one is in progress"), None),
        (ValueError("a bug"), None),
    ],
)
def test_what_is_away(error, away):
    assert what_is_away(error) == away


def app_raising(error: Exception) -> Starlette:
    async def endpoint(request: Request) -> Response:
        raise error

    routes = [Route("/api/v1/events", endpoint), Route("/s/{token}", endpoint)]
    return Starlette(routes=routes, middleware=[Middleware(UnavailableMiddleware)])


async def get(app: Starlette, path: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return await http.get(path)


async def test_the_api_says_which_part_is_away_and_when_to_try_again():
    answer = await get(app_raising(closed_mid_query()), "/api/v1/events")

    assert answer.status_code == 503
    assert answer.headers["retry-after"] == str(RETRY_AFTER)
    assert answer.json() == {
        "error": {
            "message": f"the database is unavailable for a moment;"
            f" try again in {RETRY_AFTER} seconds"
        }
    }


async def test_a_page_says_it_in_words():
    error = redis.exceptions.ConnectionError("Connection closed by server.")
    answer = await get(app_raising(error), "/s/some-token")

    assert answer.status_code == 503
    assert answer.headers["retry-after"] == str(RETRY_AFTER)
    assert "Redis is unavailable for a moment" in answer.text


async def test_any_other_error_is_still_a_500():
    answer = await get(app_raising(ValueError("a bug")), "/api/v1/events")

    assert answer.status_code == 500


@pytest.fixture
async def cluster() -> AsyncIterator[PostgresCluster]:
    reason = unavailable()
    if reason:
        pytest.skip(f"needs a PostgreSQL cluster of its own: {reason}")
    started = PostgresCluster().start()
    try:
        yield started
    finally:
        started.stop()


@pytest.mark.slow
async def test_events_posted_while_the_database_restarts_get_503_then_go_in(
    cluster, redis_url, tmp_path: Path
):
    await migrate(cluster.url)
    settings = Settings(
        data_dir=tmp_path,
        database_url=cluster.url,
        redis_url=redis_url,
        public_url="http://testserver",
        secret_key="a test key, not a secret one",
        twilio=TwilioSettings(),
        smtp=SmtpSettings(),
    )
    runtime = await start_runtime(settings)
    try:
        text = SHOP_JOURNEY.read_text("utf-8")
        await apply_journey(load_journey(text, source=str(SHOP_JOURNEY)), text)
        _, key = await create_api_key("shop")
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        headers = {"Authorization": f"Bearer {key}"}
        event = {
            "id": "A-1",
            "type": "order.delivered",
            "occurred_at": "2026-01-05T10:00:00Z",
            "customer": ANNA.as_customer(),
        }
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", headers=headers
        ) as http:
            cluster.halt()
            away = await http.post("/api/v1/events", json={"events": [event]})
            cluster.start()
            back = await http.post("/api/v1/events", json={"events": [event]})
    finally:
        await stop_runtime(runtime)

    assert away.status_code == 503, away.text
    assert away.headers["retry-after"] == str(RETRY_AFTER)
    assert "the database is unavailable" in away.json()["error"]["message"]
    assert back.status_code == 200, back.text
    assert back.json()["accepted"] == 1
