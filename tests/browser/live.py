"""Touchpoint served for real on a loopback port, for the browser to reach.

The app, its database connections and its Redis pool live in a thread of their own with its
own event loop, under uvicorn, as in production. The browser tests themselves are plain
functions (Playwright's sync API cannot run inside an event loop), so whatever a story must
do on the server's side (apply a journey, run the worker, read what was stored) is handed to
that loop with `run`.
"""

from __future__ import annotations

import asyncio
import re
import socket
import threading
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TypeVar

import httpx
import uvicorn

from dispatch.models import Message
from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.models import Invitation
from tests.stories import Person, Shop, run_worker_until_idle
from web.app import create_app
from web.auth import create_api_key
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings

T = TypeVar("T")
SHOP_JOURNEY = Path(__file__).resolve().parents[1] / "journeys" / "fixtures" / "shop.yaml"


class LiveServer:
    """uvicorn serving `create_app` on 127.0.0.1, on a port of its own."""

    def __init__(self, settings: Settings, listener: socket.socket) -> None:
        self.settings = settings
        self.url = settings.public_url
        self._listener = listener
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._serving: Future[None] | None = None
        self.runtime: Runtime | None = None
        self._server: uvicorn.Server | None = None

    def run(self, work: Callable[[], Awaitable[T]], timeout: float = 60) -> T:
        """Call `work` and await it in the server's event loop, where its database
        connections live: `live.run(lambda: Answer.get(invitation_id=7))`. (A query must be
        built there too, hence a function rather than the query itself.)"""

        async def call() -> T:
            return await work()

        return asyncio.run_coroutine_threadsafe(call(), self._loop).result(timeout)

    def start(self) -> None:
        self._thread.start()
        self.runtime = self.run(lambda: start_runtime(self.settings))
        config = uvicorn.Config(
            create_app(runtime=self.runtime), log_level="warning", ws="none", lifespan="on"
        )
        self._server = uvicorn.Server(config)
        self._serving = asyncio.run_coroutine_threadsafe(
            self._server.serve(sockets=[self._listener]), self._loop
        )
        for _ in range(200):
            if self._server.started or self._serving.done():
                break
            time.sleep(0.05)
        if not self._server.started:
            self.stop()
            raise RuntimeError(f"the app did not start on {self.url}")

    def stop(self) -> None:
        if self._server is not None and self._serving is not None:
            self._server.should_exit = True
            self._serving.result(30)
        if self.runtime is not None:
            runtime = self.runtime
            self.run(lambda: stop_runtime(runtime))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)
        self._loop.close()
        self._listener.close()

    def reset(self) -> None:
        """Empty every table and the Redis database, as each test expects to find them."""
        from tests.conftest import _empty_tables

        assert self.runtime is not None
        redis = self.runtime.redis
        self.run(_empty_tables)
        self.run(redis.flushdb)


def listen_on_loopback() -> socket.socket:
    """A listening socket on a free port, handed to uvicorn so no one can take it between."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    return listener


class LiveShop:
    """The online shop of the stories, as its system and its customers meet Touchpoint: the
    journey applied, events posted over HTTP, invitations sent by the real worker through
    the console channel (the outbox)."""

    def __init__(self, live: LiveServer) -> None:
        self.live = live
        self.api_key = live.run(self._open)

    @staticmethod
    async def _open() -> str:
        text = SHOP_JOURNEY.read_text("utf-8")
        await apply_journey(load_journey(text, source=str(SHOP_JOURNEY)), text)
        _, key = await create_api_key("shop")
        return key

    def delivered(self, order: str, to: Person, days_ago: float = 8) -> Invitation:
        """The order was delivered `days_ago`: its `use` survey falls due and is sent, by SMS
        to a customer with a phone."""
        return self._sent(order, lambda shop: shop.delivered(order, to, days_ago))

    def ticket_closed(self, ticket: str, to: Person, days_ago: float = 8) -> Invitation:
        """The help desk closed a ticket `days_ago`: its `after-sales` survey is sent, by
        email to a customer with an address."""
        return self._sent(ticket, lambda shop: shop.ticket_closed(ticket, to, days_ago))

    def _sent(self, event_id: str, post: Callable[[Shop], Awaitable[object]]) -> Invitation:
        """Post the event over HTTP, let the worker send what fell due, find the invitation."""
        runtime = self.live.runtime
        assert runtime is not None

        async def send() -> Invitation:
            async with httpx.AsyncClient(base_url=self.live.url) as http:
                await post(Shop(http, self.api_key))
            await run_worker_until_idle(runtime)
            return await Invitation.get(interaction__event_id=event_id).prefetch_related("customer")

        return self.live.run(send)

    def revise(self, old: str, new: str, note: str) -> int:
        """A new version of the shop's journey, its text with `old` replaced by `new`."""

        async def apply() -> int:
            text = SHOP_JOURNEY.read_text("utf-8").replace(old, new)
            definition = load_journey(text, source=str(SHOP_JOURNEY))
            return (await apply_journey(definition, text, note=note)).version

        return self.live.run(apply)

    def link_sent_for(self, invitation: Invitation, page: str = "s") -> str:
        """A link in the message the customer received: the survey (`s`), or in an email
        the unsubscribe page (`u`)."""
        message = self.live.run(lambda: Message.get(invitation_id=invitation.id))
        found = re.search(rf"https?://[^\s/]+/{page}/[A-Za-z0-9_-]+", message.body)
        assert found, f"no /{page}/ link in {message.body!r}"
        return found.group(0)
