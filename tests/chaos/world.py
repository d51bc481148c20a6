"""The story's world: its own PostgreSQL and Redis, the unreliable Twilio, `touchpoint web`
and several `touchpoint worker` processes, all sharing one TOUCHPOINT_* environment.

Timeouts are short so that a rough patch fits in a minute or two: Twilio's client gives
up after 1 s, a send is cancelled after 4 s, a `sending` invitation is taken for
orphaned after 6 s, and a failed send is retried after 1-2 s (doubling). Production keeps
the defaults; only the proportions matter here (grace > job timeout > client timeout).
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from tests.chaos.cluster import PostgresCluster
from tests.chaos.provider import UnreliableTwilio
from tests.chaos.redis_server import RedisServer
from tests.e2e.faults import WorkerProcess, worker_environment
from tests.processes import ROOT, free_port

#: How late a held or hung Twilio answer comes: past the client's timeout.
LATE_SECONDS = 2.0
TIMINGS = {
    "twilio_timeout_seconds": "1",
    "twilio_segments_per_second": "1000",
    "twilio_rate_limit_max_wait_seconds": "1",
    "job_timeout_seconds": "4",
    "stuck_send_grace_seconds": "6",
    "send_retry_first_wait_seconds": "2",
}


class WebProcess:
    """`touchpoint web` on a free port, logging to a file."""

    def __init__(self, environment: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        with log.open("w") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "web", "--port", str(self.port)],
                env=environment,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stream,
            )

    @property
    def started(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"touchpoint web stopped:\n{self.log.read_text()}")
        try:
            return httpx.get(f"{self.url}/healthz").status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


class World:
    """Everything the story starts; `close()` stops all of it."""

    def __init__(
        self,
        postgres: PostgresCluster,
        redis: RedisServer,
        twilio: UnreliableTwilio,
        logs: Path,
        workers: int,
        api_key: str,
    ) -> None:
        """Starts the web process and the workers on a migrated database holding the shop's
        journey and `api_key`."""
        self.postgres, self.redis, self.twilio, self.logs = postgres, redis, twilio, logs
        self.api_key = api_key
        self.environment = worker_environment(postgres.url, redis.url, twilio, logs, **TIMINGS)
        self.web = WebProcess(self.environment, logs / "web.log")
        self.workers: list[WorkerProcess] = []
        self.started = 0
        for _ in range(workers):
            self.workers.append(self._start_worker())
        self.kills = 0
        self._wait_for(lambda: self.web.started, "touchpoint web starts")
        self.all_started()

    def _wait_for(self, check: Callable[[], bool], what: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what}: not within {within:g} s")
            time.sleep(0.1)

    def _start_worker(self, *, burst: bool = False) -> WorkerProcess:
        self.started += 1
        log = self.logs / f"worker-{self.started}{'-burst' if burst else ''}.log"
        return WorkerProcess(self.environment, log, burst=burst)

    def kill_worker(self) -> None:
        """SIGKILL the longest-running worker and start another in its place."""
        self.workers.pop(0).kill()
        self.kills += 1
        self.workers.append(self._start_worker())

    def all_started(self) -> None:
        self._wait_for(lambda: all(worker.started for worker in self.workers), "workers start")

    def gone(self) -> list[str]:
        """The logs of the processes that stopped by themselves: none should."""
        processes = [(self.web.process, self.web.log)]
        processes += [(worker.process, worker.log) for worker in self.workers]
        return [log.name for process, log in processes if process.poll() is not None]

    def next_minute(self) -> None:
        """A burst worker: its crons (sweeper, stuck-send resolver) run as it starts, as
        every worker's do each minute; it stops when the queue is empty."""
        burst = self._start_worker(burst=True)
        with burst:
            burst.finish(within=120)

    def close(self) -> None:
        for worker in self.workers:
            worker.__exit__(None, None, None)
        self.web.stop()
