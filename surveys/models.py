"""Invitations (one survey sent for one interaction at one touchpoint) and responses."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class InvitationStatus(StrEnum):
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    ANSWERED = "answered"
    SUPPRESSED = "suppressed"
    FAILED = "failed"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


#: Statuses after which an invitation is never sent.
FINAL_STATUSES = frozenset(
    {
        InvitationStatus.ANSWERED,
        InvitationStatus.SUPPRESSED,
        InvitationStatus.FAILED,
        InvitationStatus.EXPIRED,
        InvitationStatus.UNKNOWN,
    }
)

#: Statuses in which the customer may hold the link: sending (the worker has not yet stored
#: the provider's answer), sent, delivered, unknown (sent, perhaps) and answered (a change).
OPEN_STATUSES = frozenset(
    {
        InvitationStatus.SENDING,
        InvitationStatus.SENT,
        InvitationStatus.DELIVERED,
        InvitationStatus.UNKNOWN,
        InvitationStatus.ANSWERED,
    }
)


class Invitation(Model):
    id = fields.IntField(primary_key=True)
    token = fields.CharField(max_length=40, unique=True)
    interaction: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Interaction", related_name="invitations", on_delete=fields.CASCADE
    )
    touchpoint: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Touchpoint", related_name="invitations", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Customer", related_name="invitations", on_delete=fields.CASCADE
    )
    journey_version = fields.IntField()
    status = fields.CharEnumField(InvitationStatus, max_length=16, db_index=True)
    reason = fields.CharField(max_length=300, null=True)
    send_at = fields.DatetimeField(db_index=True)
    sent_at = fields.DatetimeField(null=True, db_index=True)
    #: When the link stops taking answers: set when the invitation is sent.
    expires_at = fields.DatetimeField(null=True, db_index=True)
    #: When the one reminder is due, None when the channel sends none.
    reminder_due_at = fields.DatetimeField(null=True, db_index=True)
    #: When the reminder was claimed for sending (set once, so it never goes twice).
    reminded_at = fields.DatetimeField(null=True)
    channel = fields.CharField(max_length=16, null=True)
    attempts = fields.IntField(default=0)
    locale = fields.CharField(max_length=10, default="en")
    variant = fields.CharField(max_length=16, default="A")
    #: The message experiment that chose `variant`, None when the wording was not tested.
    experiment = fields.CharField(max_length=63, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    answer: fields.BackwardOneToOneRelation[Answer]

    class Meta:
        app = "surveys"
        table = "invitation"
        unique_together = (("interaction", "touchpoint"),)
        # The review's response rate reads sent_at and status from the index alone.
        indexes = (("touchpoint_id", "sent_at", "status"), ("customer_id",))


class Answer(Model):
    """One customer's answers to one invitation's survey (by page or SMS reply)."""

    id = fields.IntField(primary_key=True)
    invitation: fields.OneToOneRelation[Invitation] = fields.OneToOneField(
        "surveys.Invitation", related_name="answer", on_delete=fields.CASCADE
    )
    touchpoint: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Touchpoint", related_name="answers", on_delete=fields.CASCADE
    )
    nps = fields.SmallIntField(null=True)
    csat = fields.SmallIntField(null=True)
    comment = fields.TextField(null=True)
    source = fields.CharField(max_length=8, default="web")
    answered_at = fields.DatetimeField(db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)
    # What the review breaks answers down by, copied from the invitation, the customer and
    # the interaction when the answer is stored, so the figures are one indexed scan of this
    # table: no join to customers or interactions, and the same SQL on every database.
    #: The channel the invitation went by (sms, email), None when not known.
    channel = fields.CharField(max_length=16, null=True)
    #: The language of the survey the customer was sent (en, zh-CN).
    locale = fields.CharField(max_length=10, null=True)
    #: The customer's segment when they answered (a tier A/B/C or any name).
    segment = fields.CharField(max_length=100, null=True)
    #: The wording variant and its experiment, as on the invitation.
    variant = fields.CharField(max_length=16, null=True)
    experiment = fields.CharField(max_length=63, null=True)
    #: When the interaction happened, for counting answers by the interaction's date.
    interaction_at = fields.DatetimeField(null=True)
    # What the comment says, filled in by the feedback analysis after the answer is stored.
    #: positive, neutral or negative, None without a comment or before the analysis.
    sentiment = fields.CharField(max_length=8, null=True)
    #: The comment's terms as the analysis segmented them, space-separated, for emerging terms.
    terms = fields.TextField(null=True)
    #: The analysis (method and taxonomy digest) the sentiment and themes came from. An answer
    #: whose journey's taxonomy has changed since is analysed again.
    analysed = fields.CharField(max_length=16, null=True, db_index=True)

    themes: fields.ReverseRelation[AnswerTheme]
    attributes: fields.ReverseRelation[AnswerAttribute]

    class Meta:
        app = "surveys"
        table = "answer"
        # The review's counts read the scores from the index alone, not from the table.
        indexes = (
            ("touchpoint_id", "answered_at", "nps", "csat"),
            ("touchpoint_id", "interaction_at", "nps", "csat"),
        )


class AnswerTheme(Model):
    """A theme of the journey's taxonomy that an answer's comment is about (delivery, price)."""

    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "surveys.Answer", related_name="themes", on_delete=fields.CASCADE
    )
    theme = fields.CharField(max_length=63)

    class Meta:
        app = "surveys"
        table = "answer_theme"
        unique_together = (("answer", "theme"),)
        indexes = (("theme", "answer_id"),)


class AnswerAttribute(Model):
    """An attribute of the interaction or the customer an answer came from (store, region,
    script), one row per name, so the review can break answers down by any of them."""

    id = fields.IntField(primary_key=True)
    answer: fields.ForeignKeyRelation[Answer] = fields.ForeignKeyField(
        "surveys.Answer", related_name="attributes", on_delete=fields.CASCADE
    )
    name = fields.CharField(max_length=63)
    value = fields.CharField(max_length=200)

    class Meta:
        app = "surveys"
        table = "answer_attribute"
        unique_together = (("answer", "name"),)
        indexes = (("name", "value"),)


class MonthlyInsightReport(Model):
    """The monthly insight report's mailing, one row per month, claimed before it is sent,
    so a restart neither skips a month nor sends it twice."""

    id = fields.IntField(primary_key=True)
    #: The month reported on, as 2026-10.
    month = fields.CharField(max_length=7, unique=True)
    claimed_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    recipients = fields.JSONField(default=list)
    #: Why the last try failed, while it has not been sent.
    error = fields.CharField(max_length=500, null=True)

    class Meta:
        app = "surveys"
        table = "monthly_insight_report"


class CaseStatus(StrEnum):
    """open: the team owes the customer a response. waiting: on the customer (the clocks
    stop if the journey says so). resolved: done, the resolution survey follows."""

    OPEN = "open"
    WAITING = "waiting"
    RESOLVED = "resolved"


class Team(Model):
    """A service team: the agents who follow up a touchpoint's unhappy customers, where the
    team is told about new cases, and the root causes it tags cases with."""

    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=100)
    #: Where the team is told of a case that has no owner yet (a shared inbox), if anywhere.
    email = fields.CharField(max_length=254, null=True)
    #: The root causes an agent may tag a resolved case with, as the team words them.
    root_causes = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    members: fields.ReverseRelation[TeamMember]

    class Meta:
        app = "surveys"
        table = "team"


class TeamMember(Model):
    """An agent of a team. The console's user is named by id and email, not a foreign key,
    because users belong to the web layer, which this package does not know."""

    id = fields.IntField(primary_key=True)
    team: fields.ForeignKeyRelation[Team] = fields.ForeignKeyField(
        "surveys.Team", related_name="members", on_delete=fields.CASCADE
    )
    user_id = fields.IntField(db_index=True)
    email = fields.CharField(max_length=254)
    #: When round-robin last gave this agent a case: the longest-waiting agent gets the next.
    last_assigned_at = fields.DatetimeField(null=True)
    #: False while the agent takes no new cases (on leave), still a member.
    takes_cases = fields.BooleanField(default=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "surveys"
        table = "team_member"
        unique_together = (("team", "user_id"),)


class FollowUpCase(Model):
    """An unhappy customer to follow up, opened once per invitation from its answer (or an
    SMS reply asking to be contacted), with its SLA clocks as due times, so that overdue is
    a query on `first_response_due_at` and `resolution_due_at`."""

    id = fields.IntField(primary_key=True)
    invitation: fields.OneToOneRelation[Invitation] = fields.OneToOneField(
        "surveys.Invitation", related_name="case", on_delete=fields.CASCADE
    )
    answer: fields.ForeignKeyNullableRelation[Answer] = fields.ForeignKeyField(
        "surveys.Answer", related_name="cases", null=True, on_delete=fields.SET_NULL
    )
    touchpoint: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Touchpoint", related_name="cases", on_delete=fields.CASCADE
    )
    customer: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "journeys.Customer", related_name="cases", on_delete=fields.CASCADE
    )
    journey_key = fields.CharField(max_length=63, db_index=True)
    #: detractor, low-csat or contact-request: why the case opened.
    reason = fields.CharField(max_length=32)
    status = fields.CharEnumField(CaseStatus, max_length=16, default=CaseStatus.OPEN)
    team_key = fields.CharField(max_length=63, null=True, db_index=True)
    owner_id = fields.IntField(null=True, db_index=True)
    owner_email = fields.CharField(max_length=254, null=True)
    #: wall or business: how the SLA clocks count time.
    hours = fields.CharField(max_length=8, default="wall")
    #: Whether the clocks stop while the case waits on the customer.
    pause_while_waiting = fields.BooleanField(default=False)
    opened_at = fields.DatetimeField(db_index=True)
    first_response_due_at = fields.DatetimeField(null=True, db_index=True)
    first_responded_at = fields.DatetimeField(null=True)
    resolution_due_at = fields.DatetimeField(null=True, db_index=True)
    resolved_at = fields.DatetimeField(null=True, db_index=True)
    #: The earlier of the clocks still running, null when none runs (resolved, or paused
    #: while waiting on the customer): the queue sorts on it and overdue is a query on it.
    next_due_at = fields.DatetimeField(null=True, db_index=True)
    #: When the case started waiting on the customer, while it waits.
    waiting_since = fields.DatetimeField(null=True)
    root_cause = fields.CharField(max_length=100, null=True)
    resolution_note = fields.TextField(null=True)
    #: The help desk's own ticket id, when a help desk mirrors the case.
    external_ticket_id = fields.CharField(max_length=200, null=True, db_index=True)
    #: When the reminder before each clock runs out was claimed (set once, never twice).
    first_response_reminded_at = fields.DatetimeField(null=True)
    resolution_reminded_at = fields.DatetimeField(null=True)
    #: The resolution survey: one question, once, after the case is resolved.
    resolution_survey_token = fields.CharField(max_length=40, null=True, unique=True)
    #: scheduled, sending, sent, answered, suppressed or failed (null before resolution).
    resolution_survey_status = fields.CharField(max_length=16, null=True, db_index=True)
    resolution_survey_reason = fields.CharField(max_length=300, null=True)
    resolution_survey_send_at = fields.DatetimeField(null=True, db_index=True)
    resolution_survey_sent_at = fields.DatetimeField(null=True)
    resolution_survey_channel = fields.CharField(max_length=16, null=True)
    #: The customer's answer to "Are you satisfied with how we handled it?", 1-5.
    resolution_score = fields.SmallIntField(null=True)
    resolution_answered_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    notes: fields.ReverseRelation[CaseNote]

    class Meta:
        app = "surveys"
        table = "follow_up_case"
        indexes = (("customer_id",),)


class CaseNote(Model):
    """One entry of a case's timeline: an agent's note, a reply to the customer, or a change
    (assigned, waiting, resolved) with who made it."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[FollowUpCase] = fields.ForeignKeyField(
        "surveys.FollowUpCase", related_name="notes", on_delete=fields.CASCADE
    )
    #: note, reply (to the customer, `channel` says how) or change.
    kind = fields.CharField(max_length=16, default="note")
    #: user, api_key, system or customer.
    author_kind = fields.CharField(max_length=16)
    author_id = fields.IntField(null=True)
    author_label = fields.CharField(max_length=254, default="")
    body = fields.TextField()
    channel = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)

    class Meta:
        app = "surveys"
        table = "case_note"


class OutboxEvent(Model):
    """Something that happened that the outside world subscribes to (case.opened,
    case.resolved, response.created, opt_out.created), written in the same transaction as
    the change itself, so that no event is lost between the commit and the webhook. The
    worker publishes each one once, fanning it out to the webhook endpoints and team
    notifications, and stamps `published_at`."""

    id = fields.BigIntField(primary_key=True)
    #: A UUID: the event id a webhook receiver sees, so it can refuse a replay.
    event_id = fields.CharField(max_length=36, unique=True)
    type = fields.CharField(max_length=32, db_index=True)
    data = fields.JSONField()
    occurred_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        app = "surveys"
        table = "outbox_event"
