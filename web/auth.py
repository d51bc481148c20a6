"""API keys: integrators send `Authorization: Bearer tp_...`; only a hash is stored.

Keys are checked by the authentication middleware (web/authentication.py).
"""

from __future__ import annotations

import hashlib
import secrets

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
