"""/readyz: ready only when the database and Redis answer and every migration is applied."""

from __future__ import annotations

from redis.asyncio import Redis
from tortoise import connections

from web.readiness import MIGRATIONS_TABLE, readiness, shipped_migrations


async def test_a_process_whose_dependencies_answer_is_ready(client):
    answer = await client.get("/readyz")

    assert answer.status_code == 200
    assert answer.json() == {
        "status": "ready",
        "checks": {
            "database": {"ok": True, "detail": "answers"},
            "redis": {"ok": True, "detail": "answers"},
            "migrations": {"ok": True, "detail": "all applied"},
        },
    }


def test_the_shipped_migrations_are_read_from_the_packages():
    shipped = shipped_migrations()

    assert ("surveys", "0005_review_dimensions") in shipped
    assert ("journeys", "0001_initial") in shipped
    assert all(not name.endswith(".py") for _, name in shipped)


async def test_redis_away_makes_the_process_unready_and_says_why(db):
    away = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens on port 1
    try:
        checks = {check.name: check for check in await readiness(away)}
    finally:
        await away.aclose()

    assert checks["redis"].ok is False
    assert "Connection" in checks["redis"].detail
    assert checks["database"].ok and checks["migrations"].ok


async def test_a_migration_not_applied_makes_the_process_unready(client):
    conn = connections.get("default")
    _, rows = await conn.execute_query(
        f"SELECT app, name, applied_at FROM {MIGRATIONS_TABLE} "
        "WHERE app = 'surveys' AND name = '0005_review_dimensions'"
    )
    [row] = rows
    await conn.execute_query(
        f"DELETE FROM {MIGRATIONS_TABLE} WHERE app = 'surveys' AND name = '0005_review_dimensions'"
    )
    try:
        answer = await client.get("/readyz")
    finally:
        insert = f"INSERT INTO {MIGRATIONS_TABLE} (app, name, applied_at) VALUES (?, ?, ?)"
        if conn.capabilities.dialect == "postgres":
            insert = insert.replace("?, ?, ?", "$1, $2, $3")
        await conn.execute_query(insert, [row["app"], row["name"], row["applied_at"]])

    assert answer.status_code == 503
    migrations = answer.json()["checks"]["migrations"]
    assert migrations["ok"] is False
    assert "surveys.0005_review_dimensions" in migrations["detail"]
    assert "touchpoint migrate" in migrations["detail"]


async def test_liveness_asks_nothing_of_the_dependencies(client):
    answer = await client.get("/healthz")

    assert (answer.status_code, answer.text) == (200, "ok")
