"""The composition root: one Starlette app with the API, survey pages and the console.

With `run_worker`, the arq worker runs inside the same process and event loop, which is how
`touchpoint up` serves a newcomer with nothing else running.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from dispatch.worker import create_worker
from web.openapi import openapi
from web.routes import api, console, console_opt_outs, opt_outs, survey, twilio, unsubscribe
from web.routes.audit_api import routes as audit_api_routes
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings

log = logging.getLogger("touchpoint")


async def health(request: Request) -> Response:
    return PlainTextResponse("ok")


async def not_found(request: Request, exc: Exception) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": {"message": f"no such endpoint: {request.url.path}"}}, 404)
    return PlainTextResponse("Not found", status_code=404)


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
        worker = None
        if run_worker:
            pool = await running.new_redis_pool()
            worker = create_worker(
                pool,
                running.worker_context(),
                handle_signals=False,
                job_timeout=running.settings.dispatch.job_timeout_seconds,
                max_jobs=running.settings.dispatch.worker_concurrency,
            )
            worker_task = asyncio.create_task(worker.async_run())
        try:
            yield
        finally:
            if worker is not None:
                await worker.close()
                worker_task.cancel()
            if runtime is None:
                await stop_runtime(running)

    app = Starlette(
        routes=[
            Route("/healthz", health),
            Route("/api/v1/openapi.json", openapi),
            *api.routes,
            *opt_outs.routes,
            *audit_api_routes,
            *survey.routes,
            *unsubscribe.routes,
            *twilio.routes,
            *console.routes,
            *console_opt_outs.routes,
        ],
        lifespan=lifespan,
        exception_handlers={404: not_found},
    )
    if runtime is not None:
        app.state.runtime = runtime
    return app
