from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True
    dependencies = [('surveys', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='Message',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invitation', fields.ForeignKeyField('surveys.Invitation', source_field='invitation_id', db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(max_length=16)),
                ('recipient', fields.CharField(max_length=254)),
                ('subject', fields.CharField(null=True, max_length=300)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharField(default='sending', max_length=16)),
                ('provider_message_id', fields.CharField(null=True, db_index=True, max_length=64)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'message', 'app': 'dispatch', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
