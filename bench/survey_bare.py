"""The bare baseline of bench/survey.py: the survey page with nothing but the driver.

A Starlette app served by uvicorn like `touchpoint web`, with one route each way:
GET /s/<token> reads the invitation by its token with the bare driver (asyncpg, or
aiosqlite: the drivers under tortoise) and renders the same template with the same
context; POST /s/<token> parses the same form, then in one transaction marks the
invitation answered and inserts the answer, and redirects like ours. The journey's survey
is read once at start: the bare page does not look it up per request.

    python bench/survey_bare.py --port 8001 --database-url sqlite:///tmp/x.sqlite3
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import uvicorn
from shop import SHOP  # bench/shop.py: run as python bench/NAME.py
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from journeys.loader import load_journey
from surveys.responses import COMMENT_LIMIT, FIELDS
from web.i18n import OTHER_LOCALE, translate
from web.routes.survey import HEADERS
from web.templating import templates

DEFINITION = load_journey(SHOP.read_text("utf-8"))
TOUCHPOINT = DEFINITION.touchpoint("use")
SURVEY = DEFINITION.surveys[TOUCHPOINT.survey]
SELECT = "SELECT id, token, status, locale, expires_at FROM invitation WHERE token = {0}"
ANSWER = (
    "UPDATE invitation SET status = 'answered', updated_at = {0} WHERE token = {1}"
    " AND status IN ('sent', 'delivered') RETURNING id, touchpoint_id"
)
INSERT = (
    "INSERT INTO answer (invitation_id, touchpoint_id, nps, csat, comment, source,"
    " answered_at, updated_at) VALUES ({0}, {1}, {2}, {3}, {4}, 'web', {5}, {5})"
)


class Database:
    """One statement's rows as dicts, and one transaction, on either driver."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgres")
        self.pool: Any = None
        # One SQLite connection, so one transaction at a time (as tortoise's client does).
        self.lock = asyncio.Lock()

    def sql(self, text: str) -> str:
        """`{n}` as `$n+1` for asyncpg; as `?` for SQLite, whose values follow the text."""
        marks = [f"${i}" for i in range(1, 10)] if self.postgres else ["?"] * 9
        return text.format(*marks)

    async def open(self) -> None:
        if self.postgres:
            import asyncpg

            async def keep(connection: asyncpg.Connection) -> None:
                """No reset statement on release, as ours (web/pg_connections.py): the
                baseline must not pay a round trip that our path does not."""

            # The same pool size as tortoise's default (minsize 1, maxsize 5).
            self.pool = await asyncpg.create_pool(
                self.url.replace("postgres://", "postgresql://"),
                min_size=1,
                max_size=5,
                reset=keep,
            )
        else:
            import aiosqlite

            # As tortoise connects: autocommit with explicit transactions, foreign keys on
            # (the file is already in WAL mode, which tortoise set when it migrated it).
            self.pool = await aiosqlite.connect(self.url.split("://", 1)[1], isolation_level=None)
            self.pool.row_factory = aiosqlite.Row
            await self.pool.execute("PRAGMA foreign_keys=ON")

    async def close(self) -> None:
        await self.pool.close()

    async def invitation(self, token: str) -> dict[str, Any] | None:
        if self.postgres:
            row = await self.pool.fetchrow(self.sql(SELECT), token)
        else:
            async with self.pool.execute(self.sql(SELECT), (token,)) as cursor:
                row = await cursor.fetchone()
        return dict(row) if row else None

    async def answer(self, token: str, nps: int | None, csat: int | None, comment: str) -> bool:
        now = datetime.now(UTC)
        if self.postgres:
            async with self.pool.acquire() as conn, conn.transaction():
                found = await conn.fetchrow(self.sql(ANSWER), now, token)
                if found is None:
                    return False
                await conn.execute(
                    self.sql(INSERT), found["id"], found["touchpoint_id"], nps, csat, comment, now
                )
            return True
        stamp = now.isoformat()
        async with self.lock:
            await self.pool.execute("BEGIN")
            async with self.pool.execute(self.sql(ANSWER), (stamp, token)) as cursor:
                found = await cursor.fetchone()
            if found is None:
                await self.pool.execute("ROLLBACK")
                return False
            values = (found["id"], found["touchpoint_id"], nps, csat, comment, stamp, stamp)
            await self.pool.execute(self.sql(INSERT), values)
            await self.pool.execute("COMMIT")
        return True


def render(request: Request, invitation: dict[str, Any]) -> Response:
    locale = invitation["locale"]

    def t(key: str, **values: object) -> str:
        return translate(locale, key, **values)

    path = f"/s/{invitation['token']}"
    context = {
        "locale": locale,
        "t": t,
        "brand": DEFINITION.brand or DEFINITION.name,
        "touchpoint": TOUCHPOINT.display_name(locale),
        "questions": SURVEY.questions,
        "fields": FIELDS,
        "values": {},
        "errors": {},
        "saved": False,
        "comment_limit": COMMENT_LIMIT,
        "action": path,
        "other_locale": OTHER_LOCALE[locale],
        "other_language_url": f"{path}?lang={OTHER_LOCALE[locale]}",
    }
    return templates.TemplateResponse(request, "survey/form.html", context, headers=HEADERS)


def create_app(url: str) -> Starlette:
    database = Database(url)

    async def show(request: Request) -> Response:
        invitation = await database.invitation(request.path_params["token"])
        if invitation is None:
            return PlainTextResponse("not found", status_code=404)
        return render(request, invitation)

    async def submit(request: Request) -> Response:
        form = await request.form()
        nps, csat = form.get("nps"), form.get("csat")
        token = request.path_params["token"]
        done = await database.answer(
            token,
            int(nps) if isinstance(nps, str) and nps else None,
            int(csat) if isinstance(csat, str) and csat else None,
            str(form.get("comment") or ""),
        )
        if not done:
            return PlainTextResponse("closed", status_code=410)
        return RedirectResponse(f"/s/{token}/thanks", status_code=303, headers=HEADERS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await database.open()
        try:
            yield
        finally:
            await database.close()

    routes = [
        Route("/s/{token}", show, methods=["GET"]),
        Route("/s/{token}", submit, methods=["POST"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    args = parser.parse_args()
    # As `touchpoint web` serves: access log at info, proxy headers believed from loopback.
    uvicorn.run(
        create_app(args.database_url),
        host="127.0.0.1",
        port=args.port,
        log_level="info",
        proxy_headers=True,
    )
