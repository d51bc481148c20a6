"""Guessing survey links is slowed per client address.

A survey, resolution-survey or unsubscribe link carries its token as the only credential.
Each unknown token (a 404 on /s/, /r/ or /u/) is counted per client address in Redis, so
the count holds across web processes; past `allowed` misses within the window, every token
path answers 429 with Retry-After to that address until the window ends, known tokens too
(else a guesser would simply carry on until a hit). The address is the one uvicorn gives:
behind a proxy listed in forwarded_allow_ips, the forwarded one. If Redis does not answer,
the pages are served unthrottled rather than not at all, and a Redis that takes the
connection but does not answer is given `REDIS_WAIT_SECONDS`, not the customer's patience.

Whether an address is blocked is known in the process (web/token_blocks.py: each process
follows the blocks on Redis pub/sub), so a page costs no Redis round trip; only while a
process is not following them does it ask Redis per request.
"""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.settings import Settings
from web.token_blocks import TokenBlocks

TOKEN_PATHS = ("/s/", "/r/", "/u/")
#: Redis answers in a millisecond; past this the page is served unthrottled.
REDIS_WAIT_SECONDS = 0.5

log = logging.getLogger("touchpoint.token_throttle")


def client_address(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else "unknown"


class TokenThrottleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(TOKEN_PATHS):
            await self.app(scope, receive, send)
            return
        runtime = scope["app"].state.runtime
        settings, blocks, address = runtime.settings, runtime.token_blocks, client_address(scope)
        blocks.start()
        wait = blocks.wait_seconds(address)
        if wait is None:  # not following the blocks (yet): ask Redis
            try:
                async with asyncio.timeout(REDIS_WAIT_SECONDS):
                    wait = await blocks.ask(address, settings.survey_link_misses_allowed)
            except (OSError, RedisError) as error:  # TimeoutError is an OSError
                log.warning("survey links served unthrottled, Redis did not answer: %r", error)
                await self.app(scope, receive, send)
                return
        if wait:
            await _too_many(wait)(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            # Counted before the 404 leaves: the guesser's next request finds it counted.
            if message["type"] == "http.response.start" and message["status"] == 404:
                await _count_miss(blocks, address, settings)
            await send(message)

        await self.app(scope, receive, sending)


async def _count_miss(blocks: TokenBlocks, address: str, settings: Settings) -> None:
    window = settings.survey_link_miss_window_minutes * 60
    try:
        async with asyncio.timeout(REDIS_WAIT_SECONDS):
            await blocks.count_miss(address, settings.survey_link_misses_allowed, window)
    except (OSError, RedisError) as error:
        log.warning("an unknown survey link was not counted: %r", error)


def _too_many(wait: int) -> PlainTextResponse:
    text = (
        f"Too many unknown links from your address. Please try again in {wait} seconds.\n"
        f"来自您地址的无效链接过多，请在 {wait} 秒后重试。\n"
    )
    headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}
    return PlainTextResponse(text, status_code=429, headers=headers)
