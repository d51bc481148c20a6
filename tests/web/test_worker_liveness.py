"""A worker's liveness: its metrics port's /healthz says whether its loop still goes round.

A real `touchpoint worker` reaches Redis through a loopback proxy this test controls: a
Redis outage (connections refused) keeps the worker alive, since it polls on and a restart
would not help; a Redis that holds every answer (the worker's read of the queue hangs)
makes it stuck, and /healthz says 503 until the loop goes round again.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import clean_environment, free_port, running
from web.metrics import worker_app
from web.worker_liveness import Heartbeat


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_heartbeat_says_alive_until_the_loop_is_silent_too_long():
    clock = Clock()
    heartbeat = Heartbeat(stuck_after=60, clock=clock)

    clock.now += 59
    assert heartbeat.says() == (200, "alive: the worker read the queue 59.0 s ago\n")
    clock.now += 2
    assert heartbeat.says() == (
        503,
        "stuck: the worker has not read the queue for 61 s (more than 60 s)\n",
    )
    heartbeat.beat()
    assert heartbeat.alive()


def test_healthz_is_open_when_metrics_need_a_token():
    heartbeat = Heartbeat(stuck_after=60)
    app = worker_app("scrape-me", heartbeat)
    answers: list[str] = []

    body = app({"PATH_INFO": "/healthz"}, lambda status, headers: answers.append(status))

    assert answers == ["200 OK"]
    assert b"alive" in b"".join(body)
    app({"PATH_INFO": "/metrics"}, lambda status, headers: answers.append(status))
    assert answers[-1] == "401 Unauthorized"


class RedisProxy:
    """Forwards loopback connections to Redis; can refuse them all (an outage) or hold
    every byte (a Redis that neither answers nor fails)."""

    def __init__(self, upstream: str) -> None:
        self.upstream = httpx.URL(upstream)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.refusing = False
        self.holding = threading.Event()
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.refusing:
                client.close()
                continue
            server = self._connect()
            with self.lock:
                self.sockets += [client, server]
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _connect(self) -> socket.socket:
        if self.upstream.scheme == "unix":  # the bundled Redis
            server = socket.socket(socket.AF_UNIX)
            server.connect(self.upstream.path)
            return server
        return socket.create_connection((self.upstream.host, self.upstream.port or 6379))

    def url(self) -> str:
        """The same Redis database, through this proxy."""
        upstream = self.upstream
        if upstream.scheme == "unix":
            database = upstream.params.get("db", "0")
        else:
            database = upstream.path.strip("/") or "0"
        return f"redis://127.0.0.1:{self.port}/{database}"

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                while self.holding.is_set():
                    time.sleep(0.05)
                target.sendall(data)
        except OSError:
            pass
        for end in (source, target):
            end.close()

    def refuse(self) -> None:
        self.refusing = True
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            self.sockets.clear()

    def close(self) -> None:
        self.holding.clear()
        self.refuse()
        self.listener.close()


@pytest.fixture
def proxy(redis_url: str) -> Iterator[RedisProxy]:
    found = RedisProxy(redis_url)
    yield found
    found.close()


def healthz(port: int) -> tuple[int, str]:
    answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
    return answer.status_code, answer.text


def wait_for(port: int, status: int, within: float) -> str:
    deadline = time.monotonic() + within
    while True:
        found, text = healthz(port)
        if found == status:
            return text
        assert time.monotonic() < deadline, f"/healthz still says {found}: {text}"
        time.sleep(0.25)


@pytest.mark.slow
def test_a_worker_is_alive_through_a_redis_outage_and_stuck_when_redis_hangs(
    db: str, redis_url: str, proxy: RedisProxy, tmp_path: Path
):
    port = free_port()
    environment = clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=proxy.url(),
        secret_key="a test key, shared by the test's processes",
    )
    args = ["worker", "--metrics-port", str(port), "--metrics-host", "127.0.0.1"]
    args += ["--stuck-after", "7"]
    with running(args, environment, f"http://127.0.0.1:{port}/healthz", tmp_path / "w.log"):
        time.sleep(2)  # the worker connects and polls
        assert healthz(port)[0] == 200

        proxy.refuse()  # Redis away: each poll fails fast and the worker polls on
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert healthz(port)[0] == 200, (tmp_path / "w.log").read_text()
            time.sleep(0.5)
        proxy.refusing = False
        time.sleep(6)  # the worker's next poll, at most 5 s after its last, finds Redis

        proxy.holding.set()  # Redis holds every answer: the read of the queue hangs
        said = wait_for(port, 503, within=15)
        assert said.startswith("stuck: the worker has not read the queue for ")

        proxy.holding.clear()  # the answers go through: the loop goes round again
        assert wait_for(port, 200, within=10).startswith("alive")
