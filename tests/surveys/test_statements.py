"""Written statements: numbered for PostgreSQL, as written for SQLite."""

from __future__ import annotations

from surveys.statements import in_dialect


def test_placeholders_are_numbered_for_postgres_only():
    sql = "UPDATE t SET a = ?, b = ? WHERE id = ?"
    assert in_dialect(sql, "postgres") == "UPDATE t SET a = $1, b = $2 WHERE id = $3"
    assert in_dialect(sql, "sqlite") == sql
