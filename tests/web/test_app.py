"""The app as composed: pages gzipped, errors answered by the exception handlers."""

from __future__ import annotations

import gzip

from tests.console import signed_in
from tests.stories import sent_invitation


async def test_pages_are_gzipped_for_browsers_that_ask(client, shop_journey):
    await signed_in(client, "viewer")

    answer = await client.get("/", headers={"Accept-Encoding": "gzip"})
    raw = await client.get("/", headers={"Accept-Encoding": "identity"})

    assert answer.headers["content-encoding"] == "gzip"
    assert "content-encoding" not in raw.headers
    assert int(answer.headers["content-length"]) < len(raw.content)
    assert "Touchpoint turns customer interactions" in answer.text  # httpx decoded it


async def test_the_survey_page_is_gzipped_too(client, api_key, shop_journey):
    invitation = await sent_invitation(client, api_key)
    async with client.stream(
        "GET", f"/s/{invitation.token}", headers={"Accept-Encoding": "gzip"}
    ) as answer:
        body = b"".join([chunk async for chunk in answer.aiter_raw()])

    assert answer.headers["content-encoding"] == "gzip"
    assert b"<form" in gzip.decompress(body)


async def test_an_api_error_is_json_from_its_handler(client, api_key):
    answer = await client.get(
        "/api/v1/invitations?status=lost", headers={"Authorization": f"Bearer {api_key}"}
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "status"


async def test_an_unknown_console_path_is_a_plain_404(client, db):
    answer = await client.get("/no-such-page")

    assert answer.status_code == 404 and answer.text == "Not found"
