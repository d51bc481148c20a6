from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

COLUMNS = "id, invitation_id, touchpoint_id, nps, csat, comment, source, answered_at, updated_at"


async def copy_answers(apps, schema_editor) -> None:
    """The model no longer shadows Starlette's Response: its rows move to the answer table."""
    client = schema_editor.client
    await client.execute_script(f"INSERT INTO answer ({COLUMNS}) SELECT {COLUMNS} FROM response")
    if client.capabilities.dialect == "postgres":
        await client.execute_script(
            "SELECT setval(pg_get_serial_sequence('answer', 'id'),"
            " COALESCE((SELECT MAX(id) FROM answer), 0) + 1, false)"
        )


async def copy_answers_back(apps, schema_editor) -> None:
    await schema_editor.client.execute_script(
        f"INSERT INTO response ({COLUMNS}) SELECT {COLUMNS} FROM answer"
    )


class Migration(migrations.Migration):
    dependencies = [('journeys', '0001_initial'), ('surveys', '0002_invitation_expiry_and_reminder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Answer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invitation', fields.OneToOneField('surveys.Invitation', source_field='invitation_id', db_constraint=True, to_field='id', related_name='answer', on_delete=OnDelete.CASCADE)),
                ('touchpoint', fields.ForeignKeyField('journeys.Touchpoint', source_field='touchpoint_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('nps', fields.SmallIntField(null=True)),
                ('csat', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('source', fields.CharField(default='web', max_length=8)),
                ('answered_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'answer', 'app': 'surveys', 'pk_attr': 'id', 'table_description': "One customer's answers to one invitation's survey (by page or SMS reply)."},
            bases=['Model'],
        ),
        ops.RunPython(copy_answers, copy_answers_back),
        ops.DeleteModel(name='Response'),
    ]
