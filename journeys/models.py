"""Journeys, their touchpoints, and the customers and interactions that trigger them.

A journey keeps every applied version of its definition, so an invitation can always be
rendered from the wording that was live when it was scheduled, and so the console can say
who changed what and when, show the difference between two versions, and roll back.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Journey(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=63, unique=True)
    name = fields.CharField(max_length=200)
    version = fields.IntField(default=1)
    timezone = fields.CharField(max_length=64, default="UTC")
    # False while paused: intake schedules no invitations for a paused journey.
    active = fields.BooleanField(default=True)
    #: When and by whom the journey was paused, kept after it resumes until the next pause.
    paused_at = fields.DatetimeField(null=True)
    paused_by = fields.CharField(max_length=254, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    versions: fields.ReverseRelation[JourneyVersion]
    touchpoints: fields.ReverseRelation[Touchpoint]

    class Meta:
        app = "journeys"
        table = "journey"


class JourneyVersion(Model):
    id = fields.IntField(primary_key=True)
    journey: fields.ForeignKeyRelation[Journey] = fields.ForeignKeyField(
        "journeys.Journey", related_name="versions", on_delete=fields.CASCADE
    )
    version = fields.IntField()
    definition = fields.JSONField()
    digest = fields.CharField(max_length=64)
    source = fields.TextField(null=True)
    #: Who made the version: a console user's email, or a note such as "command line".
    author = fields.CharField(max_length=254, null=True)
    #: Why, in the author's words, or what the console did ("rolled back to version 2").
    note = fields.CharField(max_length=500, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        app = "journeys"
        table = "journey_version"
        unique_together = (("journey", "version"),)


class Touchpoint(Model):
    id = fields.IntField(primary_key=True)
    journey: fields.ForeignKeyRelation[Journey] = fields.ForeignKeyField(
        "journeys.Journey", related_name="touchpoints", on_delete=fields.CASCADE
    )
    key = fields.CharField(max_length=63)
    stage = fields.CharField(max_length=63)
    trigger = fields.CharField(max_length=100, db_index=True)
    active = fields.BooleanField(default=True)

    class Meta:
        app = "journeys"
        table = "touchpoint"
        unique_together = (("journey", "key"),)


class Customer(Model):
    id = fields.IntField(primary_key=True)
    external_id = fields.CharField(max_length=200, unique=True)
    phone = fields.CharField(max_length=16, null=True, db_index=True)
    email = fields.CharField(max_length=254, null=True, db_index=True)
    locale = fields.CharField(max_length=10, default="en")
    timezone = fields.CharField(max_length=64, null=True)
    segment = fields.CharField(max_length=100, null=True)
    attributes = fields.JSONField(default=dict)
    #: Channels the customer has said yes or no to, by channel name: {"sms": false} means
    #: never by SMS. A channel not named is allowed (the business collected the address).
    consent = fields.JSONField(default=dict)
    #: When the customer's personal data was erased on request. The row stays so that the
    #: anonymous scores keep their customer, and a replayed event finds it erased.
    erased_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        app = "journeys"
        table = "customer"


class Interaction(Model):
    """One event from a business system, kept whether or not it led to a survey."""

    id = fields.IntField(primary_key=True)
    event_id = fields.CharField(max_length=200, unique=True)
    type = fields.CharField(max_length=100)
    occurred_at = fields.DatetimeField(db_index=True)
    customer: fields.ForeignKeyRelation[Customer] = fields.ForeignKeyField(
        "journeys.Customer", related_name="interactions", on_delete=fields.CASCADE
    )
    journey_key = fields.CharField(max_length=63, null=True)
    attributes = fields.JSONField(default=dict)
    received_at = fields.DatetimeField(auto_now_add=True)
    #: When the personal data of this interaction (its attributes, comments and message
    #: bodies) was erased, by a customer's request or by the retention period.
    erased_at = fields.DatetimeField(null=True, db_index=True)

    class Meta:
        app = "journeys"
        table = "interaction"
        indexes = (("customer_id",),)
