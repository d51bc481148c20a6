"""A deploy stops processes with SIGTERM: nothing in flight is lost, and each exits 0.

`touchpoint web` (one process, or several under `--workers`) finishes a request whose body
is still arriving; `touchpoint worker` finishes a send the provider is slow to answer.
Both log JSON here, as in production, and their lines are checked as a collector reads them.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from surveys.models import Invitation
from tests.processes import ROOT, clean_environment, free_port
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, Shop

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        secret_key="a test key, shared by the test's processes",
        log_format="json",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from="+15005550006",
        twilio_api_url=twilio.url,
    )


class Started:
    """A `touchpoint` process, its standard error kept in a file."""

    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.log = log
        with log.open("w") as stderr:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", *args],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )

    def lines(self) -> list[dict[str, Any]]:
        """Every line it logged, each one JSON object."""
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    async def logged(self, text: str, within: float = 60) -> None:
        deadline = time.monotonic() + within
        while not any(text in line["message"] for line in self.lines()):
            assert self.process.poll() is None, self.log.read_text()
            assert time.monotonic() < deadline, self.log.read_text()
            await asyncio.sleep(0.1)

    async def exit_code(self, within: float = 60) -> int:
        return await asyncio.to_thread(self.process.wait, within)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def started() -> Iterator[list[Started]]:
    processes: list[Started] = []
    yield processes
    for process in processes:
        process.stop()


def _event_request(port: int, key: str) -> tuple[bytes, bytes]:
    """A POST of one event, as its head and its body."""
    occurred = (datetime.now(UTC) - timedelta(days=8)).isoformat()
    event = {
        "id": "A-1",
        "type": "order.delivered",
        "occurred_at": occurred,
        "customer": ANNA.as_customer(),
    }
    body = json.dumps({"events": [event]}).encode()
    head = (
        f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Authorization: Bearer {key}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\nX-Request-ID: slow-upload-1\r\n\r\n"
    ).encode()
    return head, body


async def _answers(port: int, within: float = 90) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"nothing answered on port {port}")


@pytest.mark.parametrize("workers", [1, 2])
async def test_the_web_finishes_a_request_in_flight_on_sigterm_and_exits_0(
    environment, shop_journey, api_key, started, tmp_path, workers
):
    port = free_port()
    args = ["web", "--port", str(port), "--workers", str(workers)]
    web = Started(args, environment, tmp_path / "web.log")
    started.append(web)
    await _answers(port)
    head, body = _event_request(port, api_key)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head + body[:20])
    await writer.drain()
    await asyncio.sleep(0.5)  # the request is in the app, waiting for the rest of its body

    web.process.send_signal(signal.SIGTERM)
    await web.logged("Shutting down")
    if workers == 1:
        with pytest.raises(OSError):  # no new connection is taken
            await asyncio.open_connection("127.0.0.1", port)
    writer.write(body[20:])
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()

    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK", answer
    assert b"x-request-id: slow-upload-1" in rest.lower()
    assert json.loads(rest.partition(b"\r\n\r\n")[2])["results"][0]["status"] == "accepted"
    assert await web.exit_code() == 0, web.log.read_text()
    [access] = [line for line in web.lines() if line.get("method") == "POST"]
    assert access["logger"] == "uvicorn.access" and access["request_id"] == "slow-upload-1"
    assert (access["path"], access["status"]) == ("/api/v1/events", 200)
    assert ANNA.phone not in web.log.read_text()


async def test_web_workers_share_a_fresh_metrics_directory_removed_after(
    environment, started, tmp_path
):
    port = free_port()
    web = Started(["web", "--port", str(port), "--workers", "2"], environment, tmp_path / "w.log")
    started.append(web)
    await _answers(port)

    servers = _uvicorn_children(web.process.pid)
    directories = {_environ(pid).get("PROMETHEUS_MULTIPROC_DIR") for pid in servers}
    web.process.send_signal(signal.SIGTERM)

    assert len(servers) == 2
    [directory] = directories
    assert directory and Path(directory).name.startswith("touchpoint-metrics-")
    assert await web.exit_code() == 0, web.log.read_text()
    assert not await asyncio.to_thread(Path(directory).exists)


def _uvicorn_children(pid: int) -> list[int]:
    """The processes uvicorn's supervisor spawned to serve (not multiprocessing's tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]


def _environ(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(pair.decode().split("=", 1) for pair in pairs if b"=" in pair)


async def test_the_worker_finishes_a_send_in_flight_on_sigterm_and_exits_0(
    environment, client, api_key, shop_journey, twilio, started, tmp_path
):
    await Shop(client, api_key).delivered("A-1", to=ANNA)
    invitation = await Invitation.get(interaction__event_id="A-1")
    twilio.delay_next(1, seconds=3)
    worker = Started(["worker"], environment, tmp_path / "worker.log")
    started.append(worker)
    deadline = time.monotonic() + 60
    while not twilio.attempts(ANNA.phone):  # the send is at Twilio, waiting for its answer
        assert worker.process.poll() is None, worker.log.read_text()
        assert time.monotonic() < deadline, worker.log.read_text()
        await asyncio.sleep(0.05)

    worker.process.send_signal(signal.SIGTERM)

    assert await worker.exit_code() == 0, worker.log.read_text()
    assert [message.to for message in twilio.messages] == [ANNA.phone]
    await invitation.refresh_from_db()
    assert invitation.status == "sent"
    lines = worker.lines()
    assert any("shutdown on SIGTERM" in line["message"] for line in lines)
    sent = [line for line in lines if line["logger"] == "touchpoint.dispatch"]
    assert [line["invitation_id"] for line in sent] == [invitation.id]
    assert sent[0]["message"].endswith("to +1******0123")
    assert ANNA.phone not in worker.log.read_text()
