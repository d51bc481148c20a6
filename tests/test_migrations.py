"""Every model change ships with its migration: the checked-in migrations match the models."""

from __future__ import annotations

from tortoise import Tortoise, connections
from tortoise.context import TortoiseContext
from tortoise.migrations.autodetector import MigrationAutodetector

from web.database import tortoise_config


async def test_the_migrations_describe_the_models_exactly(database_url):
    config = tortoise_config(database_url)

    async with TortoiseContext() as context:
        await context.init(config=config)
        changes = await MigrationAutodetector(context.apps, config["apps"]).changes()

    missing = [f"{w.app_label}: {[type(op).__name__ for op in w.operations]}" for w in changes]
    assert missing == [], "models changed without a migration (run `make migrations`)"


async def _indexed_columns(table: str) -> set[str]:
    """The columns that lead an index of `table` in the migrated database."""
    conn = connections.get("default")
    if conn.capabilities.dialect == "sqlite":
        _, indexes = await conn.execute_query(f"PRAGMA index_list('{table}')")
        found = set()
        for index in indexes:
            _, columns = await conn.execute_query(f"PRAGMA index_info('{index['name']}')")
            found.add(min(columns, key=lambda c: c["seqno"])["name"])
        return found
    _, rows = await conn.execute_query(
        "SELECT a.attname FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
        "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
        "WHERE t.relname = $1",
        [table],
    )
    return {row["attname"] for row in rows}


async def test_every_indexed_field_has_its_index_in_the_database(db):
    """A field added later with `db_index` gets no index from its AddField; the migrations
    make those by hand, and this finds one that was forgotten."""
    missing = []
    for app in Tortoise.apps.values():
        for model in app.values():
            table = model._meta.db_table
            indexed = await _indexed_columns(table)
            for name, field in model._meta.fields_map.items():
                if getattr(field, "index", False) and not field.pk:
                    column = field.source_field or name
                    if column not in indexed:
                        missing.append(f"{table}.{column}")
    assert missing == []
