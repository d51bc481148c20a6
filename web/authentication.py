"""Who is asking: a signed-in person on console paths, an API key on /api/*.

One Starlette AuthenticationBackend, so roles and keys are checked in one place: the
endpoints only say which scope they need (`web.access.requires`). A session cookie is
ignored on the API and a bearer key in the console, so a browser's cookie can never call the
API (which is why the API needs no CSRF token). An API key that is sent but unknown is
refused here, with the reason; a missing one is refused by `requires`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.authentication import (
    AuthCredentials,
    AuthenticationBackend,
    AuthenticationError,
    BaseUser,
)
from starlette.requests import HTTPConnection

from web.access import API_SCOPES, ROLES, ApiClient, ConsoleUser
from web.auth import hash_key
from web.models import ApiKey
from web.paths import is_api, is_console
from web.runtime import Runtime
from web.sessions import COOKIE, find_session

#: last_used_at of a key is written at most once a minute.
_USED_EVERY_SECONDS = 60


class Unauthorized(AuthenticationError):
    """An API request with a bad key: answered 401 with this message."""


class Principals(AuthenticationBackend):
    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        path = conn.url.path
        if is_api(path):
            return await _api_key(conn)
        if is_console(path):
            return await _signed_in(conn)
        return None


async def _api_key(conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
    header = conn.headers.get("authorization")
    if header is None:
        return None
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
    row = await ApiKey.get_or_none(key_hash=hash_key(key.strip()), revoked_at=None)
    if row is None:
        raise Unauthorized("unknown or revoked API key")
    now = datetime.now(UTC)
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > _USED_EVERY_SECONDS:
        await ApiKey.filter(id=row.id).update(last_used_at=now)
    return AuthCredentials(sorted(API_SCOPES)), ApiClient(row.id, row.name)


async def _signed_in(conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
    cookie = conn.cookies.get(COOKIE)
    if not cookie:
        return None
    runtime: Runtime = conn.app.state.runtime
    row = await find_session(cookie, runtime.settings, runtime.secret_key)
    if row is None or row.user.role not in ROLES or row.user.disabled_at is not None:
        return None
    conn.scope["console_session"] = row
    user = row.user
    console_user = ConsoleUser(user.id, user.email, user.role, user.display_name)
    return AuthCredentials(sorted(ROLES[user.role])), console_user
