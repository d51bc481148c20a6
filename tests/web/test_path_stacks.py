"""Survey links pass the lean middleware stack, every other path the full one, and what the
lean stack leaves out has nothing to do on a survey link."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from web.app import LEAN_PREFIXES
from web.authentication import Principals
from web.path_stacks import PathStacks
from web.paths import is_console
from web.report_reads import is_report

LINK_PATHS = ["/s/abc", "/s/abc/thanks", "/s/abc?lang=zh-CN"]


class Mark:
    """A layer that names itself in the answer's `X-Layers` header."""

    def __init__(self, app: ASGIApp, name: str) -> None:
        self.app, self.name = app, name

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope.setdefault("layers", []).append(self.name)
        await self.app(scope, receive, send)


async def where(request: Request) -> JSONResponse:
    user = request.user.is_authenticated if "user" in request.scope else None
    return JSONResponse({"layers": request.scope["layers"], "user": user})


@pytest.fixture
async def stacked() -> httpx.AsyncClient:
    app = Starlette(
        routes=[Route("/{path:path}", where)],
        middleware=[
            Middleware(
                PathStacks,
                prefixes=("/s/",),
                lean=[Middleware(Mark, name="outer"), Middleware(Mark, name="inner")],
                full=[Middleware(Mark, name="outer"), Middleware(Mark, name="console")],
            )
        ],
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        yield http


async def test_a_link_takes_the_lean_stack_in_order_and_nobody_is_signed_in(stacked):
    answer = await stacked.get("/s/token")

    assert answer.json() == {"layers": ["outer", "inner"], "user": False}


@pytest.mark.parametrize("path", ["/", "/outbox", "/api/v1/events", "/s", "/r/token"])
async def test_every_other_path_takes_the_full_stack(stacked, path):
    answer = await stacked.get(path)

    assert answer.json()["layers"] == ["outer", "console"]


@pytest.mark.parametrize("path", LINK_PATHS)
async def test_the_layers_left_out_would_pass_a_link_through(path):
    """Security headers and CSRF act on console paths, the replica on reports, and the
    authentication on the API and the console: a link is none of them."""
    bare = path.split("?")[0]
    assert bare.startswith(LEAN_PREFIXES)
    assert not is_console(bare)
    assert not is_report("GET", bare) and not is_report("POST", bare)
    scope = {"type": "http", "path": bare, "headers": [], "query_string": b""}
    assert await Principals().authenticate(HTTPConnection(scope)) is None


async def test_a_link_still_gets_its_request_id_and_headers(client, db):
    answer = await client.get("/s/nobody-has-this", headers={"X-Request-ID": "abc-123"})

    assert answer.status_code == 404
    assert answer.headers["x-request-id"] == "abc-123"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-robots-tag"] == "noindex, nofollow"
    assert "x-frame-options" not in answer.headers  # the console's, as before
