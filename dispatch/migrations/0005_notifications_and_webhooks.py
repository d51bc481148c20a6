from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('dispatch', '0004_message_channels'), ('surveys', '0001_initial'), ('surveys', '0002_invitation_expiry_and_reminder'), ('surveys', '0003_rename_response_to_answer'), ('surveys', '0004_follow_up_cases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('surveys.FollowUpCase', source_field='case_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(description='opened, first-response-due or resolution-due.', max_length=24)),
                ('recipient', fields.CharField(max_length=254)),
                ('status', fields.CharField(default='pending', db_index=True, description='pending, sending, sent, failed or unknown (a worker died mid-send: not sent again).', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification', 'app': 'dispatch', 'unique_together': (('case', 'kind', 'recipient'),), 'pk_attr': 'id', 'table_description': "An email to a case's owner or team: once when the case opens, and once before each"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookEndpoint',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('url', fields.CharField(max_length=2000)),
                ('secret', fields.CharField(description='The HMAC-SHA256 key, shown once to the admin who adds the endpoint.', max_length=100)),
                ('events', fields.JSONField(default=list, description='The event types it receives: case.opened, case.resolved, response.created, opt_out.created.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('description', fields.CharField(default='', max_length=200)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.CharField(null=True, max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'webhook_endpoint', 'app': 'dispatch', 'pk_attr': 'id', 'table_description': 'Where an integrator wants to hear of events, signed with a secret of its own.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('endpoint', fields.ForeignKeyField('dispatch.WebhookEndpoint', source_field='endpoint_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_id', fields.CharField(max_length=36)),
                ('event_type', fields.CharField(max_length=32)),
                ('body', fields.TextField(unique=False)),
                ('status', fields.CharField(default='pending', db_index=True, description='pending, delivering, delivered or failed (given up after the retry window).', max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_attempt_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('give_up_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'dispatch', 'unique_together': (('endpoint', 'event_id'),), 'pk_attr': 'id', 'table_description': 'One event for one endpoint: retried with backoff until it is taken or the retry'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('delivery', fields.ForeignKeyField('dispatch.WebhookDelivery', source_field='delivery_id', db_constraint=True, to_field='id', related_name='attempts_made', on_delete=OnDelete.CASCADE)),
                ('attempted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status_code', fields.IntField(null=True)),
                ('response_body', fields.TextField(null=True, description="The first 2000 characters of the receiver's answer.", unique=False)),
                ('error', fields.TextField(null=True, unique=False)),
                ('duration_ms', fields.IntField(null=True)),
            ],
            options={'table': 'webhook_attempt', 'app': 'dispatch', 'pk_attr': 'id', 'table_description': 'One POST of a delivery and what the receiver answered, for the admins to read.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Message',
            name='case',
            field=fields.ForeignKeyField('surveys.FollowUpCase', source_field='case_id', null=True, description="The follow-up case a message belongs to: an agent's reply or the resolution survey.", db_constraint=True, to_field='id', related_name='messages', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='Message',
            name='purpose',
            field=fields.CharField(null=True, description='None for an invitation or its reminder, case-reply or resolution-survey otherwise.', max_length=24),
        ),
    ]
