from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='Customer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('external_id', fields.CharField(unique=True, max_length=200)),
                ('phone', fields.CharField(null=True, db_index=True, max_length=16)),
                ('email', fields.CharField(null=True, db_index=True, max_length=254)),
                ('locale', fields.CharField(default='en', max_length=10)),
                ('timezone', fields.CharField(null=True, max_length=64)),
                ('segment', fields.CharField(null=True, max_length=100)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'customer', 'app': 'journeys', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Interaction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, max_length=200)),
                ('type', fields.CharField(max_length=100)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('customer', fields.ForeignKeyField('journeys.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='interactions', on_delete=OnDelete.CASCADE)),
                ('journey_key', fields.CharField(null=True, max_length=63)),
                ('attributes', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('received_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'interaction', 'app': 'journeys', 'pk_attr': 'id', 'table_description': 'One event from a business system, kept whether or not it led to a survey.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Journey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=63)),
                ('name', fields.CharField(max_length=200)),
                ('version', fields.IntField(default=1)),
                ('timezone', fields.CharField(default='UTC', max_length=64)),
                ('active', fields.BooleanField(default=True)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'journey', 'app': 'journeys', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='JourneyVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('journey', fields.ForeignKeyField('journeys.Journey', source_field='journey_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('version', fields.IntField()),
                ('definition', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('digest', fields.CharField(max_length=64)),
                ('source', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'journey_version', 'app': 'journeys', 'unique_together': (('journey', 'version'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Touchpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('journey', fields.ForeignKeyField('journeys.Journey', source_field='journey_id', db_constraint=True, to_field='id', related_name='touchpoints', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=63)),
                ('stage', fields.CharField(max_length=63)),
                ('trigger', fields.CharField(db_index=True, max_length=100)),
                ('active', fields.BooleanField(default=True)),
            ],
            options={'table': 'touchpoint', 'app': 'journeys', 'unique_together': (('journey', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
