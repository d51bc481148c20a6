from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('journeys', '0001_initial'), ('journeys', '0002_journey_versions_authors'), ('journeys', '0003_consent_and_erasure'), ('surveys', '0001_initial'), ('surveys', '0002_invitation_expiry_and_reminder'), ('surveys', '0003_rename_response_to_answer'), ('surveys', '0004_follow_up_cases')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AnswerAttribute',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('answer', fields.ForeignKeyField('surveys.Answer', source_field='answer_id', db_constraint=True, to_field='id', related_name='attributes', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=63)),
                ('value', fields.CharField(max_length=200)),
            ],
            options={'table': 'answer_attribute', 'app': 'surveys', 'unique_together': (('answer', 'name'),), 'indexes': [Index(fields=['name', 'value'])], 'pk_attr': 'id', 'table_description': 'An attribute of the interaction or the customer an answer came from (store, region,'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AnswerTheme',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('answer', fields.ForeignKeyField('surveys.Answer', source_field='answer_id', db_constraint=True, to_field='id', related_name='themes', on_delete=OnDelete.CASCADE)),
                ('theme', fields.CharField(max_length=63)),
            ],
            options={'table': 'answer_theme', 'app': 'surveys', 'unique_together': (('answer', 'theme'),), 'indexes': [Index(fields=['theme', 'answer_id'])], 'pk_attr': 'id', 'table_description': "A theme of the journey's taxonomy that an answer's comment is about (delivery, price)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='MonthlyInsightReport',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('month', fields.CharField(unique=True, description='The month reported on, as 2026-10.', max_length=7)),
                ('claimed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('recipients', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('error', fields.CharField(null=True, description='Why the last try failed, while it has not been sent.', max_length=500)),
            ],
            options={'table': 'monthly_insight_report', 'app': 'surveys', 'pk_attr': 'id', 'table_description': "The monthly insight report's mailing, one row per month, claimed before it is sent,"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Answer',
            name='analysed',
            field=fields.CharField(null=True, db_index=True, description='The analysis (method and taxonomy digest) the sentiment and themes came from. An answer', max_length=16),
        ),
        ops.AddField(
            model_name='Answer',
            name='channel',
            field=fields.CharField(null=True, description='The channel the invitation went by (sms, email), None when not known.', max_length=16),
        ),
        ops.AddField(
            model_name='Answer',
            name='experiment',
            field=fields.CharField(null=True, max_length=63),
        ),
        ops.AddField(
            model_name='Answer',
            name='interaction_at',
            field=fields.DatetimeField(null=True, description="When the interaction happened, for counting answers by the interaction's date.", auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Answer',
            name='locale',
            field=fields.CharField(null=True, description='The language of the survey the customer was sent (en, zh-CN).', max_length=10),
        ),
        ops.AddField(
            model_name='Answer',
            name='segment',
            field=fields.CharField(null=True, description="The customer's segment when they answered (a tier A/B/C or any name).", max_length=100),
        ),
        ops.AddField(
            model_name='Answer',
            name='sentiment',
            field=fields.CharField(null=True, description='positive, neutral or negative, None without a comment or before the analysis.', max_length=8),
        ),
        ops.AddField(
            model_name='Answer',
            name='terms',
            field=fields.TextField(null=True, description="The comment's terms as the analysis segmented them, space-separated, for emerging terms.", unique=False),
        ),
        ops.AddField(
            model_name='Answer',
            name='variant',
            field=fields.CharField(null=True, description='The wording variant and its experiment, as on the invitation.', max_length=16),
        ),
        ops.AddIndex(
            model_name='Answer',
            index=Index(fields=['touchpoint_id', 'answered_at', 'nps', 'csat']),
        ),
        ops.AddIndex(
            model_name='Answer',
            index=Index(fields=['touchpoint_id', 'interaction_at', 'nps', 'csat']),
        ),
        ops.AddField(
            model_name='Invitation',
            name='experiment',
            field=fields.CharField(null=True, description='The message experiment that chose `variant`, None when the wording was not tested.', max_length=63),
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['customer_id']),
        ),
        ops.AddIndex(
            model_name='FollowUpCase',
            index=Index(fields=['customer_id']),
        ),
        ops.AddIndex(
            model_name='Invitation',
            index=Index(fields=['touchpoint_id', 'sent_at', 'status']),
        ),
        # Answers stored before this migration get the columns the review groups by from
        # their invitation, customer and interaction (attributes stay with new answers).
        ops.RunSQL(
            "UPDATE answer SET "
            "channel = (SELECT i.channel FROM invitation i WHERE i.id = answer.invitation_id), "
            "locale = (SELECT i.locale FROM invitation i WHERE i.id = answer.invitation_id), "
            "variant = (SELECT i.variant FROM invitation i WHERE i.id = answer.invitation_id), "
            "segment = (SELECT c.segment FROM invitation i JOIN customer c ON c.id = i.customer_id "
            "WHERE i.id = answer.invitation_id), "
            "interaction_at = (SELECT x.occurred_at FROM invitation i "
            "JOIN interaction x ON x.id = i.interaction_id WHERE i.id = answer.invitation_id)",
            reverse_sql="",
        ),
        # A field added with db_index gets no index from AddField: made here by hand, for
        # this migration's field and for the two of 0002 that went without.
        ops.RunSQL(
            [
                "CREATE INDEX IF NOT EXISTS idx_answer_analysed ON answer (analysed)",
                "CREATE INDEX IF NOT EXISTS idx_invitation_expires_at ON invitation (expires_at)",
                "CREATE INDEX IF NOT EXISTS idx_invitation_reminder_due_at "
                "ON invitation (reminder_due_at)",
            ],
            reverse_sql=[
                "DROP INDEX IF EXISTS idx_answer_analysed",
                "DROP INDEX IF EXISTS idx_invitation_expires_at",
                "DROP INDEX IF EXISTS idx_invitation_reminder_due_at",
            ],
        ),
    ]
