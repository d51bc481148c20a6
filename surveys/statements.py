"""Hot statements written as SQL text rather than built by the ORM.

Building a statement through tortoise (pypika underneath) costs a third of a millisecond
to two milliseconds of CPU each time, more than the database takes to run it: a send made
six such statements, and its CPU is what several workers on a few cores compete for. The
statements on the send path are therefore written once as text with `?` placeholders,
numbered for PostgreSQL (`$1`, `$2`...) once per text, and run on the model's connection
(inside `in_transaction()`, part of the transaction). Values go in as the ORM writes them
(aware datetimes, enum values as their strings); values read come back as each driver
gives them, so datetimes are read through the model's own field (`python_value`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tortoise.models import Model

_PLACEHOLDER = re.compile(r"\?")


@lru_cache(maxsize=256)
def in_dialect(sql: str, dialect: str) -> str:
    """`sql` with its `?` placeholders as the dialect numbers them."""
    if dialect != "postgres":
        return sql
    numbers = iter(range(1, sql.count("?") + 1))
    return _PLACEHOLDER.sub(lambda _: f"${next(numbers)}", sql)


async def execute(model: type[Model], sql: str, values: list[Any]) -> int:
    """Runs a write on `model`'s connection; the number of rows it changed."""
    client = model._meta.db
    changed, _ = await client.execute_query(in_dialect(sql, client.capabilities.dialect), values)
    return int(changed)


async def select(model: type[Model], sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """Runs a read (or a write with RETURNING) on `model`'s connection; its rows."""
    client = model._meta.db
    return await client.execute_query_dict(in_dialect(sql, client.capabilities.dialect), values)


def python_value(model: type[Model], field: str, value: Any) -> Any:
    """A value read from `model`'s column `field` as the ORM gives it (a datetime from
    SQLite's text, in the configured time zone)."""
    return model._meta.fields_map[field].to_python_value(value)
