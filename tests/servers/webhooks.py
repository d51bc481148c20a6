"""A webhook receiver on loopback, as an integrator would run one, for the real POSTs.

It keeps every POST it was sent (`posts`: headers, raw body, the status it answered) and
answers 200 unless a test scripts otherwise: `answer_next(500, 500)` answers the next
POSTs with those statuses, `answer_always(503)` never recovers, `hold_next(seconds)` takes
a POST and answers only after `seconds`, the place a worker may die in. Like a careful
receiver it checks each signature with `dispatch.webhooks.verify_signature` when given the
endpoint's `secret`, and `events()` lists the events it accepted, a replayed event id once.
"""

from __future__ import annotations

import asyncio
import json
import math
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from dispatch.webhooks import SIGNATURE, InvalidSignature, verify_signature


@dataclass(frozen=True)
class Post:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    #: None when the receiver has no secret to check with, else whether the signature held.
    signed: bool | None

    @property
    def event_id(self) -> str:
        return self.headers.get("touchpoint-event-id", "")

    @property
    def event_type(self) -> str:
        return self.headers.get("touchpoint-event-type", "")

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """The loopback receiver; use as a context manager. POST to `url` + any path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._generation = 0
        self._posts: list[Post] = []
        self._script: deque[tuple[int, float]] = deque()
        self._always: int | None = None
        self.secret: str | None = None
        self.app = Starlette(routes=[Route("/{path:path}", self._receive, methods=["POST"])])
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    # --- what a test controls ------------------------------------------------------------

    def answer_next(self, *statuses: int) -> None:
        with self._lock:
            self._script.extend((status, 0.0) for status in statuses)

    def answer_always(self, status: int) -> None:
        with self._lock:
            self._always = status

    def hold_next(self, seconds: float, status: int = 200) -> None:
        """The next POST is taken at once, and answered `seconds` later."""
        with self._lock:
            self._script.append((status, seconds))

    def reset(self) -> None:
        with self._lock:
            self._generation += 1
            self._posts.clear()
            self._script.clear()
            self._always = None
            self.secret = None

    # --- what a test reads -----------------------------------------------------------------

    @property
    def posts(self) -> list[Post]:
        with self._lock:
            return list(self._posts)

    def events(self) -> list[str]:
        """The event ids accepted (answered 2xx with a good signature), each once."""
        seen: list[str] = []
        for post in self.posts:
            good = 200 <= post.status < 300 and post.signed is not False
            if good and post.event_id not in seen:
                seen.append(post.event_id)
        return seen

    # --- the receiver --------------------------------------------------------------------

    async def _receive(self, request: Request) -> PlainTextResponse:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        with self._lock:
            generation = self._generation
            status, delay = self._script.popleft() if self._script else (self._always or 200, 0)
            signed = self._check(body, headers)
            if signed is False:
                status = 400
            self._posts.append(Post(request.url.path, headers, body, status, signed))
        await self._sleep(delay, generation)
        return PlainTextResponse(f"answered {status}", status_code=status)

    def _check(self, body: bytes, headers: dict[str, str]) -> bool | None:
        if self.secret is None:
            return None
        try:
            verify_signature(
                self.secret, body, headers.get(SIGNATURE.lower(), ""), datetime.now(UTC)
            )
        except InvalidSignature:
            return False
        return True

    async def _sleep(self, seconds: float, generation: int) -> None:
        steps = math.ceil(seconds / 0.05)
        for _ in range(steps):
            if generation != self._generation:
                return
            await asyncio.sleep(seconds / steps)

    # --- running -----------------------------------------------------------------------------

    def start(self) -> WebhookReceiver:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [sock]}, daemon=True
        )
        self._thread.start()
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError("the loopback webhook receiver did not start")
            time.sleep(0.01)
        self.url = f"http://127.0.0.1:{port}"
        return self

    def stop(self) -> None:
        self.reset()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
