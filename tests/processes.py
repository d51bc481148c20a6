"""Running the `touchpoint` command as a user runs it: a process of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def clean_environment(**settings: str) -> dict[str, str]:
    """This process's environment without any TOUCHPOINT_* variable, plus `settings`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
    return clean | {f"TOUCHPOINT_{name.upper()}": value for name, value in settings.items()}


def touchpoint(
    *args: str, env: dict[str, str], check: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=check,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running(args: list[str], env: dict[str, str], ready_url: str, log: Path) -> Iterator[None]:
    """`touchpoint *args` in a process of its own, from the moment `ready_url` answers (a
    server answers only once its start-up is done) until the block ends; its standard
    error goes to `log`, which a failed start shows."""
    process = subprocess.Popen(
        [sys.executable, "-m", "web.cli", *args],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert process.poll() is None, f"{args[0]} stopped:\n{log.read_text()}"
            try:
                httpx.get(ready_url, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(f"{args[0]} did not start:\n{log.read_text()}")
        yield
    finally:
        process.terminate()
        process.wait(timeout=20)
