"""The admin's audit log page: newest first, filtered by action, actor and days, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.console import signed_in
from web.audit import SYSTEM, Actor, record_as
from web.models import AuditEvent
from web.routes.admin_audit import PAGE_SIZE

PAGE = "/admin/audit"
ALICE = Actor("user", "alice@shop.example", 1)
BOB = Actor("user", "bob@shop.example", 2)
DAY = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


async def at(moment: datetime, actor: Actor, action: str, target: str = "") -> None:
    event = await record_as(actor, action, target, {"role": "editor"}, client_address="10.1.2.3")
    await AuditEvent.filter(id=event.id).update(occurred_at=moment)


@pytest.fixture
async def history(client) -> None:
    """Three days of changes, then Carol (an admin) signs in to read them."""
    await at(DAY - timedelta(days=2), ALICE, "user.created", "bob@shop.example")
    await at(DAY - timedelta(days=1), BOB, "opt_out.lifted", "+14155550123")
    await at(DAY, SYSTEM, "api_key.revoked", "demo (key 1)")
    await signed_in(client, "admin", "carol@shop.example")


def actions(page: str) -> list[str]:
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return [
        a
        for a in ("sign_in.succeeded", "api_key.revoked", "opt_out.lifted", "user.created")
        if f"<td>{a}</td>" in body
    ]


async def test_an_admin_reads_who_did_what_when_and_from_where(client, history):
    page = await client.get(PAGE)

    assert page.status_code == 200
    assert actions(page.text) == [
        "sign_in.succeeded",
        "api_key.revoked",
        "opt_out.lifted",
        "user.created",
    ]
    cell = page.text.index("<td>user.created</td>")
    row = page.text[page.text.rindex("<tr>", 0, cell) :].split("</tr>")[0]
    assert "2026-11-18 09:30:00" in row and "alice@shop.example" in row
    assert "<td>bob@shop.example</td>" in row and "<td>10.1.2.3</td>" in row
    assert "{&#34;role&#34;: &#34;editor&#34;}" in row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "user.created"}, ["user.created"]),
        ({"action": "opt_out"}, ["opt_out.lifted"]),
        ({"actor": "BOB@"}, ["opt_out.lifted"]),
        ({"from": "2026-11-19", "to": "2026-11-19"}, ["opt_out.lifted"]),
        ({"to": "2026-11-19"}, ["opt_out.lifted", "user.created"]),
        ({"from": "2026-11-20", "actor": "system"}, ["api_key.revoked"]),
    ],
)
async def test_filters(client, history, query, expected):
    page = await client.get(PAGE, params=query)

    assert page.status_code == 200
    assert actions(page.text) == expected
    for value in query.values():
        assert f'value="{value}"' in page.text


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ({"action": "User Created"}, "An action reads like user.created"),
        ({"from": "20 Nov"}, "YYYY-MM-DD"),
        ({"from": "2026-11-20", "to": "2026-11-19"}, "comes before the first"),
        ({"page": "0"}, "whole number from 1"),
    ],
)
async def test_a_bad_filter_is_a_400_that_says_what_is_wrong(client, history, query, words):
    page = await client.get(PAGE, params=query)

    assert page.status_code == 400
    assert words in page.text and actions(page.text) == []


async def test_pages_link_to_older_and_newer_keeping_the_filter(client, db):
    for n in range(PAGE_SIZE + 2):
        await at(DAY + timedelta(minutes=n), ALICE, "user.enabled", f"user{n}@shop.example")
    await signed_in(client, "admin", "carol@shop.example")

    first = (await client.get(PAGE, params={"action": "user"})).text
    assert 'href="/admin/audit?action=user&amp;page=2" rel="next"' in first
    second = (await client.get(PAGE, params={"action": "user", "page": "2"})).text

    assert "<td>user0@shop.example</td>" in second and "<td>user0@shop.example</td>" not in first
    assert f"<td>user{PAGE_SIZE + 1}@shop.example</td>" in first
    assert 'href="/admin/audit?action=user" rel="prev"' in second and 'rel="next"' not in second


@pytest.mark.parametrize("role", ["viewer", "agent", "editor"])
async def test_only_admins_read_it(client, db, role):
    await signed_in(client, role)

    page = await client.get(PAGE)

    assert page.status_code == 403
