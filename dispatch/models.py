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
    #: The follow-up case a message belongs to: an agent's reply or the resolution survey.
    case: fields.ForeignKeyNullableRelation = fields.ForeignKeyField(
        "surveys.FollowUpCase", related_name="messages", null=True, on_delete=fields.SET_NULL
    )
    #: None for an invitation or its reminder, case-reply or resolution-survey otherwise.
    purpose = fields.CharField(max_length=24, null=True)
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


class Notification(Model):
    """An email to a case's owner or team: once when the case opens, and once before each
    SLA clock runs out. Written before it is sent and claimed (pending -> sending) by one
    worker, like a message, so a worker restart neither loses nor repeats one."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation = fields.ForeignKeyField(
        "surveys.FollowUpCase", related_name="notifications", on_delete=fields.CASCADE
    )
    #: opened, first-response-due or resolution-due.
    kind = fields.CharField(max_length=24)
    recipient = fields.CharField(max_length=254)
    #: pending, sending, sent, failed or unknown (a worker died mid-send: not sent again).
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    sent_at = fields.DatetimeField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "dispatch"
        table = "notification"
        unique_together = (("case", "kind", "recipient"),)


class WebhookEndpoint(Model):
    """Where an integrator wants to hear of events, signed with a secret of its own."""

    id = fields.IntField(primary_key=True)
    url = fields.CharField(max_length=2000)
    #: The HMAC-SHA256 key, shown once to the admin who adds the endpoint.
    secret = fields.CharField(max_length=100)
    #: The event types it receives: case.opened, case.resolved, response.created, opt_out.created.
    events = fields.JSONField(default=list)
    description = fields.CharField(max_length=200, default="")
    active = fields.BooleanField(default=True)
    created_by = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "dispatch"
        table = "webhook_endpoint"


class WebhookDelivery(Model):
    """One event for one endpoint: retried with backoff until it is taken or the retry
    window (24 hours) has passed. The body is kept exactly as signed and sent."""

    id = fields.IntField(primary_key=True)
    endpoint: fields.ForeignKeyRelation[WebhookEndpoint] = fields.ForeignKeyField(
        "dispatch.WebhookEndpoint", related_name="deliveries", on_delete=fields.CASCADE
    )
    event_id = fields.CharField(max_length=36)
    event_type = fields.CharField(max_length=32)
    body = fields.TextField()
    #: pending, delivering, delivered or failed (given up after the retry window).
    status = fields.CharField(max_length=16, default="pending", db_index=True)
    attempts = fields.IntField(default=0)
    next_attempt_at = fields.DatetimeField(null=True, db_index=True)
    give_up_at = fields.DatetimeField()
    delivered_at = fields.DatetimeField(null=True)
    last_error = fields.TextField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True, db_index=True)
    updated_at = fields.DatetimeField(auto_now=True)

    attempts_made: fields.ReverseRelation[WebhookAttempt]

    class Meta:
        app = "dispatch"
        table = "webhook_delivery"
        unique_together = (("endpoint", "event_id"),)


class WebhookAttempt(Model):
    """One POST of a delivery and what the receiver answered, for the admins to read."""

    id = fields.IntField(primary_key=True)
    delivery: fields.ForeignKeyRelation[WebhookDelivery] = fields.ForeignKeyField(
        "dispatch.WebhookDelivery", related_name="attempts_made", on_delete=fields.CASCADE
    )
    attempted_at = fields.DatetimeField()
    status_code = fields.IntField(null=True)
    #: The first 2000 characters of the receiver's answer.
    response_body = fields.TextField(null=True)
    error = fields.TextField(null=True)
    duration_ms = fields.IntField(null=True)

    class Meta:
        app = "dispatch"
        table = "webhook_attempt"
