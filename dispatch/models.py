"""Messages: each attempt to deliver an invitation over one channel, written before sending."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Message(Model):
    id = fields.IntField(primary_key=True)
    invitation: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "surveys.Invitation", related_name="messages", on_delete=fields.CASCADE
    )
    channel = fields.CharField(max_length=16)
    recipient = fields.CharField(max_length=254)
    subject = fields.CharField(max_length=300, null=True)
    body = fields.TextField()
    status = fields.CharField(max_length=16, default="sending")
    provider_message_id = fields.CharField(max_length=255, null=True, db_index=True)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "dispatch"
        table = "message"
