"""What the dispatch benchmarks run beside the bench process: the loopback Twilio server in
a process of its own, answering every message after a fixed delay, and `touchpoint worker`
processes reading the bench's database and Redis, as an operator runs them."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENDER = "+15005550006"
#: Far above any sender's real limit, so the provider's delay is what a send waits for.
UNTHROTTLED = 1_000_000.0


def _serve_twilio(conn: Connection, delay: float) -> None:
    sys.path.insert(0, str(ROOT))
    from tests.servers.twilio import TwilioServer

    with TwilioServer() as server:
        server.delay_next(10_000_000, delay)
        conn.send((server.url, server.account_sid, server.auth_token))
        conn.recv()  # until the bench is done


@contextmanager
def loopback_twilio(delay: float) -> Iterator[dict[str, str]]:
    """The TOUCHPOINT_TWILIO_* settings of a Twilio-compatible server on loopback."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_serve_twilio, args=(theirs, delay), daemon=True
    )
    process.start()
    url, account_sid, auth_token = ours.recv()
    try:
        yield {
            "account_sid": account_sid,
            "auth_token": auth_token,
            "from_": SENDER,
            "api_url": url,
            "segments_per_second": str(UNTHROTTLED),
        }
    finally:
        ours.send("stop")
        process.join(timeout=10)


@contextmanager
def workers(count: int, settings: dict[str, str]) -> Iterator[list[subprocess.Popen[bytes]]]:
    """`count` running `touchpoint worker` processes with these TOUCHPOINT_* settings,
    returned once each has started its loop; stopped with SIGTERM at the end."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    environment |= {f"TOUCHPOINT_{name.upper()}": value for name, value in settings.items()}
    with tempfile.TemporaryDirectory() as folder:
        logs = [Path(folder) / f"worker-{n}.log" for n in range(count)]
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "web.cli", "worker"],
                env=environment,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log.open("wb"),
            )
            for log in logs
        ]
        try:
            for log, process in zip(logs, running, strict=True):
                _wait_for_start(log, process)
            yield running
        finally:
            for process in running:
                process.terminate()
            for process in running:
                process.wait(timeout=60)


def _wait_for_start(log: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while b"Starting worker for" not in log.read_bytes():
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"a worker did not start:\n{log.read_text()}")
        time.sleep(0.05)


def cpu_seconds(pid: int) -> float:
    """The CPU time (user and system) process `pid` has used so far, from Linux's /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
