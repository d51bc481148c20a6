"""`touchpoint cases`, run as an agent or a team lead runs it: the queue sorted by the next
due time, the overdue ones, and the quarter's figures, as text and JSON."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tortoise import Tortoise

from tests.processes import clean_environment, touchpoint
from tests.surveys.cases import answered, care_team, case_opened
from tests.surveys.cases import follow_up_journey as journey
from web.database import connect

H = timedelta(hours=1)


@pytest.fixture
async def env(tmp_path: Path) -> dict[str, str]:
    """A migrated database with the care team's cases: two from July (one resolved, one
    never answered, so overdue) and one opened just now."""
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    assert touchpoint("migrate", env=env).returncode == 0
    await connect(url)
    try:
        await journey({"first_response": "PT2H", "resolution": "P1D", "team": "care"})
        await care_team()
        july = datetime(2026, 7, 1, 10, tzinfo=UTC)
        await case_opened(july, responded=H, resolved=20 * H, score=5)
        await case_opened(july + timedelta(days=1))
        await answered(nps=0, customer="anna")
    finally:
        await Tortoise.close_connections()
    return env


def cases(*args: str, env: dict[str, str]):
    return touchpoint("cases", *args, env=env)


async def test_the_queue_lists_open_cases_by_next_due_and_marks_the_overdue(env):
    listed = cases(env=env)
    overdue = cases("--overdue", "--format", "json", env=env)
    other_team = cases("--team", "billing", env=env)

    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == ["2", "3"]  # July's overdue case first
    assert "OVERDUE" in rows[0] and "OVERDUE" not in rows[1]
    assert "alice@shop.example" in listed.stdout or "bob@shop.example" in listed.stdout
    (late,) = json.loads(overdue.stdout)
    assert (late["id"], late["team"], late["touchpoint"], late["overdue"]) == (
        2,
        "care",
        "use",
        True,
    )
    assert other_team.stdout.strip() == "no open cases"


async def test_figures_print_the_quarter_per_team_as_a_table_and_as_json(env):
    table = cases("--figures", "--period", "2026-Q3", env=env)
    as_json = cases("--figures", "--period", "2026-Q3", "--format", "json", env=env)
    bad = cases("--figures", "--period", "2026-Q5", env=env)

    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("Follow-ups 2026-Q3 (UTC)")
    care = next(line for line in table.stdout.splitlines() if line.startswith("care"))
    assert care.split()[:3] == ["care", "2", "1h/1h"]
    (figures,) = json.loads(as_json.stdout)["figures"]
    assert (figures["team"], figures["opened"], figures["overdue_now"]) == ("care", 2, 1)
    assert figures["resolution_within_sla"] == {"percent": 50.0, "met": 1, "n": 2}
    assert bad.returncode == 2 and "--period" in bad.stderr
