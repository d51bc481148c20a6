"""Writing and reading many rows of one table at once: multi-row INSERTs that return the
ids, and SELECTs by a list of keys, as plain tuples.

Intake writes a thousand interactions and as many invitations per batch. Building an ORM
object per row and tortoise's bulk_create (the same one-row INSERT executed per row, then a
SELECT for the ids) cost several times the database's own work; one statement per table
that returns the ids with a unique key of each row does the same in one round trip. The
caller gives values as the ORM would store them (`json_writer` for JSON fields; datetimes aware,
which both drivers write as tortoise does), so the rows read back through the ORM unchanged.
Reading a thousand customers by their external ids is likewise one statement whose rows are
tuples, not ORM objects. Statements run on the model's connection, so inside
`in_transaction()` they are part of the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from tortoise.models import Model

#: Parameters per statement, under both drivers' limits (SQLite 32,766; asyncpg 32,767).
MAX_PARAMS = 30_000


async def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: Sequence[str],
) -> list[tuple[Any, ...]]:
    """INSERT `rows` (values in the order of `columns`, database column names) into the
    model's table; returns the `returning` columns of every row written, in no set order."""
    if not rows:
        return []
    client = model._meta.db
    postgres = client.capabilities.dialect == "postgres"
    width = len(columns)
    per = max(1, MAX_PARAMS // width)
    head = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES "
    tail = f" RETURNING {', '.join(returning)}"
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        if postgres:
            groups = (
                "(" + ", ".join(f"${n * width + i}" for i in range(1, width + 1)) + ")"
                for n in range(len(part))
            )
        else:
            groups = ("(" + ", ".join("?" * width) + ")" for _ in part)
        params = [value for row in part for value in row]
        # execute_query_dict: tortoise's asyncpg execute_query drops an INSERT's rows.
        got = await client.execute_query_dict(head + ", ".join(groups) + tail, params)
        found += [tuple(row.values()) for row in got]
    return found


async def select_where_in(
    model: type[Model], columns: Sequence[str], key: str, values: Sequence[Any]
) -> list[tuple[Any, ...]]:
    """`columns` of the rows whose `key` column is one of `values`, as the driver returns
    them (a JSON field is its text: `json_reader` reads it as the ORM would)."""
    client = model._meta.db
    postgres = client.capabilities.dialect == "postgres"
    head = f"SELECT {', '.join(columns)} FROM {model._meta.db_table} WHERE {key} IN ("
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(values), MAX_PARAMS):
        part = list(values[start : start + MAX_PARAMS])
        marks = (f"${i}" for i in range(1, len(part) + 1)) if postgres else ("?" for _ in part)
        _, got = await client.execute_query(head + ", ".join(marks) + ")", part)
        found += [tuple(row) for row in got]
    return found


def json_writer(model: type[Model], field: str) -> Callable[[Any], str]:
    """How the ORM writes a JSON field's value as text (its own encoder)."""
    return model._meta.fields_map[field].encoder


def json_reader(model: type[Model], field: str) -> Callable[[Any], Any]:
    """How the ORM reads a JSON field's stored text (its own decoder)."""
    decode = model._meta.fields_map[field].decoder
    return lambda text: None if text is None else decode(text) if isinstance(text, str) else text
