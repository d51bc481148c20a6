"""`touchpoint export` and `touchpoint comments`, run as a CX owner runs them before the
quarterly review: answers to a CSV for Excel or to JSON Lines, and the newest comments read
in the terminal."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from tortoise import Tortoise

from tests.processes import clean_environment, touchpoint
from tests.surveys.comment_factories import written
from tests.surveys.factories import create_journey
from web.database import connect
from web.models import AuditEvent


@pytest.fixture
async def env(tmp_path: Path) -> dict[str, str]:
    """The online store (Shanghai time) with a promoter, a Chinese detractor and a passive
    who wrote nothing, in that order."""
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    assert touchpoint("migrate", env=env).returncode == 0
    await connect(url)
    try:
        store = await create_journey()
        await written(store["order"], comment="Quick and kind", nps=10, sentiment="positive")
        await written(
            store["ship"],
            comment="快递太慢了\x1b[2J",
            nps=2,
            csat=1,
            themes=("delivery", "waiting time"),
            sentiment="negative",
            locale="zh-CN",
            segment="A",
        )
        await written(store["order"], nps=8)
    finally:
        await Tortoise.close_connections()
    return env


async def test_export_writes_every_answer_to_a_csv_file_for_excel(env, tmp_path):
    out = tmp_path / "answers.csv"

    done = touchpoint("export", "--journey", "online-store", "--output", str(out), env=env)

    assert done.returncode == 0, done.stderr
    assert "3 answers written to" in done.stderr
    assert out.read_bytes().startswith("\ufeff".encode())
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig", newline="")))
    assert [r["nps"] for r in rows] == ["10", "2", "8"]  # oldest first
    assert rows[1]["comment"] == "快递太慢了\x1b[2J"  # the file keeps the text as written
    assert (rows[1]["themes"], rows[1]["answered_local"]) == (
        "delivery; waiting time",
        "2026-08-15 18:00:00",
    )
    assert not list(tmp_path.glob("*.part"))
    await connect(env["TOUCHPOINT_DATABASE_URL"])
    try:
        [event] = await AuditEvent.filter(action="answers.exported")
    finally:
        await Tortoise.close_connections()
    assert event.actor_label.startswith("cli:") and event.detail["answers"] == 3


def test_export_as_json_lines_to_standard_output_with_filters(env):
    done = touchpoint(
        "export", "--journey", "online-store", "--format", "json", "--comments-only", env=env
    )
    only_a = touchpoint(
        "export", "--journey", "online-store", "--format", "json", "--segment", "A", env=env
    )

    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["comment"] for line in lines] == ["Quick and kind", "快递太慢了\x1b[2J"]
    assert lines[1]["journey"] == "online-store"
    assert lines[1]["answered_local"] == "2026-08-15T18:00:00+08:00"
    assert [json.loads(line)["touchpoint"] for line in only_a.stdout.splitlines()] == ["ship"]


def test_a_bad_filter_is_named_and_no_file_is_left(env, tmp_path):
    out = tmp_path / "answers.csv"

    bad = touchpoint(
        "export",
        "--journey",
        "online-store",
        "--since",
        "2026-02-30",
        "--output",
        str(out),
        env=env,
    )
    unknown = touchpoint("export", "--journey", "no-such-journey", env=env)
    typo = touchpoint("export", "--journey", "online-store", "--touchpoint", "shipping", env=env)

    assert bad.returncode == 2 and "since" in bad.stderr
    assert not out.exists()
    assert unknown.returncode == 2 and "no journey with key 'no-such-journey'" in unknown.stderr
    assert typo.returncode == 2 and "touchpoint" in typo.stderr and "shipping" in typo.stderr


def test_comments_are_readable_in_the_terminal_newest_first(env):
    shown = touchpoint("comments", "--journey", "online-store", env=env)

    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout  # a comment cannot drive the reader's terminal
    blocks = [block for block in shown.stdout.split("\n\n") if block.strip()]
    assert len(blocks) == 2  # the passive wrote nothing
    heading, text = blocks[0].splitlines()
    assert "2026-08-15 18:00  ship  NPS 2 (detractor)  CSAT 1  negative" in heading
    assert "themes: delivery, waiting time" in heading
    assert text.strip() == "快递太慢了\ufffd[2J"
    assert "Quick and kind" in blocks[1]


def test_comments_narrow_and_page_on(env):
    newest = touchpoint("comments", "--journey", "online-store", "--limit", "1", env=env)
    newest_id = newest.stdout.split()[0].lstrip("#")
    assert f"older comments: add --after {newest_id}" in newest.stdout

    older = touchpoint("comments", "--journey", "online-store", "--after", newest_id, env=env)
    themed = touchpoint("comments", "--journey", "online-store", "--theme", "price", env=env)

    assert "Quick and kind" in older.stdout and "快递" not in older.stdout
    assert themed.stdout.strip() == "no comments in that range"
