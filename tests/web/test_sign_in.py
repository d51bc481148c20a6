"""Signing in and out: the right password lets Alice in, a wrong one or an unknown email
gets the same words, repeated failures lock the account for a growing while, across
processes, and `next` never leads off the site."""

from __future__ import annotations

import httpx
import pytest

from tests.console import PASSWORD, form_token, sign_in
from web.app import create_app
from web.models import ConsoleSession
from web.routes.sign_in import local_path
from web.sessions import COOKIE
from web.users import create_user

ALICE = "alice@example.com"


@pytest.fixture
async def alice(db) -> str:
    await create_user(ALICE, "editor", PASSWORD, display_name="Alice")
    return ALICE


async def test_alice_signs_in_and_sees_who_she_is_on_every_page(client, alice):
    answer = await sign_in(client, "Alice@Example.com ", next_path="/outbox")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/outbox"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http://testserver; see test_sessions for https
    page = await client.get("/outbox")
    assert page.status_code == 200
    assert "Alice (editor)" in page.text and 'action="/sign-out"' in page.text
    row = await ConsoleSession.get(user__email=ALICE)
    assert row.ended_at is None and row.user_agent.startswith("python-httpx")


@pytest.mark.parametrize("email, password", [(ALICE, "wrong horse"), ("bob@example.com", PASSWORD)])
async def test_a_wrong_password_and_an_unknown_email_get_the_same_words(
    client, alice, email, password
):
    answer = await sign_in(client, email, password)

    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text
    assert f'value="{email}"' in answer.text  # the email stays typed in
    assert COOKIE not in answer.headers.get("set-cookie", "")
    assert (await client.get("/outbox")).status_code == 303
    assert await ConsoleSession.all().count() == 0


async def test_an_empty_form_is_refused_like_a_wrong_password(client, alice):
    token = await form_token(client, "/sign-in")
    answer = await client.post("/sign-in", data={"csrf_token": token})

    assert answer.status_code == 401
    assert "Wrong email or password." in answer.text


async def test_a_page_asks_for_sign_in_and_brings_alice_back_after(client, alice):
    asked = await client.get("/reports?journey=shop")

    assert asked.status_code == 303
    assert asked.headers["location"] == "/sign-in?next=%2Freports%3Fjourney%3Dshop"
    form = await client.get(asked.headers["location"])
    assert 'name="next" value="/reports?journey=shop"' in form.text
    answer = await sign_in(client, ALICE, next_path="/reports?journey=shop")
    assert answer.headers["location"] == "/reports?journey=shop"


async def test_a_wrong_password_keeps_where_alice_was_going(client, alice):
    wrong = await sign_in(client, ALICE, "wrong horse", next_path="/reports?journey=shop")

    assert wrong.status_code == 401
    assert 'name="next" value="/reports?journey=shop"' in wrong.text
    answer = await sign_in(client, ALICE, next_path="/reports?journey=shop")
    assert answer.headers["location"] == "/reports?journey=shop"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x",
        "/\t/evil.example",
        "",
        "/sign-in",
    ],
)
async def test_next_never_leads_off_the_site(client, alice, target):
    answer = await sign_in(client, ALICE, next_path=target)

    assert answer.status_code == 303
    assert answer.headers["location"] == local_path(target)
    assert local_path(target) in ("/", "/%0d%0aSet-Cookie:x")


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/outbox", "/outbox"),
        ("/reports?journey=shop&period=2026-Q3", "/reports?journey=shop&period=2026-Q3"),
        (None, "/"),
        ("outbox", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/x", "/"),
        ("/sign-in?next=/x", "/"),
        ("/ok\nLocation: x", "/"),
    ],
)
def test_local_path(target, expected):
    assert local_path(target) == expected


async def test_a_signed_in_person_opening_the_sign_in_page_goes_on(client, alice):
    await sign_in(client, ALICE)

    answer = await client.get("/sign-in?next=/opt-outs")

    assert answer.status_code == 303 and answer.headers["location"] == "/opt-outs"


async def test_signing_out_ends_the_session_for_good(client, alice):
    await sign_in(client, ALICE)
    stolen = client.cookies[COOKIE]
    token = await form_token(client, "/outbox")

    out = await client.post("/sign-out", data={"csrf_token": token})

    assert out.status_code == 303 and out.headers["location"] == "/sign-in?done=signed-out"
    assert (await client.get(out.headers["location"])).text.count("You are signed out.") == 1
    assert (await ConsoleSession.get(user__email=ALICE)).ended_at is not None
    client.cookies.set(COOKIE, stolen)  # a copy of the cookie kept from before
    assert (await client.get("/outbox")).status_code == 303


async def test_signing_out_needs_the_form_token(client, alice):
    await sign_in(client, ALICE)

    refused = await client.post("/sign-out")

    assert refused.status_code == 403
    assert (await client.get("/outbox")).status_code == 200


async def test_five_failures_lock_the_account_with_the_wait_shown_even_for_the_right_password(
    client, alice
):
    for _ in range(4):
        assert (await sign_in(client, ALICE, "wrong horse")).status_code == 401
    fifth = await sign_in(client, ALICE, "wrong horse")
    right = await sign_in(client, ALICE)

    assert "Too many failed sign-ins: try again in 30 seconds." in fifth.text
    assert right.status_code == 429
    assert "Too many failed sign-ins. Try again in 30 seconds." in right.text
    assert await ConsoleSession.all().count() == 0


async def test_the_lock_out_holds_across_two_web_processes_sharing_redis(runtime, alice):
    """Two apps (two processes' worth of state) on one Redis: failures add up."""
    first, second = (
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(runtime=runtime)),
            base_url="http://testserver",
        )
        for _ in range(2)
    )
    async with first, second:
        for attempt in range(5):
            http = first if attempt % 2 == 0 else second
            await sign_in(http, ALICE, "wrong horse")
        sixth = await sign_in(second, ALICE, "wrong horse")
        right = await sign_in(first, ALICE)

    assert sixth.status_code == 429 and right.status_code == 429
    assert "Try again in 30 seconds." in right.text


async def test_each_failure_past_the_limit_doubles_the_wait(client, alice, runtime):
    for _ in range(5):
        await sign_in(client, ALICE, "wrong horse")
    await runtime.redis.delete(*await runtime.redis.keys("touchpoint:sign-in:*:lock"))

    sixth = await sign_in(client, ALICE, "wrong horse")

    assert "try again in 60 seconds" in sixth.text


async def test_a_success_clears_the_accounts_failures(client, alice, runtime):
    for _ in range(4):
        await sign_in(client, ALICE, "wrong horse")
    assert (await sign_in(client, ALICE)).status_code == 303

    client.cookies.clear()
    for _ in range(4):
        answer = await sign_in(client, ALICE, "wrong horse")

    assert answer.status_code == 401 and "Too many" not in answer.text


async def test_one_address_failing_for_many_accounts_is_locked_out_too(client, alice):
    for n in range(20):
        await sign_in(client, f"guess{n}@example.com", "wrong horse")

    answer = await sign_in(client, ALICE)

    assert answer.status_code == 429
