"""`touchpoint insights`, run as the CX owner runs it before the monthly meeting."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from tortoise import Tortoise

from surveys.models import Answer
from tests.processes import clean_environment, touchpoint
from tests.surveys.factories import answers, create_journey
from web.database import connect

OCTOBER = datetime(2026, 10, 15, 4, tzinfo=UTC)


@pytest.fixture
async def env(tmp_path: Path) -> dict[str, str]:
    """A migrated database with the online store and a few October answers, one comment."""
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    assert touchpoint("migrate", env=env).returncode == 0
    await connect(url)
    try:
        order = (await create_journey())["order"]
        await answers(order, 3, answered_at=OCTOBER, nps=9)
        await answers(order, 1, answered_at=OCTOBER, nps=2)
        await Answer.filter(touchpoint=order, nps=2).update(comment="slow | and <b>rude</b>")
    finally:
        await Tortoise.close_connections()
    return env


def test_it_writes_the_html_and_the_markdown_of_the_month(env, tmp_path):
    out = tmp_path / "reports"
    done = touchpoint("insights", "--month", "2026-10", "--output", str(out), env=env)

    assert done.returncode == 0, done.stderr
    html = (out / "insights-2026-10.html").read_text("utf-8")
    markdown = (out / "insights-2026-10.md").read_text("utf-8")
    assert "Insights for October 2026" in html and "Online store" in html
    assert markdown.startswith("# Insights for October 2026")
    assert "slow \\| and \\<b>rude\\</b>" in markdown
    assert "slow | and &lt;b&gt;rude&lt;/b&gt;" in html
    assert done.stdout.splitlines() == [
        f"wrote {out / 'insights-2026-10.html'}",
        f"wrote {out / 'insights-2026-10.md'}",
    ]


def test_markdown_alone_goes_to_standard_output(env):
    done = touchpoint("insights", "--month", "2026-10", "--format", "md", env=env)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# Insights for October 2026")


def test_an_empty_month_is_a_report_too(env, tmp_path):
    done = touchpoint("insights", "--month", "2026-12", "--format", "md", env=env)

    assert done.returncode == 0
    assert "No answers in December 2026 for Online store: nothing to report." in done.stdout


def test_a_malformed_month_or_an_unknown_journey_is_refused_with_exit_code_2(env, tmp_path):
    bad_month = touchpoint("insights", "--month", "2026-13", "--output", str(tmp_path), env=env)
    quarter = touchpoint("insights", "--month", "2026-Q3", env=env)
    unknown = touchpoint("insights", "--month", "2026-10", "--journey", "nowhere", env=env)

    assert bad_month.returncode == 2
    assert bad_month.stderr.strip() == (
        "touchpoint insights: --month: a month is 1 to 12, not 13 (in '2026-13')"
    )
    assert not list(tmp_path.glob("insights-*"))
    assert quarter.returncode == 2
    assert "a month is written like 2026-10, not '2026-Q3'" in quarter.stderr
    assert unknown.returncode == 2
    assert "--journey: no journey with key 'nowhere'" in unknown.stderr
