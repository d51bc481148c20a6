from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from surveys.models import CaseStatus
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('journeys', '0003_consent_and_erasure'), ('surveys', '0001_initial'), ('surveys', '0002_invitation_expiry_and_reminder'), ('surveys', '0003_rename_response_to_answer')]

    initial = False

    operations = [
        ops.CreateModel(
            name='FollowUpCase',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('invitation', fields.OneToOneField('surveys.Invitation', source_field='invitation_id', db_constraint=True, to_field='id', related_name='case', on_delete=OnDelete.CASCADE)),
                ('answer', fields.ForeignKeyField('surveys.Answer', source_field='answer_id', null=True, db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.SET_NULL)),
                ('touchpoint', fields.ForeignKeyField('journeys.Touchpoint', source_field='touchpoint_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('customer', fields.ForeignKeyField('journeys.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='cases', on_delete=OnDelete.CASCADE)),
                ('journey_key', fields.CharField(db_index=True, max_length=63)),
                ('reason', fields.CharField(description='detractor, low-csat or contact-request: why the case opened.', max_length=32)),
                ('status', fields.CharEnumField(default=CaseStatus.OPEN, description='OPEN: open\nWAITING: waiting\nRESOLVED: resolved', enum_type=CaseStatus, max_length=16)),
                ('team_key', fields.CharField(null=True, db_index=True, max_length=63)),
                ('owner_id', fields.IntField(null=True, db_index=True)),
                ('owner_email', fields.CharField(null=True, max_length=254)),
                ('hours', fields.CharField(default='wall', description='wall or business: how the SLA clocks count time.', max_length=8)),
                ('pause_while_waiting', fields.BooleanField(default=False, description='Whether the clocks stop while the case waits on the customer.')),
                ('opened_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
                ('first_response_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('first_responded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('resolved_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('next_due_at', fields.DatetimeField(null=True, db_index=True, description='The earlier of the clocks still running, null when none runs (resolved, or paused', auto_now=False, auto_now_add=False)),
                ('waiting_since', fields.DatetimeField(null=True, description='When the case started waiting on the customer, while it waits.', auto_now=False, auto_now_add=False)),
                ('root_cause', fields.CharField(null=True, max_length=100)),
                ('resolution_note', fields.TextField(null=True, unique=False)),
                ('external_ticket_id', fields.CharField(null=True, db_index=True, description="The help desk's own ticket id, when a help desk mirrors the case.", max_length=200)),
                ('first_response_reminded_at', fields.DatetimeField(null=True, description='When the reminder before each clock runs out was claimed (set once, never twice).', auto_now=False, auto_now_add=False)),
                ('resolution_reminded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution_survey_token', fields.CharField(null=True, unique=True, description='The resolution survey: one question, once, after the case is resolved.', max_length=40)),
                ('resolution_survey_status', fields.CharField(null=True, db_index=True, description='scheduled, sending, sent, answered, suppressed or failed (null before resolution).', max_length=16)),
                ('resolution_survey_reason', fields.CharField(null=True, max_length=300)),
                ('resolution_survey_send_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('resolution_survey_sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('resolution_survey_channel', fields.CharField(null=True, max_length=16)),
                ('resolution_score', fields.SmallIntField(null=True, description='The customer\'s answer to "Are you satisfied with how we handled it?", 1-5.')),
                ('resolution_answered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'follow_up_case', 'app': 'surveys', 'pk_attr': 'id', 'table_description': 'An unhappy customer to follow up, opened once per invitation from its answer (or an'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CaseNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('case', fields.ForeignKeyField('surveys.FollowUpCase', source_field='case_id', db_constraint=True, to_field='id', related_name='notes', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(default='note', description='note, reply (to the customer, `channel` says how) or change.', max_length=16)),
                ('author_kind', fields.CharField(description='user, api_key, system or customer.', max_length=16)),
                ('author_id', fields.IntField(null=True)),
                ('author_label', fields.CharField(default='', max_length=254)),
                ('body', fields.TextField(unique=False)),
                ('channel', fields.CharField(null=True, max_length=16)),
                ('created_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'case_note', 'app': 'surveys', 'pk_attr': 'id', 'table_description': "One entry of a case's timeline: an agent's note, a reply to the customer, or a change"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OutboxEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.CharField(unique=True, description='A UUID: the event id a webhook receiver sees, so it can refuse a replay.', max_length=36)),
                ('type', fields.CharField(db_index=True, max_length=32)),
                ('data', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'outbox_event', 'app': 'surveys', 'pk_attr': 'id', 'table_description': 'Something that happened that the outside world subscribes to (case.opened,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Team',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('key', fields.CharField(unique=True, max_length=63)),
                ('name', fields.CharField(max_length=100)),
                ('email', fields.CharField(null=True, description='Where the team is told of a case that has no owner yet (a shared inbox), if anywhere.', max_length=254)),
                ('root_causes', fields.JSONField(default=list, description='The root causes an agent may tag a resolved case with, as the team words them.', encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'team', 'app': 'surveys', 'pk_attr': 'id', 'table_description': "A service team: the agents who follow up a touchpoint's unhappy customers, where the"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='TeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('team', fields.ForeignKeyField('surveys.Team', source_field='team_id', db_constraint=True, to_field='id', related_name='members', on_delete=OnDelete.CASCADE)),
                ('user_id', fields.IntField(db_index=True)),
                ('email', fields.CharField(max_length=254)),
                ('last_assigned_at', fields.DatetimeField(null=True, description='When round-robin last gave this agent a case: the longest-waiting agent gets the next.', auto_now=False, auto_now_add=False)),
                ('takes_cases', fields.BooleanField(default=True, description='False while the agent takes no new cases (on leave), still a member.')),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'team_member', 'app': 'surveys', 'unique_together': (('team', 'user_id'),), 'pk_attr': 'id', 'table_description': "An agent of a team. The console's user is named by id and email, not a foreign key,"},
            bases=['Model'],
        ),
    ]
