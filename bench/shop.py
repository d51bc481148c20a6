"""What every benchmark starts from: a migrated database, the running parts, the test
shop's journey and an API key, and the app to post events to."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from tortoise import Tortoise

from journeys.loader import load_journey
from journeys.store import apply_journey
from web.app import create_app
from web.auth import create_api_key
from web.database import connect, migrate
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings

SHOP = Path(__file__).resolve().parents[1] / "tests" / "journeys" / "fixtures" / "shop.yaml"


@dataclass
class Bench:
    url: str
    runtime: Runtime
    http: httpx.AsyncClient
    key: str

    @property
    def database(self) -> str:
        return self.url.split(":", 1)[0]


@asynccontextmanager
async def open_shop(
    database_url: str | None, settings_update: dict[str, Any] | None = None
) -> AsyncIterator[Bench]:
    """A temporary SQLite database unless a URL is given (its tables are migrated);
    `settings_update` replaces settings (e.g. Twilio pointed at a loopback server)."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite://{folder}/bench.sqlite3"
        await migrate(url)
        await connect(url)
        # A key of its own: against PostgreSQL no process starts without one.
        settings = Settings(
            data_dir=Path(folder), database_url=url, secret_key=secrets.token_urlsafe(32)
        ).model_copy(update=settings_update or {})
        runtime = await start_runtime(settings, connect_database=False)
        try:
            text = SHOP.read_text("utf-8")
            await apply_journey(load_journey(text), text)
            _, key = await create_api_key("bench")
            app = create_app(runtime=runtime)
            transport = httpx.ASGITransport(app=app)
            # The app's start-up as uvicorn runs it (httpx's transport does not).
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(transport=transport, base_url="http://bench") as http,
            ):
                yield Bench(url, runtime, http, key)
        finally:
            await stop_runtime(runtime, disconnect_database=False)
            await Tortoise.close_connections()
