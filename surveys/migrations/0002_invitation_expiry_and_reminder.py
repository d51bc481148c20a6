from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('journeys', '0001_initial'), ('surveys', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Invitation',
            name='expires_at',
            field=fields.DatetimeField(null=True, db_index=True, description='When the link stops taking answers: set when the invitation is sent.', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='reminded_at',
            field=fields.DatetimeField(null=True, description='When the reminder was claimed for sending (set once, so it never goes twice).', auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Invitation',
            name='reminder_due_at',
            field=fields.DatetimeField(null=True, db_index=True, description='When the one reminder is due, None when the channel sends none.', auto_now=False, auto_now_add=False),
        ),
    ]
