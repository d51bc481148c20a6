from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('journeys', '0002_journey_versions_authors')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Customer',
            name='consent',
            field=fields.JSONField(default=dict, description='Channels the customer has said yes or no to, by channel name: {"sms": false} means', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
        ops.AddField(
            model_name='Customer',
            name='erased_at',
            field=fields.DatetimeField(null=True, description="When the customer's personal data was erased on request. The row stays so that the", auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Interaction',
            name='erased_at',
            field=fields.DatetimeField(null=True, db_index=True, description='When the personal data of this interaction (its attributes, comments and message', auto_now=False, auto_now_add=False),
        ),
    ]
