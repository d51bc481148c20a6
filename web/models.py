"""What only the web layer owns: the API keys integrators send events with."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class ApiKey(Model):
    """Only a SHA-256 of each key is kept: keys carry 192 random bits, so no slow hash is needed."""

    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=100)
    key_hash = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        app = "web"
        table = "api_key"
