"""Survey links: a token of 144 random bits per invitation, unguessable and URL-safe."""

from __future__ import annotations

import secrets

TOKEN_BYTES = 18


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def survey_url(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/s/{token}"
