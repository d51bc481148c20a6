"""Survey links: a token of 144 random bits per invitation, unguessable and URL-safe."""

from __future__ import annotations

import base64
import secrets

TOKEN_BYTES = 18


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_tokens(count: int) -> list[str]:
    """`count` tokens like `new_token`'s from one read of the system's random source: a
    batch of a thousand invitations makes one system call, not a thousand."""
    pool = secrets.token_bytes(TOKEN_BYTES * count)
    return [
        base64.urlsafe_b64encode(pool[start : start + TOKEN_BYTES]).rstrip(b"=").decode("ascii")
        for start in range(0, len(pool), TOKEN_BYTES)
    ]


def survey_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"
