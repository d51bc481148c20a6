"""Every model change ships with its migration: the checked-in migrations match the models."""

from __future__ import annotations

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
