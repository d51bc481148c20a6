from tortoise import migrations
from tortoise.migrations import operations as ops


async def _index(apps, schema_editor) -> None:
    """SQLite rebuilt the message table for 0002's AlterField and left its index behind;
    PostgreSQL kept it, so only SQLite gets it back."""
    if schema_editor.client.capabilities.dialect == "sqlite":
        await schema_editor.client.execute_script(
            "CREATE INDEX IF NOT EXISTS idx_message_provider_message_id "
            "ON message (provider_message_id)"
        )


class Migration(migrations.Migration):
    dependencies = [('dispatch', '0005_notifications_and_webhooks')]

    initial = False

    operations = [ops.RunPython(_index, ops.RunPython.noop)]
