"""Metrics across processes, as production runs them: two `touchpoint web` processes
sharing one PROMETHEUS_MULTIPROC_DIR (what `touchpoint web --workers 2` makes), and a
`touchpoint worker --metrics-port` serving its own counters."""

from __future__ import annotations

import asyncio
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from tests.processes import clean_environment, free_port, running
from tests.scrape import samples, value
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, Person

pytestmark = pytest.mark.slow


def dead_pid() -> int:
    """A process id no process has now."""
    for pid in range(4_000_000, 3_000_000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free process id")


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    metrics_dir = tmp_path / "metrics"
    metrics_dir.mkdir()
    return clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        secret_key="a test key, shared by the test's processes",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from="+15005550006",
        twilio_api_url=twilio.url,
    ) | {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}


def web(env: dict[str, str], tmp_path: Path, name: str, *options: str) -> tuple[str, object]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = env | {"TOUCHPOINT_PUBLIC_URL": base}
    args = ["web", "--port", str(port), *options]
    return base, running(args, env, f"{base}/healthz", tmp_path / f"{name}.log")


def event(event_id: str, person: Person) -> dict[str, object]:
    occurred = datetime.now(UTC) - timedelta(days=8)
    return {
        "id": event_id,
        "type": "order.delivered",
        "occurred_at": occurred.isoformat(),
        "customer": person.as_customer(),
    }


async def test_two_web_processes_sharing_a_directory_add_up_and_stale_files_go(
    environment, tmp_path, api_key, shop_journey
):
    stale = MmapedDict(f"{environment['PROMETHEUS_MULTIPROC_DIR']}/counter_{dead_pid()}.db")
    key = mmap_key(
        "touchpoint_events", "touchpoint_events_total", ["outcome"], ["accepted"], "stale"
    )
    stale.write_value(key, 1000.0, 0.0)
    stale.close()
    first, first_running = web(environment, tmp_path, "first")
    second, second_running = web(environment, tmp_path, "second")
    auth = {"Authorization": f"Bearer {api_key}"}

    with first_running, second_running:  # type: ignore[attr-defined]
        async with httpx.AsyncClient() as http:
            events = [event("A-1", ANNA), event("B-1", Person("ben", phone="+14155550124"))]
            for base, batch in ((first, events[:1]), (second, events[1:]), (second, events[1:])):
                posted = await http.post(
                    f"{base}/api/v1/events", json={"events": batch}, headers=auth
                )
                assert posted.status_code == 200, posted.text
            shown = [samples((await http.get(f"{base}/metrics")).text) for base in (first, second)]

    for found in shown:
        assert value(found, "touchpoint_events_total", outcome="accepted") == 2
        assert value(found, "touchpoint_events_total", outcome="duplicate") == 1
        assert (
            value(found, "touchpoint_invitations", state="scheduled") == 2
        )  # read once, not summed


async def test_web_with_several_processes_shows_their_total_whichever_answers(
    environment, tmp_path, api_key, shop_journey
):
    environment.pop("PROMETHEUS_MULTIPROC_DIR")  # --workers makes a fresh one
    base, serving = web(environment, tmp_path, "workers", "--workers", "2")
    auth = {"Authorization": f"Bearer {api_key}"}
    people = [Person(f"p{i}", phone=f"+1415555{i:04d}") for i in range(6)]

    with serving:  # type: ignore[attr-defined]
        fresh = httpx.Limits(max_keepalive_connections=0)  # each request a new connection
        async with httpx.AsyncClient(base_url=base, limits=fresh) as http:
            for i, person in enumerate(people):
                batch = {"events": [event(f"W-{i}", person)]}
                posted = await http.post("/api/v1/events", json=batch, headers=auth)
                assert posted.status_code == 200, posted.text
            shown = [samples((await http.get("/metrics")).text) for _ in range(6)]

    for found in shown:
        assert value(found, "touchpoint_events_total", outcome="accepted") == 6


async def test_a_worker_serves_its_own_counters_on_its_metrics_port(
    environment, tmp_path, client, api_key, shop_journey, twilio
):
    port = free_port()
    url = f"http://127.0.0.1:{port}/metrics"
    worker_env = environment | {"TOUCHPOINT_METRICS_TOKEN": "scrape-me"}
    worker_env.pop("PROMETHEUS_MULTIPROC_DIR")
    args = ["worker", "--metrics-port", str(port), "--metrics-host", "127.0.0.1"]
    auth = {"Authorization": "Bearer scrape-me"}

    with running(args, worker_env, url, tmp_path / "worker.log"):
        posted = await client.post(
            "/api/v1/events",
            json={"events": [event("A-1", ANNA)]},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert posted.status_code == 200, posted.text
        async with httpx.AsyncClient() as http:
            deadline = time.monotonic() + 30
            found = samples((await http.get(url, headers=auth)).text)
            while not value(found, "touchpoint_send_delay_seconds_count", channel="sms"):
                assert time.monotonic() < deadline, "the worker did not send"
                await asyncio.sleep(0.2)
                found = samples((await http.get(url, headers=auth)).text)
            refused = await http.get(url)

    assert len(twilio.messages) == 1
    assert value(found, "touchpoint_messages_total", channel="sms", status="sent") == 1
    assert value(found, "touchpoint_send_delay_seconds_count", channel="sms") == 1
    assert refused.status_code == 401
