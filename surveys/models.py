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
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    answer: fields.BackwardOneToOneRelation[Answer]

    class Meta:
        app = "surveys"
        table = "invitation"
        unique_together = (("interaction", "touchpoint"),)


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

    class Meta:
        app = "surveys"
        table = "answer"
