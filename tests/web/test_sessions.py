"""Console sessions end when they should: idle too long, too old, signed out, or forged."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.console import PASSWORD, sign_in, signed_in
from web.app import create_app
from web.models import ConsoleSession
from web.sessions import COOKIE, session_state
from web.settings import Settings
from web.users import create_user

NOW = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
IDLE = timedelta(hours=12)


@pytest.mark.parametrize(
    "last_seen, expires, ended, state",
    [
        (NOW - timedelta(minutes=5), NOW + timedelta(days=6), None, "live"),
        (NOW - IDLE + timedelta(seconds=1), NOW + timedelta(days=6), None, "live"),
        (NOW - IDLE, NOW + timedelta(days=6), None, "idle"),
        (NOW - timedelta(minutes=5), NOW, None, "expired"),
        (NOW - timedelta(minutes=5), NOW + timedelta(days=6), NOW, "ended"),
    ],
)
def test_session_state(last_seen, expires, ended, state):
    row = ConsoleSession(last_seen_at=last_seen, expires_at=expires, ended_at=ended)

    assert session_state(row, NOW, IDLE) == state


async def test_a_session_left_idle_for_twelve_hours_asks_to_sign_in_again(client, db):
    await signed_in(client, "viewer")
    assert (await client.get("/outbox")).status_code == 200

    await ConsoleSession.all().update(last_seen_at=datetime.now(UTC) - timedelta(hours=12))

    answer = await client.get("/outbox")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Foutbox"


async def test_a_session_ends_seven_days_after_sign_in_however_busy(client, db):
    await signed_in(client, "viewer")

    await ConsoleSession.all().update(expires_at=datetime.now(UTC) - timedelta(seconds=1))

    assert (await client.get("/outbox")).status_code == 303


async def test_the_session_lasts_as_the_settings_say(client, db, settings):
    await signed_in(client, "viewer")

    row = await ConsoleSession.get()
    assert row.expires_at - row.last_seen_at == timedelta(hours=settings.session_lifetime_hours)
    assert (settings.session_lifetime_hours, settings.session_idle_minutes) == (7 * 24, 12 * 60)


async def test_a_cookie_with_a_forged_signature_signs_nobody_in(client, db):
    await signed_in(client, "admin")
    real = client.cookies[COOKIE]
    token, _, signature = real.rpartition(".")

    client.cookies.set(COOKIE, f"{token}.{'A' * len(signature)}")

    assert (await client.get("/outbox")).status_code == 303


async def test_a_cookie_signed_with_another_key_signs_nobody_in(runtime, db):
    """Another deployment's key (or a key changed since) makes every cookie worthless."""
    other = replace(runtime, secret_key="another deployment's key")
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as first:
        await signed_in(first, "admin")
        cookie = first.cookies[COOKIE]
    transport = httpx.ASGITransport(app=create_app(runtime=other))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as second:
        second.cookies.set(COOKIE, cookie)
        assert (await second.get("/outbox")).status_code == 303


async def test_the_cookie_is_secure_when_the_console_is_served_over_https(runtime, db):
    settings: Settings = runtime.settings.model_copy(
        update={"public_url": "https://cx.shop.example"}
    )
    secure = replace(runtime, settings=settings)
    await create_user("alice@example.com", "viewer", PASSWORD)
    transport = httpx.ASGITransport(app=create_app(runtime=secure))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as http:
        answer = await sign_in(http, "alice@example.com")

    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith(f"{COOKIE}="))
    assert "; Secure" in session and "HttpOnly" in session and "SameSite=lax" in session
