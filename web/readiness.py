"""Readiness: whether this process can do its work now, for a load balancer or Kubernetes.

`/healthz` says the process is alive and nothing more, so a liveness probe never restarts
a process because the database is briefly away. `/readyz` asks what the work needs: the
database answers, Redis answers, and every migration this code ships has been applied (a
process started before `touchpoint migrate` ran would fail on the first query that needs
a new column). With a separate reports database (TOUCHPOINT_REPORTS_DATABASE_URL), it is
asked too and said, but not required: were it, a replica's outage would take the survey
pages and the event intake out of the load balancer with the review. Each check has its
own short timeout, so a hung dependency makes the process unready, not the probe slow.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from importlib import resources

from redis.asyncio import Redis
from tortoise import connections

from surveys.sql import REPORTS, reports_connected
from web.database import APPS

#: How long one check may take before it counts as failed.
TIMEOUT = 2.0
#: The table in which tortoise records the applied migrations.
MIGRATIONS_TABLE = "tortoise_migrations"
_MIGRATION_FILE = re.compile(r"^(\d{4}_\w+)\.py$")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    #: Whether the process is unready while this check fails.
    required: bool = True


def shipped_migrations() -> set[tuple[str, str]]:
    """(app, name) of every migration in the installed packages."""
    found = set()
    for app in APPS:
        for entry in resources.files(f"{app}.migrations").iterdir():
            if match := _MIGRATION_FILE.match(entry.name):
                found.add((app, match.group(1)))
    return found


async def _database() -> str:
    await connections.get("default").execute_query("SELECT 1")
    return "answers"


async def _reports_database() -> str:
    await connections.get(REPORTS).execute_query("SELECT 1")
    return "answers"


async def _redis(redis: Redis) -> str:
    await redis.ping()
    return "answers"


async def missing_migrations() -> list[str]:
    """`app.name` of every shipped migration the database has not applied, in order."""
    _, rows = await connections.get("default").execute_query(
        f"SELECT app, name FROM {MIGRATIONS_TABLE}"
    )
    missing = shipped_migrations() - {(row["app"], row["name"]) for row in rows}
    return [f"{app}.{name}" for app, name in sorted(missing)]


async def _migrations() -> str:
    if missing := await missing_migrations():
        raise LookupError(f"not applied: {', '.join(missing)} (run `touchpoint migrate`)")
    return "all applied"


async def _check(name: str, probe: Callable[[], Awaitable[str]]) -> Check:
    try:
        return Check(name, True, await asyncio.wait_for(probe(), TIMEOUT))
    except TimeoutError:
        return Check(name, False, f"no answer within {TIMEOUT:g} s")
    except Exception as error:  # any failure of a dependency is "not ready", said plainly
        return Check(name, False, f"{type(error).__name__}: {error}")


async def readiness(redis: Redis) -> list[Check]:
    """The checks, run at once: three, and the reports database's when it is separate."""
    checks = [
        _check("database", _database),
        _check("redis", lambda: _redis(redis)),
        _check("migrations", _migrations),
    ]
    if reports_connected():
        checks.append(_optional(_check("reports database", _reports_database)))
    return list(await asyncio.gather(*checks))


async def _optional(check: Awaitable[Check]) -> Check:
    return replace(await check, required=False)
