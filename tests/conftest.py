"""Shared test fixtures: a migrated database, a real Redis, loopback Twilio and SMTP servers.

The database is SQLite in a temporary folder, or the PostgreSQL named by
TEST_DATABASE_URL (its schema is dropped and migrated afresh once per run). Redis is the
one named by REDIS_URL, or the bundled redis-server started for this run.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from tortoise import Tortoise, connections

from dispatch.settings import SmtpSettings, TwilioSettings
from journeys.loader import load_journey
from journeys.schema import JourneyDefinition
from journeys.store import apply_journey
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.servers.webhooks import WebhookReceiver
from web.app import create_app
from web.auth import create_api_key
from web.database import connect, migrate
from web.redis import EmbeddedRedis
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings


def _reset_postgres(url: str) -> None:
    async def drop() -> None:
        import asyncpg

        conn = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
        try:
            await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
        finally:
            await conn.close()

    asyncio.run(drop())


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite://{tmp_path_factory.mktemp('db') / 'touchpoint.sqlite3'}"
    asyncio.run(migrate(url))
    return url


async def _empty_tables() -> None:
    conn = connections.get("default")
    tables = [model._meta.db_table for app in Tortoise.apps.values() for model in app.values()]
    if conn.capabilities.dialect == "postgres":
        await conn.execute_script(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
    else:
        statements = "".join(f"DELETE FROM {table};" for table in tables)
        await conn.execute_script(f"PRAGMA foreign_keys=OFF;{statements}PRAGMA foreign_keys=ON;")


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[str]:
    """A connected, empty database; yields its URL."""
    await connect(database_url)
    await _empty_tables()
    try:
        yield database_url
    finally:
        await Tortoise.close_connections()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    server = EmbeddedRedis(Path(tmp_path_factory.mktemp("redis")))
    try:
        yield server.url
    finally:
        server.shutdown()


@pytest.fixture
async def redis_url(redis_server: str) -> str:
    """A real Redis, emptied for this test."""
    from redis.asyncio import Redis

    client = Redis.from_url(redis_server)
    await client.flushdb()
    await client.aclose()
    return redis_server


@pytest.fixture
def settings(db: str, redis_url: str, tmp_path: Path) -> Settings:
    """Settings as a test would set them: this database, this Redis, console channels only.

    On PostgreSQL a secret key is given, as production must; SQLite keeps one in tmp_path.
    """
    return Settings(
        data_dir=tmp_path,
        database_url=db,
        redis_url=redis_url,
        public_url="http://testserver",
        secret_key=None if db.startswith("sqlite://") else "a test key, not a secret one",
        twilio=TwilioSettings(),
        smtp=SmtpSettings(),
    )


@pytest.fixture
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    running = await start_runtime(settings, connect_database=False)
    try:
        yield running
    finally:
        await stop_runtime(running, disconnect_database=False)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client talking to the app in this event loop."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def api_key(db: str) -> str:
    _, key = await create_api_key("tests")
    return key


SHOP_JOURNEY = Path(__file__).parent / "journeys" / "fixtures" / "shop.yaml"


@pytest.fixture
async def shop_journey(db: str) -> JourneyDefinition:
    """The online-store journey with a send window open all day, every day."""
    text = SHOP_JOURNEY.read_text("utf-8")
    definition = load_journey(text, source=str(SHOP_JOURNEY))
    await apply_journey(definition, text)
    return definition


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[TwilioServer]:
    with TwilioServer() as server:
        yield server


@pytest.fixture
def twilio(twilio_server: TwilioServer) -> Iterator[TwilioServer]:
    """A Twilio-compatible Messages API at `twilio.url`, with no messages and no faults."""
    twilio_server.reset()
    yield twilio_server
    twilio_server.reset()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """An SMTP server at `smtp.host`:`smtp.port`, with no messages and no refusals."""
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()


@pytest.fixture(scope="session")
def webhook_receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def receiver(webhook_receiver: WebhookReceiver) -> Iterator[WebhookReceiver]:
    """An integrator's webhook receiver at `receiver.url`, answering 200, with no POSTs yet."""
    webhook_receiver.reset()
    yield webhook_receiver
    webhook_receiver.reset()
