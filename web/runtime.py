"""The running parts, built once from settings: database, Redis queue and channels.

The web app and the worker both start from here, so `touchpoint up`, `touchpoint web` and
`touchpoint worker` wire the same things the same way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from arq import create_pool
from arq.connections import ArqRedis
from redis.asyncio import Redis

from dispatch.channels import registry
from dispatch.channels.base import BuildContext
from dispatch.channels.registry import Channels
from web import database
from web.redis import EmbeddedRedis
from web.redis_urls import redis_settings
from web.secret_key import resolve_secret_key
from web.settings import Settings
from web.token_blocks import TokenBlocks

log = logging.getLogger("touchpoint")


@dataclass
class Runtime:
    settings: Settings
    redis_url: str
    redis: ArqRedis
    channels: Channels
    #: Signs session cookies and CSRF tokens (web/secret_key.py).
    secret_key: str
    embedded_redis: EmbeddedRedis | None = None
    #: The addresses refused survey links, followed once a link is served.
    token_blocks: TokenBlocks = field(init=False)

    def __post_init__(self) -> None:
        self.token_blocks = TokenBlocks(self.redis)

    def worker_context(self) -> dict[str, Any]:
        return {
            "redis": self.redis,  # arq puts its own pool here; direct callers use ours
            "channels": self.channels,
            "public_url": self.settings.public_url,
            "max_send_attempts": self.settings.dispatch.max_send_attempts,
            "send_retry_first_wait": self.settings.dispatch.send_retry_first_wait_seconds,
            "stuck_send_grace": timedelta(seconds=self.settings.dispatch.stuck_send_grace_seconds),
            "contact_across_journeys": self.settings.dispatch.across_journeys,
            "lock_ttl_seconds": self.settings.dispatch.job_timeout_seconds + 10,
            "link_lifetime": self.settings.surveys.link_lifetime,
            "retention_days": self.settings.retention_days,
            "follow_up_reminder_minutes": self.settings.dispatch.follow_up_reminder_minutes,
            "webhook_retry_window": timedelta(
                seconds=self.settings.dispatch.webhook_retry_window_seconds
            ),
            "webhook_first_retry_seconds": self.settings.dispatch.webhook_first_retry_seconds,
            "webhook_max_retry_delay_seconds": (
                self.settings.dispatch.webhook_max_retry_delay_seconds
            ),
            "webhook_timeout_seconds": self.settings.dispatch.webhook_timeout_seconds,
        }

    async def new_redis_pool(self) -> ArqRedis:
        """A pool of its own for the worker, which closes its pool when it stops."""
        return await create_pool(redis_settings(self.redis_url))


def build_channels(settings: Settings, redis: Redis) -> Channels:
    """Every channel whose settings section is complete, the console standing in for the
    rest; a channel that shares a limit across workers (the SMS sender's) keeps it here."""
    return registry.build_channels(settings, BuildContext(settings.public_url, redis))


def redis_url(settings: Settings) -> tuple[str, EmbeddedRedis | None]:
    if settings.redis_url:
        return settings.redis_url, None
    embedded = EmbeddedRedis(settings.data_dir.resolve() / "redis")
    log.info("using the bundled Redis at %s", embedded.url)
    return embedded.url, embedded


async def start_runtime(settings: Settings, *, connect_database: bool = True) -> Runtime:
    secret_key = resolve_secret_key(settings)
    url, embedded = redis_url(settings)
    if connect_database:
        await database.connect(settings.effective_database_url, settings.reports_database_url)
    redis = await create_pool(redis_settings(url))
    return Runtime(settings, url, redis, build_channels(settings, redis), secret_key, embedded)


async def stop_runtime(runtime: Runtime, *, disconnect_database: bool = True) -> None:
    await runtime.token_blocks.stop()
    await runtime.channels.close()
    await runtime.redis.aclose()
    if disconnect_database:
        await database.disconnect()
    if runtime.embedded_redis is not None:
        runtime.embedded_redis.shutdown()
