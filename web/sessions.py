"""Console sessions: a row per signed-in browser, named by a signed random cookie.

Kept on the server rather than in the cookie so that signing out, and changing a password,
end a session for real, and so that each session has its own CSRF token. The cookie holds
256 random bits signed with the secret key (itsdangerous), HttpOnly, SameSite=Lax, and
Secure when the public URL is https; the row holds only a SHA-256 of the random part.
A session ends after `session_idle_minutes` without a request, and in any case
`session_lifetime_hours` after sign-in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from itsdangerous import BadSignature, Signer
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from web.models import ConsoleSession, User
from web.settings import Settings

COOKIE = "touchpoint_session"
#: last_seen_at is written at most this often, so reading pages does not write on every hit.
SEEN_EVERY = timedelta(minutes=1)
_SALT = "touchpoint.session"

State = Literal["live", "idle", "expired", "ended"]


def session_state(row: ConsoleSession, now: datetime, idle: timedelta) -> State:
    """Whether a session still signs its browser in, and if not, why."""
    if row.ended_at is not None:
        return "ended"
    if now >= row.expires_at:
        return "expired"
    if now - row.last_seen_at >= idle:
        return "idle"
    return "live"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _signer(secret_key: str) -> Signer:
    return Signer(secret_key, salt=_SALT)


async def start_session(
    user: User, request: Request, settings: Settings, secret_key: str
) -> tuple[ConsoleSession, str]:
    """A new session for the user; returns the row and the cookie value to set."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    row = await ConsoleSession.create(
        token_hash=_hash(token),
        user=user,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=now + timedelta(hours=settings.session_lifetime_hours),
        last_seen_at=now,
        address=(request.client.host if request.client else "")[:64],
        user_agent=request.headers.get("user-agent", "")[:300],
    )
    return row, _signer(secret_key).sign(token).decode()


async def find_session(cookie: str, settings: Settings, secret_key: str) -> ConsoleSession | None:
    """The live session a cookie names, with its user loaded; None for anything else."""
    try:
        token = _signer(secret_key).unsign(cookie).decode()
    except (BadSignature, UnicodeDecodeError):
        return None
    row = await ConsoleSession.get_or_none(token_hash=_hash(token)).select_related("user")
    if row is None:
        return None
    now = datetime.now(UTC)
    if session_state(row, now, timedelta(minutes=settings.session_idle_minutes)) != "live":
        return None
    if now - row.last_seen_at >= SEEN_EVERY:
        await ConsoleSession.filter(id=row.id).update(last_seen_at=now)
        row.last_seen_at = now
    return row


def current_session(connection: HTTPConnection) -> ConsoleSession | None:
    """The session the authentication middleware found for this request, if any."""
    found = connection.scope.get("console_session")
    return found if isinstance(found, ConsoleSession) else None


async def end_session(row: ConsoleSession) -> None:
    await ConsoleSession.filter(id=row.id, ended_at=None).update(ended_at=datetime.now(UTC))


async def end_sessions_of(user_id: int, *, keep: ConsoleSession | None = None) -> int:
    """End every session of a user (but `keep`); returns how many were live."""
    query = ConsoleSession.filter(user_id=user_id, ended_at=None)
    if keep is not None:
        query = query.exclude(id=keep.id)
    return await query.update(ended_at=datetime.now(UTC))


def set_session_cookie(response: Response, value: str, settings: Settings) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=settings.session_lifetime_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
        path="/",
    )


def clear_session_cookie(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.public_url.startswith("https://"),
    )
