from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('web', '0002_users_and_sessions')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
                ('actor_kind', fields.CharField(description='user, api_key, system, customer or anonymous (a failed sign-in).', max_length=16)),
                ('actor_id', fields.IntField(null=True, description="The user's or the API key's id.")),
                ('actor_label', fields.CharField(default='', description='The user\'s email, the key\'s name, the customer\'s phone, or "cli:<os user>".', max_length=254)),
                ('action', fields.CharField(db_index=True, description='Dotted, such as sign_in.failed or opt_out.lifted.', max_length=64)),
                ('target', fields.CharField(default='', description="What was acted on: an email, a key's name and id, an address, a journey's key.", max_length=300)),
                ('detail', fields.JSONField(null=True, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('client_address', fields.CharField(null=True, max_length=64)),
                ('request_id', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'audit_event', 'app': 'web', 'pk_attr': 'id', 'table_description': 'Who did what, when and from where: one row per change a team member may be asked about.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='ApiKey',
            name='created_by',
            field=fields.CharField(null=True, description='Who created the key: the admin\'s email, or "cli:<os user>" for `touchpoint apikeys`.', max_length=254),
        ),
        ops.AddField(
            model_name='ApiKey',
            name='reads_audit',
            field=fields.BooleanField(default=False, description='Whether the key may read the audit log (keys that only send events need not).'),
        ),
        ops.AddField(
            model_name='User',
            name='disabled_at',
            field=fields.DatetimeField(null=True, description='Set while an admin has disabled the account: it cannot sign in, its sessions ended.', auto_now=False, auto_now_add=False),
        ),
    ]
