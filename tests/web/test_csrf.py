"""A console form is refused without its CSRF token, and nothing changes.

The opt-out form is the example: a forged post from another site would stop a customer's
surveys. The token is the session's own, masked afresh on every page.
"""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from dispatch.models import OptOut
from tests.console import form_token, signed_in, token_in
from web.app import create_app
from web.csrf import mask, token_matches, unmask
from web.models import ConsoleSession

ANNA_PHONE = "+14155550123"


@pytest.fixture(autouse=True)
async def agent(client, db) -> str:
    return await signed_in(client, "agent")


async def test_the_opt_out_form_with_its_token_is_taken(client):
    token = await form_token(client, "/opt-outs")

    answer = await client.post("/opt-outs", data={"phone": ANNA_PHONE, "csrf_token": token})

    assert answer.status_code == 303
    assert await OptOut.exists(address=ANNA_PHONE)


@pytest.mark.parametrize(
    "token",
    [None, "", "forged", mask("a token of our own making"), "%%%", "AAAA"],
)
async def test_the_opt_out_form_without_its_token_or_with_a_forged_one_is_refused(client, token):
    data = {"phone": ANNA_PHONE} | ({} if token is None else {"csrf_token": token})

    answer = await client.post("/opt-outs", data=data)

    assert answer.status_code == 403
    assert "Form refused: security token missing or wrong" in answer.text
    assert "nothing was changed" in answer.text
    assert not await OptOut.exists(address=ANNA_PHONE)


async def test_another_sessions_token_is_refused(client, runtime):
    """Bob's token, copied into a page that posts from Alice's browser, does not work."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as bob:
        await signed_in(bob, "agent", email="bob@example.com")
        bobs_token = await form_token(bob, "/opt-outs")

    answer = await client.post("/opt-outs", data={"phone": ANNA_PHONE, "csrf_token": bobs_token})

    assert answer.status_code == 403
    assert not await OptOut.exists(address=ANNA_PHONE)


async def test_the_token_may_come_as_a_header(client):
    token = await form_token(client, "/opt-outs")

    answer = await client.post(
        "/opt-outs", data={"phone": ANNA_PHONE}, headers={"X-CSRF-Token": token}
    )

    assert answer.status_code == 303


async def test_a_multipart_form_carries_its_token_too(client):
    token = await form_token(client, "/opt-outs")

    answer = await client.post(
        "/opt-outs", files={"phone": (None, ANNA_PHONE), "csrf_token": (None, token)}
    )

    assert answer.status_code == 303


async def test_each_page_masks_the_token_afresh_but_it_stays_the_sessions(client):
    first, second = [token_in((await client.get("/opt-outs")).text) for _ in range(2)]

    assert first != second
    session = await ConsoleSession.get()
    assert unmask(first) == unmask(second) == session.csrf_token
    assert session.csrf_token not in (await client.get("/opt-outs")).text


async def test_a_form_posted_after_the_session_ended_says_to_sign_in_again(client):
    token = await form_token(client, "/opt-outs")
    await ConsoleSession.all().update(ended_at=datetime.now(UTC))

    answer = await client.post("/opt-outs", data={"phone": ANNA_PHONE, "csrf_token": token})

    assert answer.status_code == 403
    assert "You are not signed in (or your session has ended)" in answer.text
    assert not await OptOut.exists(address=ANNA_PHONE)


async def test_the_sign_in_form_needs_the_token_of_its_own_browser(runtime, db):
    """Before sign-in the token lives in a signed cookie: another browser's does not pass."""
    apps = [create_app(runtime=runtime) for _ in range(2)]
    clients = [
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")
        for app in apps
    ]
    async with clients[0] as mallory, clients[1] as alice:
        mallorys_token = await form_token(mallory, "/sign-in")
        await form_token(alice, "/sign-in")
        data = {"email": "mallory@example.com", "password": "x" * 20}

        without = await alice.post("/sign-in", data=data)
        crossed = await alice.post("/sign-in", data=data | {"csrf_token": mallorys_token})

    assert without.status_code == crossed.status_code == 403


def test_mask_and_unmask():
    token = "the session's token"

    assert unmask(mask(token)) == token
    assert token_matches(mask(token), token)
    assert not token_matches(mask(token), "")
    assert not token_matches(None, token)
    assert unmask("not base64!") is None and unmask("") is None


async def test_a_broken_multipart_body_is_refused_not_a_crash(client):
    answer = await client.post(
        "/opt-outs",
        content=b"--x\r\nnot a part",
        headers={"Content-Type": "multipart/form-data; boundary=x"},
    )

    assert answer.status_code == 403
