from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('journeys', '0003_consent_and_erasure')]

    initial = False

    # Erasure finds a customer's interactions by customer_id. 0003 added `interaction.erased_at` with db_index, which AddField does not create.
    operations = [
        ops.AddIndex(model_name='Interaction', index=Index(fields=['customer_id'])),
        ops.RunSQL(
            "CREATE INDEX IF NOT EXISTS idx_interaction_erased_at ON interaction (erased_at)",
            reverse_sql="DROP INDEX IF EXISTS idx_interaction_erased_at",
        ),
    ]
