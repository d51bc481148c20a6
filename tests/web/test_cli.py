"""The `touchpoint` command, run as a user runs it: a real process with its environment."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.processes import ROOT, clean_environment, free_port, touchpoint

DEMO = ROOT / "journeys" / "demo" / "online-store.yaml"
MISTAKES = ROOT / "tests" / "journeys" / "fixtures" / "many-mistakes.yaml"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return clean_environment(
        data_dir=str(tmp_path), database_url=f"sqlite://{tmp_path / 'cli.sqlite3'}"
    )


@pytest.fixture
def migrated(env: dict[str, str]) -> dict[str, str]:
    assert touchpoint("migrate", env=env).returncode == 0
    return env


def test_validate_reports_every_error_with_its_path_and_line_and_exits_1(env):
    result = touchpoint("journeys", "validate", str(MISTAKES), str(DEMO), env=env)

    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert (
        f"{MISTAKES}:10: touchpoints[1].delay: not an ISO-8601 duration (e.g. P7D, PT12H)" in lines
    )
    assert sum(line.startswith(str(MISTAKES)) for line in lines) >= 5
    unknown = "touchpoints[3].channels[1]: unknown channel 'fax' (channels: email, sms)"
    assert f"{MISTAKES}:17: {unknown}" in lines
    assert "online-store: OK (5 touchpoints)" in lines


def test_apply_stores_a_new_version_only_when_the_file_changed(migrated, tmp_path):
    first = touchpoint("journeys", "apply", str(DEMO), env=migrated)
    again = touchpoint("journeys", "apply", str(DEMO), env=migrated)
    edited = tmp_path / "online-store.yaml"
    edited.write_text(DEMO.read_text("utf-8").replace("name: Online store", "name: Web shop"))
    changed = touchpoint("journeys", "apply", str(edited), env=migrated)
    listed = touchpoint("journeys", "list", env=migrated)

    assert first.stdout.strip() == "online-store: applied as version 1"
    assert again.stdout.strip() == "online-store: unchanged at version 1"
    assert changed.stdout.strip() == "online-store: applied as version 2"
    assert "online-store\tversion 2\tactive\tWeb shop" in listed.stdout


def test_apply_applies_nothing_when_any_file_is_invalid(migrated):
    result = touchpoint("journeys", "apply", str(DEMO), str(MISTAKES), env=migrated)
    listed = touchpoint("journeys", "list", env=migrated)

    assert result.returncode == 1
    assert "nothing applied" in result.stdout
    assert listed.stdout.strip() == ""


def test_an_api_key_is_printed_once_listed_without_its_secret_and_revoked(migrated):
    created = touchpoint("apikeys", "create", "--name", "order-system", env=migrated)
    key = created.stdout.strip().splitlines()[-1]
    listed = touchpoint("apikeys", "list", env=migrated)
    revoked = touchpoint("apikeys", "revoke", "1", env=migrated)
    again = touchpoint("apikeys", "revoke", "1", env=migrated)

    assert key.startswith("tp_") and len(key) > 30
    assert "order-system\tactive" in listed.stdout
    assert key not in listed.stdout
    assert revoked.returncode == 0
    assert again.returncode == 1


def test_report_prints_the_touchpoint_table_and_refuses_a_bad_period(migrated):
    touchpoint("journeys", "apply", str(DEMO), env=migrated)

    table = touchpoint("report", "--journey", "online-store", "--period", "2026-Q3", env=migrated)
    bad = touchpoint("report", "--journey", "online-store", "--period", "2026-Q5", env=migrated)
    unknown = touchpoint("report", "--journey", "nowhere", env=migrated)

    assert table.returncode == 0
    assert "2026-Q3" in table.stdout
    assert [line.split()[0] for line in table.stdout.splitlines() if "-sale" in line] == [
        "browse",
        "order",
        "ship",
        "use",
        "after-sales",
    ]
    assert bad.returncode == 2 and "--period" in bad.stdout
    assert unknown.returncode == 1 and "nowhere" in unknown.stdout


def test_a_bad_setting_stops_the_command_and_names_the_variable(env):
    result = touchpoint("migrate", env=env | {"TOUCHPOINT_PUBLIC_URL": "ftp://shop"})

    assert result.returncode == 2
    assert "TOUCHPOINT_PUBLIC_URL" in result.stderr


def test_every_bad_setting_is_named_at_once_from_the_environment_and_dotenv(env, tmp_path):
    (tmp_path / ".env").write_text("TOUCHPOINT_SMTP_PORT=submission\nTOUCHPOINT_SMTP_TLS=ssl\n")
    bad = {"TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND": "-1", "TOUCHPOINT_MIN_SAMPLE": "zero"}

    result = subprocess.run(
        [sys.executable, "-m", "web.cli", "migrate"],
        env=env | bad,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines[0] == "touchpoint: 4 bad settings (environment or .env):"
    assert sorted(line.split(":")[0].strip() for line in lines[1:]) == [
        "TOUCHPOINT_MIN_SAMPLE",
        "TOUCHPOINT_SMTP_PORT",
        "TOUCHPOINT_SMTP_TLS",
        "TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND",
    ]
    assert "  TOUCHPOINT_TWILIO_SEGMENTS_PER_SECOND: Input should be greater than 0" in lines


def test_a_port_that_is_no_port_is_refused_before_anything_starts(env):
    result = touchpoint("up", "--port", "eighty", env=env)

    assert result.returncode == 2
    assert "--port: not a port number (1-65535): 'eighty'" in result.stderr


def test_a_number_of_web_processes_below_one_is_refused_before_anything_starts(env):
    result = touchpoint("web", "--workers", "0", env=env)

    assert result.returncode == 2
    assert "--workers: not a number of processes (1 or more): '0'" in result.stderr


@contextmanager
def serving(*args: str, env: dict[str, str], port: int, log: Path) -> Iterator[str]:
    """`touchpoint <args>` as a process of its own until it answers on `port`; yields what it
    printed on stdout by then. Its log goes to `log`."""
    out = log.with_suffix(".out")
    with out.open("w") as stdout, log.open("w") as stderr:
        command = [sys.executable, "-m", "web.cli", *args]
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield out.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _printed_curl(welcome: str) -> str:
    """The tour's curl command as `make up` prints it, continuation lines and all."""
    lines = welcome.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("curl "))
    end = next(i for i in range(start, len(lines)) if lines[i].endswith("'"))
    return "\n".join(lines[start : end + 1])


def test_up_on_another_port_prints_urls_and_a_command_that_work_every_time(
    migrated, redis_url, tmp_path
):
    """`make up PORT=8150`: everything printed points at 8150, and so does the survey link.
    The README's own command (evt-1) may have run before the printed one, and `make up`
    may run twice: the printed command is accepted each time, never a duplicate."""
    environment = migrated | {"TOUCHPOINT_REDIS_URL": redis_url}
    answers = []
    for run in (1, 2):
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = tmp_path / f"up-{run}.log"
        with serving("up", "--port", str(port), env=environment, port=port, log=log) as welcome:
            key = (tmp_path / "demo-api-key").read_text().strip()
            if run == 1:
                readme = _readme_event(base, key)
                assert readme["status"] == "accepted", readme
            urls = re.findall(r"https?://[^\s'\"]+", welcome)
            assert {url.split("/")[2] for url in urls} == {f"127.0.0.1:{port}"}, welcome
            curl = subprocess.run(
                ["bash", "-c", _printed_curl(welcome)], capture_output=True, text=True, timeout=30
            )
        [result] = json.loads(curl.stdout)["results"]
        assert result["status"] == "accepted", result
        [invitation] = result["invitations"]
        assert invitation["link"].startswith(f"{base}/s/")
        answers.append(result["id"])
    assert answers[0] != answers[1]


def _readme_event(base: str, key: str) -> dict[str, object]:
    occurred = (datetime.now(UTC) - timedelta(days=8)).replace(microsecond=0).isoformat()
    event = {
        "id": "evt-1",
        "type": "order.delivered",
        "occurred_at": occurred,
        "customer": {"id": "anna", "phone": "+14155550123", "timezone": "UTC"},
    }
    answer = httpx.post(
        f"{base}/api/v1/events",
        json={"events": [event]},
        headers={"Authorization": f"Bearer {key}"},
    )
    [result] = answer.json()["results"]
    return result


def test_web_on_another_port_builds_its_links_on_that_port(migrated, redis_url, tmp_path):
    touchpoint("journeys", "apply", str(DEMO), env=migrated, check=True)
    created = touchpoint("apikeys", "create", "--name", "shop", env=migrated, check=True)
    key = created.stdout.strip().splitlines()[-1]
    port = free_port()
    environment = migrated | {"TOUCHPOINT_REDIS_URL": redis_url}

    with serving("web", "--port", str(port), env=environment, port=port, log=tmp_path / "web.log"):
        result = _readme_event(f"http://127.0.0.1:{port}", key)

    [invitation] = result["invitations"]
    assert invitation["link"].startswith(f"http://127.0.0.1:{port}/s/")


@pytest.mark.parametrize(
    "command", [["up"], ["web"], ["worker"], ["migrate"], ["journeys", "apply"], ["report"]]
)
def test_every_command_has_help(command, env):
    result = touchpoint(*command, "--help", env=env)

    assert result.returncode == 0
    assert result.stdout.startswith("usage: touchpoint")


def test_validate_counts_each_sms_wordings_segments_and_warns_past_one(env):
    result = touchpoint("journeys", "validate", str(DEMO), env=env)

    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "online-store: OK (5 touchpoints)"
    assert any(line.startswith("  messages.sms.A.en: 1 segment (GSM-7, ") for line in lines)
    assert any(line.startswith("  messages.sms.A.zh-CN: 1 segment (UCS-2, ") for line in lines)
    warnings = [line for line in lines if line.startswith("warning:")]
    assert warnings == [
        "warning: messages.sms.B.zh-CN is 2 segments (UCS-2, 75 characters with a link): "
        "customers are billed per segment"
    ]


def test_the_worker_finishes_and_exits_on_sigterm(migrated, redis_url, tmp_path):
    """A deploy stops workers with SIGTERM: the worker lets its sends finish, then exits 0."""
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "worker"],
            env=migrated | {"TOUCHPOINT_REDIS_URL": redis_url},
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "Starting worker" not in log.read_text():
            assert worker.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, log.read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert "shutdown on SIGTERM" in log.read_text()
