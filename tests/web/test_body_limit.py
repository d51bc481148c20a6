"""An oversized console form is refused with 413 before anything reads it."""

from __future__ import annotations

import pytest

from dispatch.models import OptOut
from tests.console import form_token, signed_in
from web.body_limit import limit_for

ANNA_PHONE = "+14155550123"


@pytest.mark.parametrize(
    "path, limit",
    [
        ("/opt-outs", 64 * 1024),
        ("/", 64 * 1024),
        ("/journeys/online-store/edit", 512 * 1024),
        ("/journeys", 512 * 1024),
    ],
)
def test_limit_for(path, limit):
    assert limit_for(path) == limit


async def test_an_oversized_opt_out_form_is_refused_and_nothing_is_written(client, db):
    await signed_in(client, "agent")
    token = await form_token(client, "/opt-outs")

    answer = await client.post(
        "/opt-outs",
        data={"phone": ANNA_PHONE, "note": "x" * 70_000, "csrf_token": token},
    )

    assert answer.status_code == 413
    assert "A form here may hold at most 64 KB. Nothing was changed." in answer.text
    assert not await OptOut.exists(address=ANNA_PHONE)


async def test_a_body_sent_in_chunks_without_a_length_is_counted_too(client, db):
    await signed_in(client, "agent")

    async def chunks():
        for _ in range(80):
            yield b"x" * 1024

    answer = await client.post(
        "/opt-outs",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert answer.status_code == 413
