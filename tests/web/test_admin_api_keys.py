"""The admin's API keys page: Alice makes a key for the order system, sees it used, revokes it."""

from __future__ import annotations

import re

import pytest

from tests.console import form_token, signed_in
from web.auth import hash_key
from web.models import ApiKey, AuditEvent

PAGE = "/admin/api-keys"


@pytest.fixture
async def alice(client) -> str:
    return await signed_in(client, "admin", "alice@shop.example")


async def create(client, name: str, **fields: str):
    token = await form_token(client, PAGE)
    return await client.post(PAGE, data={"name": name, "csrf_token": token} | fields)


def shown_key(page: str) -> str:
    found = re.search(r'id="new-key-value" value="(tp_[^"]+)"', page)
    assert found, "no key shown"
    return found.group(1)


async def call_api(client, key: str, path: str = "/api/v1/invitations") -> int:
    answer = await client.get(path, headers={"Authorization": f"Bearer {key}"})
    return answer.status_code


async def test_a_new_key_is_shown_once_and_works_at_once(client, alice):
    answer = await create(client, "  order   system ")

    assert answer.status_code == 201
    key = shown_key(answer.text)
    assert "shown this once and never again" in answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert await call_api(client, key) == 200
    listing = (await client.get(PAGE)).text
    assert key not in listing and "order system" in listing
    row = await ApiKey.get(name="order system")
    assert (row.key_hash, row.created_by, row.reads_audit) == (hash_key(key), alice, False)
    [event] = await AuditEvent.filter(action="api_key.created")
    assert (event.actor_kind, event.actor_label) == ("user", alice)
    assert event.target == f"order system (key {row.id})"
    assert event.detail == {"reads_audit": False} and key not in repr(event.detail)


async def test_the_list_says_who_made_each_key_and_when_it_was_last_used(client, alice):
    key = shown_key((await create(client, "order system")).text)
    before = (await client.get(PAGE)).text
    await call_api(client, key)

    after = (await client.get(PAGE)).text

    row = before[before.index("<td>order system</td>") :]
    assert "<td>alice@shop.example</td>" in row and "never" in row.split("</tr>")[0]
    row = after[after.index("<td>order system</td>") :].split("</tr>")[0]
    assert "never" not in row and "active" in row


@pytest.mark.parametrize(
    ("name", "words"), [("", "Name the key"), ("   ", "Name the key"), ("x" * 101, "at most 100")]
)
async def test_a_key_needs_a_name_of_a_sensible_length(client, alice, name, words):
    answer = await create(client, name)

    assert answer.status_code == 400 and words in answer.text
    assert 'id="new-key-value"' not in answer.text
    assert await ApiKey.all().count() == 0


async def test_revoking_asks_first_then_the_key_is_refused(client, alice):
    key = shown_key((await create(client, "order system")).text)
    row = await ApiKey.get(name="order system")

    confirm = await client.get(f"{PAGE}/{row.id}/revoke")
    assert confirm.status_code == 200 and "Revoke the key order system?" in confirm.text
    assert (await ApiKey.get(id=row.id)).revoked_at is None
    token = await form_token(client, f"{PAGE}/{row.id}/revoke")
    revoked = await client.post(f"{PAGE}/{row.id}/revoke", data={"csrf_token": token})

    assert revoked.status_code == 303
    assert "is revoked" in (await client.get(revoked.headers["location"])).text
    assert await call_api(client, key) == 401
    [event] = await AuditEvent.filter(action="api_key.revoked")
    assert (event.actor_label, event.target) == (alice, f"order system (key {row.id})")


async def test_revoking_twice_says_so_and_is_recorded_once(client, alice):
    await create(client, "order system")
    row = await ApiKey.get(name="order system")
    path = f"{PAGE}/{row.id}/revoke"

    for _ in range(2):
        again = await client.post(path, data={"csrf_token": await form_token(client, PAGE)})

    assert "was revoked already" in (await client.get(again.headers["location"])).text
    assert await AuditEvent.filter(action="api_key.revoked").count() == 1


async def test_a_revoke_without_its_csrf_token_changes_nothing(client, alice):
    key = shown_key((await create(client, "order system")).text)
    row = await ApiKey.get(name="order system")

    answer = await client.post(f"{PAGE}/{row.id}/revoke")

    assert answer.status_code == 403
    assert await call_api(client, key) == 200


async def test_only_a_key_made_to_read_it_reads_the_audit_log(client, alice):
    reader = shown_key((await create(client, "siem", reads_audit="yes")).text)
    sender = shown_key((await create(client, "order system")).text)

    assert await call_api(client, reader, "/api/v1/audit") == 200
    assert await call_api(client, sender, "/api/v1/audit") == 403
    assert "reads it" in (await client.get(PAGE)).text


@pytest.mark.parametrize("role", ["viewer", "agent", "editor"])
async def test_only_admins_see_or_make_keys(client, db, role):
    await signed_in(client, role)

    page = await client.get(PAGE)
    made = await client.post(
        PAGE, data={"name": "mine", "csrf_token": await form_token(client, "/")}
    )

    assert page.status_code == 403 and made.status_code == 403
    assert await ApiKey.all().count() == 0


async def test_an_unknown_key_is_a_404_page(client, alice):
    assert (await client.get(f"{PAGE}/9999/revoke")).status_code == 404
