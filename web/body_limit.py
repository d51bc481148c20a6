"""Oversized request bodies are refused with 413 before anything reads them whole, on every
path: a declared Content-Length over the limit at once, a body sent in chunks (no length)
as soon as what arrived passes it.

The console's forms are small (64 KB is plenty); a journey's YAML is posted whole, so the
journey pages get a larger limit; an API batch of events gets the most. The survey pages
and Twilio's webhooks post a few fields. The limits are per path prefix, the longest match
wins. The refusal speaks each audience's language: JSON on the API, the console's problem
page, plain text to customers and Twilio.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.paths import API, is_api, is_console
from web.routes.api import error_response
from web.templating import problem_page

#: Bytes a request body may hold, by path prefix.
LIMITS: dict[str, int] = {
    "/": 64 * 1024,
    "/journeys": 512 * 1024,
    API: 4 * 1024 * 1024,
    "/s/": 64 * 1024,
    "/r/": 64 * 1024,
    "/u/": 64 * 1024,
    "/twilio/": 64 * 1024,
}


class TooLarge(Exception):
    pass


def limit_for(path: str, limits: dict[str, int] = LIMITS) -> int:
    prefix = max((p for p in limits if path.startswith(p)), key=len, default="/")
    return limits[prefix]


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, limits: dict[str, int] | None = None) -> None:
        self.app, self.limits = app, limits or LIMITS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = limit_for(scope["path"], self.limits)
        declared = Request(scope).headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(scope, send, limit)
            return
        received, started, over = 0, False, False

        async def counting() -> Message:
            nonlocal received, over
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                over = True
                raise TooLarge()
            return message

        async def sending(message: Message) -> None:
            # An endpoint that caught TooLarge with the rest (say, as an unreadable form)
            # answers nothing: the 413 below does.
            nonlocal started
            if over and not started:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counting, sending)
        except TooLarge:
            if started:
                raise
        if over and not started:
            await _refuse(scope, send, limit)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    path, size = scope["path"], _size(limit)
    response: Response
    if is_api(path):
        message = f"the body may hold at most {size}; nothing was taken"
        response = error_response(413, message, "body")
    elif is_console(path):
        detail = f"A form here may hold at most {size}. Nothing was changed."
        response = problem_page(Request(scope), 413, "Form too large", detail)
    else:
        message = f"Too large: at most {size} may be sent here. Nothing was changed."
        response = PlainTextResponse(message, status_code=413)
    await response(scope, _disconnect, send)


async def _disconnect() -> Message:
    return {"type": "http.disconnect"}
