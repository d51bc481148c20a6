"""`touchpoint migrate --check`: what an init container runs to wait for the release's
migration Job before a web process or a worker starts."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.processes import clean_environment, touchpoint


def test_it_fails_until_the_migrations_are_applied_then_passes(tmp_path: Path) -> None:
    environment = clean_environment(
        database_url=f"sqlite://{tmp_path / 'fresh.sqlite3'}", data_dir=str(tmp_path)
    )

    before = touchpoint("migrate", "--check", env=environment)
    applied = touchpoint("migrate", env=environment)
    after = touchpoint("migrate", "--check", env=environment)

    assert before.returncode == 1
    assert "cannot check the migrations yet" in before.stderr or "not applied" in before.stderr
    assert applied.returncode == 0, applied.stderr
    assert (after.returncode, after.stdout.strip()) == (0, "every migration is applied")


def test_it_names_a_migration_that_is_missing(tmp_path: Path) -> None:
    database = tmp_path / "behind.sqlite3"
    environment = clean_environment(database_url=f"sqlite://{database}", data_dir=str(tmp_path))
    assert touchpoint("migrate", env=environment).returncode == 0
    with sqlite3.connect(database) as conn:
        conn.execute(
            "DELETE FROM tortoise_migrations WHERE app = ? AND name = ?",
            ("surveys", "0005_review_dimensions"),
        )

    behind = touchpoint("migrate", "--check", env=environment)

    assert behind.returncode == 1
    assert "not applied: surveys.0005_review_dimensions" in behind.stderr
