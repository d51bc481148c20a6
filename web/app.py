"""The composition root: one Starlette app with the API, survey pages and the console.

With `run_worker`, the arq worker runs inside the same process and event loop, which is how
`touchpoint up` serves a newcomer with nothing else running.

The middleware, outermost first: the request id (web/request_id.py); gzip; the console's
security headers; a 503 while the database or Redis is away (web/unavailable.py); the body
limit; the survey links' guessing throttle; authentication (a
session cookie in the console, an API key on /api/*); the CSRF check of console forms.
Refusals raised by endpoints (sign-in required, a scope missing, an API error) become pages
or JSON in the exception handlers below, in one place. Innermost, the reports' GETs are
marked to read from the reports database (web/report_reads.py).

The survey links (`/s/`), the pages customers open most, pass only the layers they use:
the request id, gzip, the 503, the body limit and the throttle (web/path_stacks.py).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.authentication import AuthenticationError
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from web import metrics
from web.access import NotAllowed, SignInRequired, roles_granting
from web.authentication import Principals
from web.body_limit import BodyLimitMiddleware
from web.csrf import CsrfMiddleware
from web.heap import freeze_startup_heap
from web.openapi import openapi
from web.path_stacks import PathStacks
from web.paths import is_api
from web.readiness import readiness
from web.report_reads import ReportReadsMiddleware
from web.request_id import RequestIdMiddleware
from web.routes import (
    account,
    api,
    cases_api,
    console,
    console_cases,
    console_customers,
    console_journeys,
    console_opt_outs,
    customers_api,
    dashboard,
    journey_preview,
    journey_versions,
    opt_outs,
    resolution,
    sign_in,
    survey,
    twilio,
    unsubscribe,
)
from web.routes.admin_api_keys import routes as admin_api_keys_routes
from web.routes.admin_audit import routes as admin_audit_routes
from web.routes.admin_teams import routes as admin_teams_routes
from web.routes.admin_users import routes as admin_users_routes
from web.routes.admin_webhooks import routes as admin_webhooks_routes
from web.routes.api import ApiError, error_response
from web.routes.audit_api import routes as audit_api_routes
from web.routes.case_figures_api import routes as case_figures_api_routes
from web.routes.case_reply import routes as case_reply_routes
from web.routes.console_comments import routes as console_comments_routes
from web.routes.responses_api import routes as responses_api_routes
from web.routes.review import routes as review_routes
from web.runtime import Runtime, start_runtime, stop_runtime
from web.security_headers import SecurityHeadersMiddleware
from web.settings import Settings
from web.templating import problem_page
from web.token_throttle import TokenThrottleMiddleware
from web.unavailable import UnavailableMiddleware
from web.workers import start_in_process_worker

STATIC = Path(__file__).resolve().parent / "static"
#: The survey links: the lean stack (web/path_stacks.py), without the console's layers.
LEAN_PREFIXES = ("/s/",)

log = logging.getLogger("touchpoint")


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def ready(request: Request) -> Response:
    """200 when the database and Redis answer and the migrations are applied, else 503,
    with each check said either way."""
    checks = await readiness(request.app.state.runtime.redis)
    ok = all(check.ok for check in checks if check.required)
    body = {
        "status": "ready" if ok else "not ready",
        "checks": {
            c.name: {"ok": c.ok, "detail": c.detail} | ({} if c.required else {"required": False})
            for c in checks
        },
    }
    return JSONResponse(body, status_code=200 if ok else 503)


async def not_found(request: Request, exc: Exception) -> Response:
    if is_api(request.url.path):
        return error_response(404, f"no such endpoint: {request.url.path}")
    return PlainTextResponse("Not found", status_code=404)


async def method_not_allowed(request: Request, exc: Exception) -> Response:
    """The API says it in JSON, keeping the `Allow` of the route."""
    assert isinstance(exc, HTTPException)
    if is_api(request.url.path):
        allowed = (exc.headers or {}).get("Allow", "")
        message = f"{request.method} is not allowed here; allowed: {allowed}"
        return error_response(405, message, headers=dict(exc.headers or {}))
    return PlainTextResponse(exc.detail, status_code=405, headers=exc.headers)


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


def bad_api_key(conn: HTTPConnection, exc: AuthenticationError) -> Response:
    return error_response(401, str(exc), headers={"WWW-Authenticate": "Bearer"})


async def sign_in_required(request: Request, exc: Exception) -> Response:
    """The API asks for a key; the console sends the browser to sign in, and back after."""
    if is_api(request.url.path):
        message = "send an API key as 'Authorization: Bearer <key>'"
        return error_response(401, message, headers={"WWW-Authenticate": "Bearer"})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    back = target if request.method == "GET" else "/"
    return RedirectResponse(sign_in.sign_in_url(sign_in.local_path(back)), status_code=303)


async def not_allowed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotAllowed)
    roles = " or ".join(roles_granting(exc.scope))
    if is_api(request.url.path):
        return error_response(403, f"this API key may not do this (needs {exc.scope!r})")
    detail = (
        f"This needs the {roles} role; you are signed in as {request.user.role}. "
        "Nothing was changed. An admin can change your role."
    )
    return problem_page(request, 403, "Not allowed for your role", detail)


def create_app(
    settings: Settings | None = None,
    *,
    runtime: Runtime | None = None,
    run_worker: bool = False,
) -> Starlette:
    """Build the app; pass a started `runtime` to share one (tests do)."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        running = runtime or await start_runtime(settings)
        app.state.runtime = running
        freeze_startup_heap()
        worker = await start_in_process_worker(running) if run_worker else None
        try:
            yield
        finally:
            if worker is not None:  # the sends in flight finish first (web/workers.py)
                await worker.stop()
            if runtime is None:
                await stop_runtime(running)

    app = Starlette(
        routes=[
            *survey.routes,  # first: the pages customers open most, matched soonest
            Route("/healthz", health),
            Route("/readyz", ready),
            Route("/metrics", metrics.endpoint),
            Route("/api/v1/openapi.json", openapi),
            *api.routes,
            *opt_outs.routes,
            *cases_api.routes,
            *customers_api.routes,
            *audit_api_routes,
            *case_figures_api_routes,
            *responses_api_routes,
            *resolution.routes,
            *unsubscribe.routes,
            *twilio.routes,
            *sign_in.routes,
            *account.routes,
            *console_comments_routes,
            *console.routes,
            *console_opt_outs.routes,
            *console_customers.routes,
            *dashboard.routes,
            *review_routes,
            *console_journeys.routes,
            *journey_versions.routes,
            *journey_preview.routes,
            *admin_users_routes,
            *admin_api_keys_routes,
            *admin_audit_routes,
            *case_reply_routes,
            *console_cases.routes,
            *admin_teams_routes,
            *admin_webhooks_routes,
            Mount("/static", StaticFiles(directory=STATIC), name="static"),
        ],
        middleware=[
            Middleware(
                PathStacks,
                prefixes=LEAN_PREFIXES,
                lean=[
                    Middleware(RequestIdMiddleware),
                    Middleware(GZipMiddleware, minimum_size=500),
                    Middleware(UnavailableMiddleware),
                    Middleware(BodyLimitMiddleware),
                    Middleware(TokenThrottleMiddleware),
                ],
                full=[
                    Middleware(RequestIdMiddleware),
                    Middleware(GZipMiddleware, minimum_size=500),
                    Middleware(SecurityHeadersMiddleware),
                    Middleware(UnavailableMiddleware),
                    Middleware(BodyLimitMiddleware),
                    Middleware(TokenThrottleMiddleware),
                    Middleware(
                        AuthenticationMiddleware, backend=Principals(), on_error=bad_api_key
                    ),
                    Middleware(CsrfMiddleware),
                    Middleware(ReportReadsMiddleware),
                ],
            )
        ],
        lifespan=lifespan,
        exception_handlers={
            404: not_found,
            405: method_not_allowed,
            ApiError: api_error,
            SignInRequired: sign_in_required,
            NotAllowed: not_allowed,
        },
    )
    if runtime is not None:
        app.state.runtime = runtime
    return app
