"""API keys and session cookies, each on its own side: a key calls the API, a cookie opens
the console, and neither does the other's work."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.console import signed_in
from web.models import ApiKey

API = "/api/v1/invitations"


async def test_a_key_calls_the_api(client, api_key):
    answer = await client.get(API, headers={"Authorization": f"Bearer {api_key}"})

    assert answer.status_code == 200
    assert (await ApiKey.get()).last_used_at is not None


@pytest.mark.parametrize(
    "header, message",
    [
        (None, "send an API key as 'Authorization: Bearer <key>'"),
        ("Basic dXNlcjpwYXNz", "send an API key as 'Authorization: Bearer <key>'"),
        ("Bearer ", "send an API key as 'Authorization: Bearer <key>'"),
        ("Bearer tp_not-a-key", "unknown or revoked API key"),
    ],
)
async def test_without_a_good_key_the_api_answers_401_saying_why(client, db, header, message):
    headers = {"Authorization": header} if header else {}

    answer = await client.get(API, headers=headers)

    assert answer.status_code == 401
    assert answer.json() == {"error": {"message": message}}
    assert answer.headers["www-authenticate"] == "Bearer"


async def test_a_revoked_key_is_refused(client, api_key):
    await ApiKey.all().update(revoked_at=datetime.now(UTC))

    answer = await client.get(API, headers={"Authorization": f"Bearer {api_key}"})

    assert answer.status_code == 401
    assert answer.json()["error"]["message"] == "unknown or revoked API key"


async def test_a_signed_in_browser_cannot_call_the_api_with_its_cookie(client, db):
    await signed_in(client, "admin")

    answer = await client.get(API)

    assert answer.status_code == 401


async def test_a_key_does_not_open_the_console(client, api_key):
    answer = await client.get("/outbox", headers={"Authorization": f"Bearer {api_key}"})

    assert answer.status_code == 303


async def test_the_openapi_document_needs_no_key(client, db):
    assert (await client.get("/api/v1/openapi.json")).status_code == 200


async def test_an_unknown_api_path_with_a_key_is_a_json_404(client, api_key):
    answer = await client.get("/api/v1/nothing", headers={"Authorization": f"Bearer {api_key}"})

    assert answer.status_code == 404
    assert answer.json() == {"error": {"message": "no such endpoint: /api/v1/nothing"}}
