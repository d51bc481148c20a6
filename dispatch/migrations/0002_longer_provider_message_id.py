from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('dispatch', '0001_initial'), ('surveys', '0001_initial')]

    initial = False

    operations = [
        ops.AlterField(
            model_name='Message',
            name='provider_message_id',
            field=fields.CharField(null=True, db_index=True, max_length=255),
        ),
    ]
