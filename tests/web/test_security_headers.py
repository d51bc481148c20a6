"""Console pages carry the security headers, set once by middleware; the customers' pages
and the API keep theirs; the stylesheet is served from /static/ so no inline style is needed."""

from __future__ import annotations

import pytest

from tests.console import signed_in
from web.security_headers import CONSOLE_HEADERS


# /reports now redirects to the review; the review is the page to check.
@pytest.mark.parametrize("path", ["/", "/outbox", "/review", "/opt-outs", "/account/password"])
async def test_every_console_page_carries_them(client, db, path):
    await signed_in(client, "viewer")

    answer = await client.get(path)

    assert answer.status_code == 200
    for name, value in CONSOLE_HEADERS.items():
        assert answer.headers[name] == value
    csp = answer.headers["content-security-policy"]
    assert "script-src" not in csp and "unsafe-inline" not in csp  # default-src 'none'
    assert "frame-ancestors 'none'" in csp and answer.headers["x-frame-options"] == "DENY"
    assert "<style" not in answer.text and "style=" not in answer.text
    assert "<script" not in answer.text


async def test_refusals_and_redirects_carry_them_too(client, db):
    answer = await client.get("/outbox")

    assert answer.status_code == 303
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["referrer-policy"] == "no-referrer"
    sign_in = await client.get(answer.headers["location"])
    assert sign_in.headers["x-frame-options"] == "DENY"


async def test_the_stylesheet_is_served_and_may_be_cached(client, db):
    answer = await client.get("/static/console.css")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/css")
    assert "header{" in answer.text
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in answer.headers


async def test_the_api_gets_none_of_the_console_headers(client, api_key):
    answer = await client.get("/api/v1/invitations", headers={"Authorization": f"Bearer {api_key}"})

    assert "content-security-policy" not in answer.headers
