"""A request that meets the database or Redis away (a restart, a failover) is answered 503
with Retry-After, not 500 with a traceback.

An integrator's client retries a 503 by itself; a 500 says our code is wrong, which it is
not. The operator's log gets one line naming what was away instead of a traceback per
request. Only errors that mean "could not reach it" are caught here; anything else is
still a 500. Nothing is caught once the response has started.
"""

from __future__ import annotations

import logging

import asyncpg
import redis.exceptions
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from tortoise.exceptions import DBConnectionError

from web.paths import is_api
from web.routes.api import error_response
from web.templating import problem_page

log = logging.getLogger("touchpoint.web")

#: Seconds a client is asked to wait: a restart or a failover takes a few.
RETRY_AFTER = 5

_DATABASE_AWAY: tuple[type[BaseException], ...] = (
    DBConnectionError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.ConnectionDoesNotExistError,
)
_REDIS_AWAY = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def _chain(error: BaseException, longest: int = 5) -> list[BaseException]:
    """The error and what it was raised from or while handling: a transaction's rollback
    fails on the closed connection that failed the query."""
    chain: list[BaseException] = []
    cause: BaseException | None = error
    while cause is not None and len(chain) < longest:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    return chain


def what_is_away(error: BaseException) -> str | None:
    """Which part could not be reached ("the database", "Redis") when `error`, or what
    it came from, says so; None for any other error."""
    for cause in _chain(error):
        if isinstance(cause, _DATABASE_AWAY):
            return "the database"
        if isinstance(cause, _REDIS_AWAY):
            return "Redis"
        if isinstance(cause, ConnectionError | TimeoutError):
            return "the database or Redis"
    return None


def unavailable_response(request: Request, away: str) -> Response:
    message = f"{away} is unavailable for a moment; try again in {RETRY_AFTER} seconds"
    headers = {"Retry-After": str(RETRY_AFTER)}
    if is_api(request.url.path):
        return error_response(503, message, headers=headers)
    page = problem_page(request, 503, "Unavailable for a moment", message)
    page.headers.update(headers)
    return page


class UnavailableMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception as error:
            away = what_is_away(error)
            if away is None or started:
                raise
            request = Request(scope)
            log.warning(
                "%s %s answered 503: %s is unavailable (%s: %s)",
                request.method, request.url.path, away, type(error).__name__, error,
            )  # fmt: skip
            await unavailable_response(request, away)(scope, receive, send)
