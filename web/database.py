"""Database set-up: one tortoise-orm configuration for the web app, the worker and the CLI.

Each package is its own tortoise app with its own checked-in migrations.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise
from tortoise.migrations.api import migrate as run_migrations

from web.pg_connections import connection_settings

APPS = ("journeys", "surveys", "dispatch", "web")


def tortoise_config(database_url: str) -> dict[str, Any]:
    return {
        "connections": {"default": connection_settings(database_url)},
        "apps": {
            app: {
                "models": [f"{app}.models"],
                "migrations": f"{app}.migrations",
                "default_connection": "default",
            }
            for app in APPS
        },
        "use_tz": True,
        "timezone": "UTC",
    }


async def migrate(database_url: str) -> None:
    """Apply every checked-in migration that the database has not seen yet."""
    try:
        await run_migrations(config=tortoise_config(database_url))
    finally:
        await Tortoise.close_connections()


async def connect(database_url: str) -> None:
    """Connect for the whole process: the server's lifespan runs in another task than its
    requests, so the connections must be global rather than bound to one task's context."""
    await Tortoise.init(config=tortoise_config(database_url), _enable_global_fallback=True)


async def disconnect() -> None:
    await Tortoise.close_connections()


#: For tortoise's own command line (`tortoise -c web.database.TORTOISE_ORM makemigrations`).
TORTOISE_ORM = tortoise_config("sqlite://.touchpoint/makemigrations.sqlite3")
