"""API keys: integrators send `Authorization: Bearer tp_...`; only a hash is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from starlette.requests import Request

from web.models import ApiKey

PREFIX = "tp_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(
    name: str, *, created_by: str | None = None, reads_audit: bool = False
) -> tuple[ApiKey, str]:
    """Returns the stored row and the key itself, which is shown once and never again."""
    key = PREFIX + secrets.token_urlsafe(24)
    row = await ApiKey.create(
        name=name, key_hash=hash_key(key), created_by=created_by, reads_audit=reads_audit
    )
    return row, key


class Unauthorized(Exception):
    pass


async def authenticate(request: Request) -> ApiKey:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    row = await ApiKey.get_or_none(key_hash=hash_key(key.strip()), revoked_at=None)
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    now = datetime.now(UTC)
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        await ApiKey.filter(id=row.id).update(last_used_at=now)
    return row
