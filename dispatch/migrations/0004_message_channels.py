from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('dispatch', '0003_opt_outs'), ('surveys', '0003_rename_response_to_answer')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Message',
            name='reminder',
            field=fields.BooleanField(default=False, db_default=False, description='A reminder of its invitation, not the invitation itself.'),
        ),
        ops.AddField(
            model_name='Message',
            name='requested_channel',
            field=fields.CharField(null=True, description='The channel the touchpoint asked for, as the journey names it, whichever carried it.', max_length=16),
        ),
        # Messages written before this migration: a provider's channel carried what was
        # asked for; the console stood in for SMS to a phone number and email otherwise.
        ops.RunSQL(
            "UPDATE message SET requested_channel = CASE"
            " WHEN channel <> 'console' THEN channel"
            " WHEN recipient LIKE '+%' THEN 'sms' ELSE 'email' END"
            " WHERE requested_channel IS NULL",
            reverse_sql="",
        ),
    ]
