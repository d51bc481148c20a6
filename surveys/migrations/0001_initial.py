from tortoise import migrations
from tortoise.migrations import operations as ops
from surveys.models import InvitationStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    initial = True
    dependencies = [('journeys', '0001_initial')]

    operations = [
        ops.CreateModel(
            name='Invitation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=40)),
                ('interaction', fields.ForeignKeyField('journeys.Interaction', source_field='interaction_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('touchpoint', fields.ForeignKeyField('journeys.Touchpoint', source_field='touchpoint_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('journeys.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='invitations', on_delete=OnDelete.CASCADE)),
                ('journey_version', fields.IntField()),
                ('status', fields.CharEnumField(db_index=True, description='SCHEDULED: scheduled\nSENDING: sending\nSENT: sent\nDELIVERED: delivered\nANSWERED: answered\nSUPPRESSED: suppressed\nFAILED: failed\nEXPIRED: expired\nUNKNOWN: unknown', enum_type=InvitationStatus, max_length=16)),
                ('reason', fields.CharField(null=True, max_length=300)),
                ('send_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('channel', fields.CharField(null=True, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('locale', fields.CharField(default='en', max_length=10)),
                ('variant', fields.CharField(default='A', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'invitation', 'app': 'surveys', 'unique_together': (('interaction', 'touchpoint'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Response',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invitation', fields.OneToOneField('surveys.Invitation', source_field='invitation_id', db_constraint=True, to_field='id', related_name='response', on_delete=OnDelete.CASCADE)),
                ('touchpoint', fields.ForeignKeyField('journeys.Touchpoint', source_field='touchpoint_id', db_constraint=True, to_field='id', related_name='responses', on_delete=OnDelete.CASCADE)),
                ('nps', fields.SmallIntField(null=True)),
                ('csat', fields.SmallIntField(null=True)),
                ('comment', fields.TextField(null=True, unique=False)),
                ('source', fields.CharField(default='web', max_length=8)),
                ('answered_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'response', 'app': 'surveys', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
