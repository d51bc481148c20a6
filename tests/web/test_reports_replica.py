"""TOUCHPOINT_REPORTS_DATABASE_URL: the review, its exports and the report commands read from
a second database (a replica in production); sign-in, API keys and every write stay on the
main one.

Two real databases stand in for a primary and its replica: the test's own (SQLite, or the
PostgreSQL of TEST_DATABASE_URL) and a second one beside it (another SQLite file, or the
PostgreSQL database of the same name with `_reports` appended). The "replica" holds other
rows than the main database, so each figure says which of the two it was read from: the
replica has three promoters who wrote "from the replica", the main database one detractor.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError
from tortoise import Tortoise, connections

from surveys.models import Answer
from surveys.sql import fetch_all, reading_reports
from tests.console import signed_in
from tests.processes import clean_environment, touchpoint
from tests.surveys.comment_factories import written
from tests.surveys.factories import create_journey
from web.app import create_app
from web.auth import create_api_key
from web.database import connect, disconnect, migrate
from web.models import AuditEvent
from web.report_reads import is_report
from web.runtime import start_runtime, stop_runtime
from web.settings import Settings, problems

QUARTER = "?journey=online-store&period=2026-Q3"


async def _fresh_postgres(url: str) -> str:
    """`url`'s database with `_reports` appended, created if missing and emptied."""
    import asyncpg

    base, _, name = url.rpartition("/")
    reports = f"{name}_reports"
    admin = await asyncpg.connect(url.replace("postgres://", "postgresql://", 1))
    try:
        if not await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", reports):
            await admin.execute(f'CREATE DATABASE "{reports}"')
    finally:
        await admin.close()
    replica = f"{base}/{reports}"
    conn = await asyncpg.connect(replica.replace("postgres://", "postgresql://", 1))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()
    return replica


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file to copy: migrating takes seconds, copying nothing."""
    path = tmp_path_factory.mktemp("replica") / "migrated.sqlite3"
    asyncio.run(migrate(f"sqlite://{path}"))
    return path


@pytest.fixture
async def replica(db: str, tmp_path: Path, migrated_sqlite: Path) -> AsyncIterator[str]:
    """A second migrated database with three promoters, connected as `reports` beside the
    main one, which holds one detractor; yields the second database's URL."""
    await Tortoise.close_connections()
    if db.startswith("postgres://"):
        url = await _fresh_postgres(db)
        await migrate(url)
    else:
        url = f"sqlite://{shutil.copy(migrated_sqlite, tmp_path / 'replica.sqlite3')}"
    await connect(url)
    order = (await create_journey())["order"]
    await written(order, 3, comment="from the replica", nps=10, csat=5)
    await connect(db, url)
    order = (await create_journey())["order"]
    await written(order, 1, comment="from the main database", nps=0, csat=1)
    yield url
    await disconnect()


@pytest.fixture
async def auth(replica: str) -> dict[str, str]:
    """A key made a moment ago, on the main database only."""
    _, key = await create_api_key("reports")
    return {"Authorization": f"Bearer {key}"}


async def test_the_report_api_reads_the_replica_with_a_key_known_only_to_the_main_database(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    answer = await client.get(f"/api/v1/reports/touchpoints{QUARTER}", headers=auth)

    assert answer.status_code == 200, answer.text
    order = next(t for t in answer.json()["touchpoints"] if t["touchpoint"] == "order")
    assert (order["n"], order["nps"]["score"]) == (3, 100.0)


async def test_the_responses_read_the_replica_and_the_audit_line_is_written_to_the_main_one(
    client: httpx.AsyncClient, auth: dict[str, str], replica: str
) -> None:
    answer = await client.get("/api/v1/responses?journey=online-store&format=csv", headers=auth)

    assert answer.status_code == 200, answer.text
    assert answer.text.count("from the replica") == 3
    assert "from the main database" not in answer.text
    assert await AuditEvent.filter(action="answers.exported").count() == 1
    with reading_reports():
        assert await AuditEvent.all().count() == 0


async def test_outside_a_report_reads_go_to_the_main_database_and_writes_always_do(
    replica: str,
) -> None:
    count = "SELECT COUNT(*) FROM answer"
    assert await fetch_all(count) == [(1,)]
    assert await Answer.all().count() == 1
    with reading_reports():
        assert await fetch_all(count) == [(3,)]
        assert await Answer.all().count() == 3
        await AuditEvent.create(actor_kind="system", action="written.inside")
    assert await AuditEvent.filter(action="written.inside").count() == 1


async def test_readiness_asks_the_reports_database_too(
    client: httpx.AsyncClient, replica: str
) -> None:
    answer = await client.get("/readyz")

    assert answer.status_code == 200
    assert answer.json()["checks"]["reports database"] == {
        "ok": True,
        "detail": "answers",
        "required": False,
    }


async def test_a_reports_database_that_does_not_answer_is_said_but_leaves_the_process_ready(
    db: str, tmp_path: Path, client: httpx.AsyncClient
) -> None:
    """A replica's outage must not take the survey pages and the intake down with it."""
    away = (
        "postgres://postgres@127.0.0.1:1/nowhere"
        if db.startswith("postgres://")
        else f"sqlite://{tmp_path / 'no such folder' / 'replica.sqlite3'}"
    )
    await connect(db, away)
    try:
        answer = await client.get("/readyz")
    finally:
        await disconnect()

    assert (answer.status_code, answer.json()["status"]) == (200, "ready")
    reports = answer.json()["checks"]["reports database"]
    assert (reports["ok"], reports["required"]) == (False, False)
    assert reports["detail"]


async def test_without_a_reports_database_nothing_more_is_asked(client: httpx.AsyncClient) -> None:
    answer = await client.get("/readyz")

    assert set(answer.json()["checks"]) == {"database", "redis", "migrations"}


async def test_the_app_started_from_settings_connects_both(
    replica: str, db: str, settings: Settings
) -> None:
    await Tortoise.close_connections()
    running = await start_runtime(settings.model_copy(update={"reports_database_url": replica}))
    try:
        assert connections.get("reports") is not connections.get("default")
        _, key = await create_api_key("started")
        transport = httpx.ASGITransport(app=create_app(runtime=running))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answer = await http.get(
                f"/api/v1/reports/touchpoints{QUARTER}",
                headers={"Authorization": f"Bearer {key}"},
            )
    finally:
        await stop_runtime(running)
    order = next(t for t in answer.json()["touchpoints"] if t["touchpoint"] == "order")
    assert order["n"] == 3


async def test_the_report_command_reads_the_replica(replica: str, db: str, tmp_path: Path) -> None:
    environment = clean_environment(
        database_url=db,
        reports_database_url=replica,
        data_dir=str(tmp_path),
        secret_key="a test key, not a secret one",
    )
    await Tortoise.close_connections()
    done = await asyncio.to_thread(
        touchpoint,
        "report",
        "--journey",
        "online-store",
        "--period",
        "2026-Q3",
        "--format",
        "json",
        env=environment,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    order = next(t for t in json.loads(done.stdout)["touchpoints"] if t["touchpoint"] == "order")
    assert order["n"] == 3


@pytest.mark.parametrize(
    ("method", "path", "reads_reports"),
    [
        ("GET", "/", True),
        ("GET", "/review/online-store/2026-Q3", True),
        ("GET", "/review/online-store/comments", True),
        ("GET", "/api/v1/reports/touchpoints", True),
        ("GET", "/api/v1/responses", True),
        ("GET", "/api/v1/cases/figures", True),
        ("HEAD", "/review", True),
        ("POST", "/review/online-store", False),
        ("GET", "/reviewers", False),
        ("GET", "/api/v1/cases/12", False),
        ("GET", "/s/some-token", False),
        ("GET", "/readyz", False),
    ],
)
def test_which_requests_read_for_a_report(method: str, path: str, reads_reports: bool) -> None:
    assert is_report(method, path) is reads_reports


def test_a_reports_database_url_of_another_kind_is_refused_by_name() -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(reports_database_url="mysql://replica/touchpoint")

    assert problems(raised.value) == [
        "TOUCHPOINT_REPORTS_DATABASE_URL: must be a sqlite:// or postgres:// URL"
    ]


async def test_the_console_review_reads_the_replica_for_someone_signed_in_on_the_main_one(
    client: httpx.AsyncClient, replica: str
) -> None:
    await signed_in(client, "viewer")

    comments = await client.get("/review/online-store/comments?period=2026-Q3")
    answers = await client.get("/review/online-store/2026-Q3/answers.csv")

    assert comments.status_code == 200, comments.text
    assert "from the replica" in comments.text
    assert "from the main database" not in comments.text
    assert answers.status_code == 200
    assert answers.text.count("from the replica") == 3
