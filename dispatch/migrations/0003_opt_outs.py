from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('dispatch', '0002_longer_provider_message_id'), ('surveys', '0002_invitation_expiry_and_reminder')]

    initial = False

    operations = [
        ops.CreateModel(
            name='OptOut',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('address', fields.CharField(unique=True, description='E.164 for a phone, lower-cased for an email.', max_length=254)),
                ('kind', fields.CharField(max_length=8)),
                ('source', fields.CharField(description='sms-stop, email-unsubscribe, api, console or twilio-21610.', max_length=32)),
                ('note', fields.CharField(null=True, description='The keyword the customer sent, or a note on who or what recorded it.', max_length=300)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('revoked_at', fields.DatetimeField(null=True, description='When the address opted back in, null while the opt-out holds.', auto_now=False, auto_now_add=False)),
                ('revoked_by', fields.CharField(null=True, description='How the address opted back in (sms-start, api, console).', max_length=32)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'opt_out', 'app': 'dispatch', 'pk_attr': 'id', 'table_description': 'A phone number or email address that gets no more surveys, whatever journey asks.'},
            bases=['Model'],
        ),
    ]
