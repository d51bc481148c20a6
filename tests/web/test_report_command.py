"""`touchpoint report`, run as a CX owner preparing the quarterly review runs it: the
figures per touchpoint as a table, CSV or JSON, broken down and narrowed."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise

from tests.processes import clean_environment, touchpoint
from tests.surveys.factories import create_journey
from tests.surveys.review_data import answered, unanswered
from web.database import connect

MID_Q3 = datetime(2026, 8, 15, 10, tzinfo=UTC)


@pytest.fixture
async def env(tmp_path: Path) -> dict[str, str]:
    """The online store's 2026-Q3: order has 3 promoters by SMS in store Pudong (segment A)
    and a detractor by email (segment B), and 4 unanswered SMS invitations."""
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    assert touchpoint("migrate", env=env).returncode == 0
    await connect(url)
    try:
        order = (await create_journey())["order"]
        pudong = {"store": "Pudong"}
        await answered(order, 3, at=MID_Q3, nps=10, csat=5, segment="A", attributes=pudong)
        await answered(order, 1, at=MID_Q3, nps=0, csat=2, segment="B", channel="email")
        await unanswered(order, 4, sent_at=MID_Q3)
    finally:
        await Tortoise.close_connections()
    return env


def report(*args: str, env: dict[str, str]):
    return touchpoint("report", "--journey", "online-store", *args, env=env)


async def test_the_table_has_a_row_per_touchpoint_and_the_whole_journey(env):
    table = report("--period", "2026-Q3", "--by", "channel", env=env)

    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[:2] == [
        "Online store (online-store), 2026-Q3, Asia/Shanghai",
        "broken down by channel",
    ]
    order = lines.index(next(line for line in lines if line.startswith("order")))
    # NPS (3 - 1) / 4 = 50; adjusted Wald: n' = 7, p' = 3.75/7, d' = 1.75/7, p' - d' = 0.28571,
    # var = (0.78571 - 0.08163) / 7 = 0.100583, 1.96 x sqrt(var) = 0.6216: ±62.2.
    # CSAT 3 of 4; 4 of the 8 invitations answered.
    assert lines[order].split()[:7] == ["order", "in-sale", "4", "+50.0", "±62.2", "*", "75.0%"]
    assert "50.0% (4/8)" in lines[order]
    assert lines[order + 1].split()[:3] == ["email", "1", "-100.0"]
    assert lines[order + 2].split()[:3] == ["sms", "3", "+100.0"]
    assert "42.9% (3/7)" in lines[order + 2]
    whole = next(line for line in lines if line.startswith("*"))
    assert whole.split()[:4] == ["*", "(whole", "journey)", "4"]
    assert "! change on the previous quarter larger than the noise (95%)" in table.stdout


async def test_csv_and_json_for_a_spreadsheet_or_a_script(env):
    as_csv = report("--period", "2026-Q3", "--format", "csv", "--segment", "A", env=env)
    as_json = report("--period", "2026-08", "--json", "--attribute", "store:Pudong", env=env)

    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    order = next(r for r in rows if r["touchpoint"] == "order")
    assert (order["answers"], order["nps"], order["sent"], order["response_rate"]) == (
        "3",
        "100.0",
        "3",
        "100.0",
    )
    data = json.loads(as_json.stdout)
    assert (data["period"], data["kind"], data["filters"]) == (
        "2026-08",
        "month",
        {"attribute": ["store:Pudong"]},
    )
    assert data["whole"]["n"] == 3 and data["whole"]["response_rate"]["rate"] is None


async def test_a_typo_is_named_not_an_empty_report(env):
    refusals = [
        (["--period", "2026-Q5"], "--period:"),
        (
            ["--segment", "Z"],
            "--segment: no answer of 'online-store' has segment 'Z' (it has: A, B)",
        ),
        (
            ["--attribute", "region:east"],
            "--attribute: no answer of 'online-store' has an attribute",
        ),
        (["--attribute", "store"], "--attribute: write an attribute filter as name:value"),
        (["--by", "region"], "--by: break down by channel"),
        (["--touchpoint", "checkout"], "--touchpoint: journey 'online-store' has no touchpoint"),
    ]
    for args, says in refusals:
        refused = report(*args, env=env)

        assert refused.returncode == 2, args
        assert says in refused.stdout
