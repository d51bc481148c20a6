"""`touchpoint web --workers N`: N uvicorn processes sharing one port, under uvicorn's own
supervisor, which restarts a process that dies.

Each process builds the app itself from the environment (`web.app:create_app` is the
factory), so what the parent worked out is put there first: the public URL that follows
--host and --port. prometheus-client adds up the processes' figures only through files in
PROMETHEUS_MULTIPROC_DIR; when it is unset, a fresh directory is made for this run, and
removed after it.

On SIGTERM the supervisor passes SIGTERM on to each process, which stops taking
connections and finishes its requests in flight; then the supervisor exits 0.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from web.settings import PREFIX, Settings

APP_FACTORY = "web.app:create_app"
METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def serve_processes(workers: int, options: dict[str, Any], settings: Settings) -> int:
    """Serve with `workers` processes until stopped; `options` are uvicorn's."""
    os.environ[f"{PREFIX}PUBLIC_URL"] = settings.public_url
    with _metrics_dir():
        uvicorn.run(APP_FACTORY, factory=True, workers=workers, **options)
    return 0


@contextmanager
def _metrics_dir() -> Iterator[None]:
    """PROMETHEUS_MULTIPROC_DIR as set, or a fresh one for the life of this run."""
    if os.environ.get(METRICS_DIR):
        yield
        return
    made = tempfile.mkdtemp(prefix="touchpoint-metrics-")
    os.environ[METRICS_DIR] = made
    try:
        yield
    finally:
        del os.environ[METRICS_DIR]
        shutil.rmtree(made, ignore_errors=True)
