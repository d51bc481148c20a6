"""Console users: emails are sign-in names in any case, roles are the four agreed, and a new
password ends the sessions that knew the old one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web.models import ConsoleSession, User
from web.users import (
    UserError,
    check_password,
    create_user,
    normalise_email,
    set_password,
    set_role,
)

PASSWORD = "correct horse battery staple"


async def test_a_user_signs_in_with_the_email_in_any_case(db):
    created = await create_user(" Alice@Example.COM", "editor", PASSWORD, display_name="Alice")

    assert created.email == "alice@example.com"
    assert (await check_password("ALICE@example.com", PASSWORD)).id == created.id
    assert await check_password("alice@example.com", "wrong horse") is None
    assert await check_password("nobody@example.com", PASSWORD) is None
    assert await check_password("not an email", PASSWORD) is None


@pytest.mark.parametrize(
    "email, role, password, message",
    [
        ("alice", "admin", PASSWORD, "not an email address: 'alice'"),
        ("alice@example.com", "owner", PASSWORD, "unknown role 'owner'; one of: viewer, agent"),
        ("alice@example.com", "admin", "short", "at least 12 characters"),
    ],
)
async def test_bad_users_are_refused_and_nothing_is_stored(db, email, role, password, message):
    with pytest.raises(UserError, match=message):
        await create_user(email, role, password)

    assert await User.all().count() == 0


async def test_a_second_user_with_the_same_email_is_refused(db):
    await create_user("alice@example.com", "admin", PASSWORD)

    with pytest.raises(UserError, match="exists already"):
        await create_user("ALICE@example.com", "viewer", PASSWORD)


async def test_a_new_password_ends_every_session_but_the_one_kept(db):
    alice = await create_user("alice@example.com", "admin", PASSWORD)
    now = datetime.now(UTC)
    sessions = [
        await ConsoleSession.create(
            token_hash=str(n) * 64,
            user=alice,
            csrf_token="t",
            expires_at=now + timedelta(days=1),
            last_seen_at=now,
        )
        for n in range(3)
    ]

    ended = await set_password(alice, "another long passphrase", keep=sessions[0])

    assert ended == 2
    assert [s.id for s in await ConsoleSession.filter(ended_at=None)] == [sessions[0].id]
    assert (await User.get(id=alice.id)).password_changed_at is not None
    assert await check_password("alice@example.com", "another long passphrase") is not None


async def test_a_role_must_be_one_of_the_four(db):
    alice = await create_user("alice@example.com", "viewer", PASSWORD)

    with pytest.raises(UserError):
        await set_role(alice, "superuser")
    await set_role(alice, "agent")

    assert (await User.get(id=alice.id)).role == "agent"


def test_normalise_email():
    assert normalise_email("  Ben@Example.com ") == "ben@example.com"
