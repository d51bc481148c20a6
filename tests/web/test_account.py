"""Alice changes her password: the current one is asked for, and every other session of
hers ends, so whoever knew the old password is signed out everywhere."""

from __future__ import annotations

import httpx
import pytest

from tests.console import PASSWORD, form_token, sign_in, signed_in
from web.app import create_app
from web.models import ConsoleSession

PAGE = "/account/password"
NEW = "a new and longer passphrase"


@pytest.fixture
async def alice(client, db) -> str:
    return await signed_in(client, "viewer", email="alice@example.com")


async def change(client, current: str, new: str = NEW, again: str | None = None):
    token = await form_token(client, PAGE)
    data = {"current": current, "new": new, "again": new if again is None else again}
    return await client.post(PAGE, data=data | {"csrf_token": token})


async def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(client, alice, runtime):
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as laptop:
        assert (await sign_in(laptop, alice)).status_code == 303

        answer = await change(client, PASSWORD)

        assert answer.status_code == 303
        assert answer.headers["location"] == f"{PAGE}?ended=1"
        assert (await laptop.get("/outbox")).status_code == 303
    page = await client.get(answer.headers["location"])
    assert "Your password is changed. Other sessions ended: 1." in page.text
    assert await ConsoleSession.filter(ended_at=None).count() == 1
    client.cookies.clear()
    assert (await sign_in(client, alice, PASSWORD)).status_code == 401
    assert (await sign_in(client, alice, NEW)).status_code == 303


@pytest.mark.parametrize(
    "current, new, again, field, message",
    [
        ("not it at all", NEW, NEW, "current", "This is not your current password."),
        (PASSWORD, NEW, NEW + "!", "again", "The two new passwords differ."),
        (PASSWORD, "short", "short", "new", "A password needs at least 12 characters."),
    ],
)
async def test_a_bad_change_says_why_and_changes_nothing(
    client, alice, current, new, again, field, message
):
    answer = await change(client, current, new, again)

    assert answer.status_code == 400
    assert f'<span class="bad" id="{field}-error">{message}</span>' in answer.text
    client.cookies.clear()
    assert (await sign_in(client, alice, PASSWORD)).status_code == 303


async def test_the_page_says_who_is_signed_in(client, alice):
    page = await client.get(PAGE)

    assert page.status_code == 200
    assert "Signed in as alice@example.com, role viewer." in page.text
    assert 'href="/account/password" aria-current="page"' in page.text
