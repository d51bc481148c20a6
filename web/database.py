"""Database set-up: one tortoise-orm configuration for the web app, the worker and the CLI.

Each package is its own tortoise app with its own checked-in migrations.

With TOUCHPOINT_REPORTS_DATABASE_URL set (a read replica, say), a second connection,
`reports`, is opened beside `default`, with a router that sends the ORM's reads made inside
`surveys.sql.reading_reports()` to it. Writes always go to `default`, and so do migrations:
a replica gets its schema by replication.

tortoise builds the reports connection from the configuration like any other, but it is
then taken out of the configuration again: `in_transaction()` without a connection name,
which the whole code base writes, needs exactly one configured connection. The client
stays in tortoise's connection store, where its router finds it by name, and is closed
here on disconnect.
"""

from __future__ import annotations

from typing import Any

from tortoise import Tortoise, connections
from tortoise.backends.base.executor import EXECUTOR_CACHE
from tortoise.migrations.api import migrate as run_migrations

from surveys.sql import REPORTS, reads_reports, reports_connected, use_reports_connection
from web.pg_connections import connection_settings

APPS = ("journeys", "surveys", "dispatch", "web")


class ReportsRouter:
    """tortoise's router: a report's reads to the reports connection, nothing else."""

    def db_for_read(self, model: type) -> str | None:
        return REPORTS if reads_reports() else None

    def db_for_write(self, model: type) -> str | None:
        return None


def tortoise_config(database_url: str, reports_url: str | None = None) -> dict[str, Any]:
    """The configuration; a reports URL equal to the main one adds nothing."""
    separate = bool(reports_url) and reports_url != database_url
    connections = {"default": connection_settings(database_url)}
    if separate:
        assert reports_url is not None
        connections[REPORTS] = connection_settings(reports_url)
    return {
        "connections": connections,
        "routers": [ReportsRouter] if separate else [],
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


async def connect(database_url: str, reports_url: str | None = None) -> None:
    """Connect for the whole process: the server's lifespan runs in another task than its
    requests, so the connections must be global rather than bound to one task's context."""
    await _close_reports()
    # tortoise keeps each model's INSERT statement by connection name, not by database
    # kind: a process that connects again to another kind (the tests do) would send
    # SQLite's `?` placeholders to PostgreSQL.
    EXECUTOR_CACHE.clear()
    config = tortoise_config(database_url, reports_url)
    await Tortoise.init(config=config, _enable_global_fallback=True)
    separate = connections.db_config.pop(REPORTS, None) is not None
    use_reports_connection(separate)


async def disconnect() -> None:
    await _close_reports()
    await Tortoise.close_connections()


async def _close_reports() -> None:
    if not reports_connected():
        return
    use_reports_connection(False)
    client = connections.discard(REPORTS)
    if client is not None:
        await client.close()


#: For tortoise's own command line (`tortoise -c web.database.TORTOISE_ORM makemigrations`).
TORTOISE_ORM = tortoise_config("sqlite://.touchpoint/makemigrations.sqlite3")
