"""/metrics for Prometheus: the counters of this process (or of all processes sharing a
PROMETHEUS_MULTIPROC_DIR), plus the state figures read at scrape time.

Counters and histograms are defined where they are incremented (`surveys.metrics`,
`dispatch.metrics`). With PROMETHEUS_MULTIPROC_DIR set, as `touchpoint web --workers N`
sets it, prometheus-client writes each process's values to files in that directory and
a scrape of any process sums them all (its multiprocess mode); the directory's files of
processes no longer running are cleared when the command starts, as prometheus-client's
documentation asks. The state figures (`web.metrics_figures`) are read once per scrape,
not kept per process, so they are never multiplied by the number of processes.

A worker has no web server: `touchpoint worker --metrics-port P` serves its counters on
a small HTTP server of its own in a thread (the state figures come from the web's
/metrics), and beside them `/healthz`, which says whether the worker's loop still goes
round (web/worker_liveness.py). `touchpoint up` runs the worker in the web process, so
its /metrics has both.

TOUCHPOINT_METRICS_TOKEN, when set, is a bearer token both /metrics endpoints ask for.
"""

from __future__ import annotations

import hmac
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.multiprocess import MultiProcessCollector
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

import dispatch.metrics  # noqa: F401  (defines the worker's counters for every scrape)
import surveys.metrics  # noqa: F401  (defines the intake's and answers' counters)
from web.metrics_figures import Figures, read_figures
from web.settings import Settings
from web.worker_liveness import Heartbeat

log = logging.getLogger("touchpoint.metrics")

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> Path | None:
    found = os.environ.get(MULTIPROC_DIR)
    return Path(found) if found else None


def counters_registry() -> CollectorRegistry:
    """This process's registry, or in multiprocess mode a fresh one that reads every
    process's files (prometheus-client's documented way: never the default registry)."""
    directory = multiprocess_dir()
    if directory is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return registry


def clear_stale_files() -> int:
    """Remove the files of processes no longer running from the multiprocess directory;
    returns how many. A file is named <kind>_<pid>.db; a live process's are kept, so two
    processes sharing a directory can start in any order."""
    directory = multiprocess_dir()
    if directory is None:
        return 0
    directory.mkdir(parents=True, exist_ok=True)
    removed = 0
    for path in directory.glob("*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if pid.isdigit() and not _running(int(pid)):
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("metrics: cleared %d stale files from %s", removed, directory)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def token_allows(token: str | None, authorization: str | None) -> bool:
    """No token set lets everyone in; else the request must carry `Bearer <token>`."""
    if not token:
        return True
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), token)


def _refused() -> tuple[int, str, dict[str, str]]:
    message = "send the metrics token as 'Authorization: Bearer <token>'"
    return 401, message, {"WWW-Authenticate": "Bearer"}


def metrics_token(settings: Settings) -> str | None:
    secret = settings.metrics_token
    return secret.get_secret_value() if secret is not None else None


async def endpoint(request: Request) -> Response:
    runtime = request.app.state.runtime
    if not token_allows(metrics_token(runtime.settings), request.headers.get("authorization")):
        status, message, headers = _refused()
        return PlainTextResponse(message, status_code=status, headers=headers)
    registry = counters_registry()
    figures = CollectorRegistry()
    figures.register(Figures(await read_figures(runtime.redis)))
    body = generate_latest(registry) + generate_latest(figures)
    return Response(body, media_type=CONTENT_TYPE_LATEST)


WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def worker_app(token: str | None, heartbeat: Heartbeat | None = None) -> WsgiApp:
    """The worker's endpoint: its counters (summed over the directory in multiprocess
    mode) at /metrics, and with a `heartbeat` its liveness at /healthz (open like the
    web's, since it says nothing but alive or stuck; web/worker_liveness.py)."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO")
        if path == "/healthz" and heartbeat is not None:
            status, text = heartbeat.says()
            reason = "OK" if status == 200 else "Service Unavailable"
            start_response(f"{status} {reason}", [("Content-Type", "text/plain")])
            return [text.encode()]
        if path != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found: the worker serves /metrics and /healthz only\n"]
        if not token_allows(token, environ.get("HTTP_AUTHORIZATION")):
            _, message, headers = _refused()
            start_response("401 Unauthorized", [("Content-Type", "text/plain"), *headers.items()])
            return [message.encode()]
        body = generate_latest(counters_registry())
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [body]

    return app


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # scrapes are not news
        pass


def serve_worker_metrics(
    host: str, port: int, token: str | None, heartbeat: Heartbeat | None = None
) -> WSGIServer:
    """Start the worker's endpoint in a daemon thread; `shutdown()` the server to stop it."""
    app = worker_app(token, heartbeat)
    server = make_server(host, port, app, ThreadingWSGIServer, handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    log.info("worker metrics at http://%s:%d/metrics", host, server.server_port)
    return server
