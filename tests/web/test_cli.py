"""The `touchpoint` command, run as a user runs it: a real process with its environment."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.processes import ROOT, clean_environment, touchpoint

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
