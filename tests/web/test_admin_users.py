"""The admin's users page: Alice (admin) adds Bob, changes his role, disables him, resets him.

Each change is checked where it matters: on the next sign-in or request of the user it is
about, and in the audit log.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.console import form_token, signed_in
from web.app import create_app
from web.models import AuditEvent, ConsoleSession, User
from web.users import create_user

PAGE = "/admin/users"
PASSWORD = "correct horse battery staple"
BOB = "bob@shop.example"


@pytest.fixture
async def alice(client) -> str:
    """Alice is the admin; `client` is her browser."""
    return await signed_in(client, "admin", "alice@shop.example")


@pytest.fixture
async def browser(runtime) -> AsyncIterator[httpx.AsyncClient]:
    """Another browser, for the user an admin changes."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def post(client, path: str, **fields: str) -> httpx.Response:
    return await client.post(path, data={"csrf_token": await form_token(client, PAGE)} | fields)


async def sign_in(client, email: str, password: str) -> httpx.Response:
    token = await form_token(client, "/sign-in")
    return await client.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": token}
    )


def shown_password(page: str) -> str:
    found = re.search(r'id="shown-password" value="([^"]+)"', page)
    assert found, "no password shown"
    return found.group(1)


async def bob() -> User:
    return await User.get(email=BOB)


# --- adding -----------------------------------------------------------------------------------


async def test_alice_adds_bob_with_a_password_she_chose_and_he_signs_in(client, alice, browser):
    answer = await post(client, PAGE, email="Bob@Shop.example", role="editor", password=PASSWORD)

    assert answer.status_code == 201
    assert "bob@shop.example is created as editor" in answer.text
    assert 'id="shown-password"' not in answer.text and PASSWORD not in answer.text
    assert (await sign_in(browser, BOB, PASSWORD)).status_code == 303
    [event] = await AuditEvent.filter(action="user.created")
    assert (event.actor_kind, event.actor_label, event.target) == ("user", alice, BOB)
    assert event.detail == {"role": "editor", "initial": "typed"}
    assert event.client_address == "127.0.0.1"


async def test_a_generated_password_is_shown_once_and_works(client, alice, browser):
    answer = await post(client, PAGE, email=BOB, role="viewer", password="")

    password = shown_password(answer.text)
    assert len(password) >= 12
    assert password not in (await client.get(PAGE)).text
    assert (await sign_in(browser, BOB, password)).status_code == 303
    [event] = await AuditEvent.filter(action="user.created")
    assert password not in repr(event.detail) and event.detail["initial"] == "generated"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"email": "bob", "role": "viewer"}, "email", "not an email address"),
        ({"email": BOB, "role": "owner"}, "role", "unknown role"),
        ({"email": BOB, "role": "viewer", "password": "short"}, "password", "at least 12"),
    ],
)
async def test_a_bad_field_is_shown_beside_it_and_nobody_is_added(
    client, alice, fields, field, words
):
    answer = await post(client, PAGE, **fields)

    assert answer.status_code == 400
    assert f'id="{field}-error"' in answer.text and words in answer.text
    assert await User.filter(email=BOB).count() == 0
    assert await AuditEvent.filter(action="user.created").count() == 0


async def test_every_bad_field_is_shown_at_once(client, alice):
    answer = await post(client, PAGE, email="carole", role="owner", password="short")

    assert answer.status_code == 400
    for field in ("email", "role", "password"):
        assert f'id="{field}-error"' in answer.text
    assert 'value="carole"' in answer.text
    assert await User.all().count() == 1


async def test_an_email_taken_already_is_refused(client, alice):
    await create_user(BOB, "viewer", PASSWORD)

    answer = await post(client, PAGE, email=BOB, role="admin", password=PASSWORD)

    assert answer.status_code == 400 and "exists already" in answer.text
    assert (await bob()).role == "viewer"


# --- roles ------------------------------------------------------------------------------------


async def test_a_role_change_takes_effect_on_bobs_next_request(client, alice, browser):
    await create_user(BOB, "admin", PASSWORD)
    await sign_in(browser, BOB, PASSWORD)
    assert (await browser.get(PAGE)).status_code == 200

    answer = await post(client, f"{PAGE}/{(await bob()).id}/role", role="viewer")

    assert answer.status_code == 303
    assert "bob@shop.example is now viewer" in (await client.get(answer.headers["location"])).text
    assert (await browser.get(PAGE)).status_code == 403
    [event] = await AuditEvent.filter(action="user.role_changed")
    assert (event.actor_label, event.target) == (alice, BOB)
    assert event.detail == {"from": "admin", "to": "viewer"}


async def test_the_last_admin_cannot_be_demoted(client, alice):
    me = await User.get(email=alice)

    answer = await post(client, f"{PAGE}/{me.id}/role", role="editor")

    assert answer.status_code == 409
    assert "last enabled admin" in answer.text
    assert (await User.get(id=me.id)).role == "admin"
    assert await AuditEvent.filter(action="user.role_changed").count() == 0


async def test_a_disabled_admin_does_not_count_as_the_other_admin(client, alice):
    await create_user(BOB, "admin", PASSWORD)
    await post(client, f"{PAGE}/{(await bob()).id}/disable")
    me = await User.get(email=alice)

    answer = await post(client, f"{PAGE}/{me.id}/role", role="viewer")

    assert answer.status_code == 409
    assert (await User.get(id=me.id)).role == "admin"


async def test_with_two_admins_one_may_step_down(client, alice):
    await create_user(BOB, "admin", PASSWORD)
    me = await User.get(email=alice)

    answer = await post(client, f"{PAGE}/{me.id}/role", role="editor")

    assert answer.status_code == 303
    assert (await User.get(id=me.id)).role == "editor"
    assert (await client.get(PAGE)).status_code == 403


async def test_an_unknown_role_changes_nothing(client, alice):
    await create_user(BOB, "viewer", PASSWORD)

    answer = await post(client, f"{PAGE}/{(await bob()).id}/role", role="root")

    assert answer.status_code == 400 and "Unknown role" in answer.text
    assert (await bob()).role == "viewer"


# --- disabling --------------------------------------------------------------------------------


async def test_disabling_bob_signs_him_out_and_keeps_him_out_until_enabled(client, alice, browser):
    await create_user(BOB, "editor", PASSWORD)
    await sign_in(browser, BOB, PASSWORD)
    bob_id = (await bob()).id

    disabled = await post(client, f"{PAGE}/{bob_id}/disable")

    assert disabled.status_code == 303
    assert "is disabled" in (await client.get(disabled.headers["location"])).text
    assert (await browser.get("/")).status_code == 303
    assert await ConsoleSession.filter(user_id=bob_id, ended_at=None).count() == 0
    assert (await sign_in(browser, BOB, PASSWORD)).status_code == 401
    enabled = await post(client, f"{PAGE}/{bob_id}/enable")
    assert enabled.status_code == 303
    assert (await sign_in(browser, BOB, PASSWORD)).status_code == 303
    events = await AuditEvent.filter(target=BOB, action__startswith="user.").order_by("id")
    assert [(e.action, e.actor_label) for e in events] == [
        ("user.disabled", alice),
        ("user.enabled", alice),
    ]
    assert events[-2].detail == {"sessions_ended": 1}


async def test_an_admin_cannot_disable_herself(client, alice):
    me = await User.get(email=alice)

    answer = await post(client, f"{PAGE}/{me.id}/disable")

    assert answer.status_code == 400 and "your own account" in answer.text
    assert (await User.get(id=me.id)).disabled_at is None


async def test_disabling_twice_is_recorded_once(client, alice):
    await create_user(BOB, "viewer", PASSWORD)
    bob_id = (await bob()).id

    for _ in range(2):
        await post(client, f"{PAGE}/{bob_id}/disable")

    assert await AuditEvent.filter(action="user.disabled").count() == 1


# --- resetting a password ---------------------------------------------------------------------


async def test_a_reset_shows_a_new_password_once_and_ends_bobs_sessions(client, alice, browser):
    await create_user(BOB, "editor", PASSWORD)
    await sign_in(browser, BOB, PASSWORD)

    answer = await post(client, f"{PAGE}/{(await bob()).id}/password")

    assert answer.status_code == 200
    password = shown_password(answer.text)
    assert (await browser.get("/")).status_code == 303
    assert (await sign_in(browser, BOB, PASSWORD)).status_code == 401
    assert (await sign_in(browser, BOB, password)).status_code == 303
    [event] = await AuditEvent.filter(action="user.password_reset")
    assert (event.actor_label, event.target, event.detail) == (alice, BOB, {"sessions_ended": 1})
    assert password not in repr(event.detail)


# --- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "agent", "editor"])
async def test_only_admins_see_the_page_or_change_users(client, db, role):
    await create_user(BOB, "viewer", PASSWORD)
    await signed_in(client, role)

    page = await client.get(PAGE)
    token = await form_token(client, "/")
    change = await client.post(
        f"{PAGE}/{(await bob()).id}/role", data={"role": "admin", "csrf_token": token}
    )

    assert page.status_code == 403 and "admin" in page.text
    assert change.status_code == 403
    assert (await bob()).role == "viewer"


async def test_nobody_signed_in_is_sent_to_sign_in(client, db):
    answer = await client.get(PAGE)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/sign-in?next=%2Fadmin%2Fusers"


async def test_a_form_without_its_csrf_token_changes_nothing(client, alice):
    await create_user(BOB, "viewer", PASSWORD)

    answer = await client.post(f"{PAGE}/{(await bob()).id}/role", data={"role": "admin"})

    assert answer.status_code == 403
    assert (await bob()).role == "viewer"


async def test_an_unknown_user_is_a_404_page(client, alice):
    answer = await post(client, f"{PAGE}/9999/disable")

    assert answer.status_code == 404 and "No such user" in answer.text
