"""Messages: each attempt to deliver an invitation or its reminder over one channel, written
before sending."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Message(Model):
    id = fields.IntField(primary_key=True)
    invitation: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "surveys.Invitation", related_name="messages", on_delete=fields.CASCADE
    )
    # The channel that carried it: the one asked for, or the console standing in for it.
    channel = fields.CharField(max_length=16)
    #: The channel the touchpoint asked for, as the journey names it, whichever carried it.
    requested_channel = fields.CharField(max_length=16, null=True)
    #: A reminder of its invitation, not the invitation itself.
    reminder = fields.BooleanField(default=False, db_default=False)
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


class OptOut(Model):
    """A phone number or email address that gets no more surveys, whatever journey asks.

    One row per address: opting back in stamps `revoked_at` rather than deleting, so the
    audit keeps who left, how and when; opting out again clears it. An address is opted
    out while its row has no `revoked_at`. (No semicolons in the field comments: they become
    column comments, and tortoise splits its SQLite script on semicolons.)
    """

    id = fields.IntField(primary_key=True)
    #: E.164 for a phone, lower-cased for an email.
    address = fields.CharField(max_length=254, unique=True)
    kind = fields.CharField(max_length=8)
    #: sms-stop, email-unsubscribe, api, console or twilio-21610.
    source = fields.CharField(max_length=32)
    #: The keyword the customer sent, or a note on who or what recorded it.
    note = fields.CharField(max_length=300, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    #: When the address opted back in, null while the opt-out holds.
    revoked_at = fields.DatetimeField(null=True)
    #: How the address opted back in (sms-start, api, console).
    revoked_by = fields.CharField(max_length=32, null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "dispatch"
        table = "opt_out"
