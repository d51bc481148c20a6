"""The review's grouped counts are read as any statement is, and on PostgreSQL with the
JIT compiler off for that statement only."""

from tortoise import connections

from surveys.sql import fetch_all, fetch_counts


def postgres() -> bool:
    return connections.get("default").capabilities.dialect == "postgres"


async def test_a_count_reads_its_rows_as_tuples(db):
    assert await fetch_counts("SELECT 1 + ?, 'x'", [1]) == [(2, "x")]


async def test_a_count_runs_without_jit_and_leaves_the_connection_as_it_was(db):
    if not postgres():
        return  # SQLite compiles nothing
    default = (await fetch_all("SELECT current_setting('jit')"))[0][0]
    assert await fetch_counts("SELECT current_setting('jit')") == [("off",)]
    for _ in range(3):  # whichever pooled connection answers
        assert await fetch_all("SELECT current_setting('jit')") == [(default,)]
