"""Oversized console forms are refused with 413 before anything reads them.

The console's forms are small (64 KB is plenty); a journey's YAML is posted whole, so the
journey pages get a larger limit. The limits are per path prefix, the longest match wins;
the API, the survey pages and Twilio's webhooks keep their own checks.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.paths import is_console
from web.templating import problem_page

#: Bytes a console request body may hold, by path prefix.
LIMITS: dict[str, int] = {"/": 64 * 1024, "/journeys": 512 * 1024}


class TooLarge(Exception):
    pass


def limit_for(path: str, limits: dict[str, int] = LIMITS) -> int:
    prefix = max((p for p in limits if path.startswith(p)), key=len, default="/")
    return limits[prefix]


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: dict[str, int] | None = None) -> None:
        self.app, self.limits = app, limits or LIMITS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_console(scope["path"]):
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"], self.limits)
        declared = Request(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received, started = 0, False

        async def counting() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise TooLarge()
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except TooLarge:
            if started:
                raise
            await _refuse(scope, send, limit)


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    detail = f"A form here may hold at most {limit // 1024} KB. Nothing was changed."
    response = problem_page(Request(scope), 413, "Form too large", detail)
    await response(scope, _disconnect, send)


async def _disconnect() -> Message:
    return {"type": "http.disconnect"}
