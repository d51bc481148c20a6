"""One id per request, in the X-Request-ID response header and on every line it logs.

A proxy or client that already gave the request an id (X-Request-ID) keeps it, when it is
short and plain (letters, digits, `-`, `_`, `.`, `:`); anything else is replaced, so a log
line never carries what a stranger chose to write into it. The id lives in a context
variable that web/logs.py reads, for the app's lines and for uvicorn's access line alike.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "X-Request-ID"
_SAFE = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str | None] = ContextVar("request_id", default=None)


def accepted_id(incoming: str | None) -> str:
    """The client's id when it is safe to log, else a new one."""
    if incoming and _SAFE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """The outermost middleware: the id is set before anything of the request is logged."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        this_id = accepted_id(Headers(scope=scope).get(HEADER))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = this_id
            await send(message)

        token = request_id.set(this_id)
        await self.app(scope, receive, send_with_id)
        # Not in a `finally`: when the app raises, uvicorn logs the error after this returns,
        # and that line should carry the id too. uvicorn runs each request in a task of its
        # own, so the id ends with the request anyway.
        request_id.reset(token)
