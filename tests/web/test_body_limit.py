"""An oversized body is refused with 413 before anything reads it whole, on every path: the
console, the API, the survey pages and Twilio's webhooks, declared or sent in chunks."""

from __future__ import annotations

import pytest

from dispatch.models import OptOut
from surveys.models import Answer
from tests.console import form_token, signed_in
from tests.stories import sent_invitation
from web.body_limit import limit_for

ANNA_PHONE = "+14155550123"


@pytest.mark.parametrize(
    "path, limit",
    [
        ("/opt-outs", 64 * 1024),
        ("/", 64 * 1024),
        ("/journeys/online-store/edit", 512 * 1024),
        ("/journeys", 512 * 1024),
        ("/api/v1/events", 4 * 1024 * 1024),
        ("/s/abc", 64 * 1024),
        ("/twilio/sms", 64 * 1024),
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


async def chunks(size_kb: int):
    for _ in range(size_kb):
        yield b"x" * 1024


async def test_an_api_batch_over_the_limit_is_refused_in_json_before_it_is_read(client, api_key):
    auth = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}

    declared = await client.post(
        "/api/v1/events", headers=auth | {"Content-Length": str(5 * 1024 * 1024)}, content=b"{}"
    )
    streamed = await client.post("/api/v1/events", headers=auth, content=chunks(4 * 1024 + 1))

    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.json() == {
            "error": {
                "message": "the body may hold at most 4 MB; nothing was taken",
                "field": "body",
            }
        }


async def test_a_survey_answer_sent_in_chunks_past_the_limit_is_refused_and_not_saved(
    client, api_key, shop_journey
):
    anna = await sent_invitation(client, api_key)

    async def form():
        yield b"nps=9&comment="
        async for chunk in chunks(80):
            yield chunk

    answer = await client.post(
        f"/s/{anna.token}",
        content=form(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert answer.status_code == 413
    assert "at most 64 KB" in answer.text
    assert not await Answer.exists(invitation_id=anna.id)


async def test_a_twilio_webhook_past_the_limit_is_refused(client, db):
    answer = await client.post(
        "/twilio/sms",
        content=chunks(80),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert answer.status_code == 413
