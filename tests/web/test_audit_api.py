"""The audit log through the API: only keys made to read it, newest first, filtered, paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from web.audit import SYSTEM, Actor, record_as
from web.auth import create_api_key
from web.models import AuditEvent
from web.routes.audit_api import PAGE_SIZE

ALICE = Actor("user", "alice@shop.example", 1)
BOB = Actor("user", "bob@shop.example", 2)


@pytest.fixture
async def auditor(db) -> str:
    """A key the security team's log collector reads the log with."""
    _, key = await create_api_key("siem", reads_audit=True)
    return key


async def read(client, key: str, **params: str | int):
    return await client.get(
        "/api/v1/audit", params=params, headers={"Authorization": f"Bearer {key}"}
    )


async def events(client, key: str, **params: str | int) -> list[dict]:
    answer = await read(client, key, **params)
    assert answer.status_code == 200, answer.text
    return answer.json()["events"]


async def at(moment: datetime, actor: Actor, action: str, target: str = "") -> None:
    event = await record_as(actor, action, target, client_address="10.0.0.7")
    await AuditEvent.filter(id=event.id).update(occurred_at=moment)


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
async def history(db) -> None:
    await at(NOW - timedelta(days=3), ALICE, "user.created", "bob@shop.example")
    await at(NOW - timedelta(days=2), BOB, "sign_in.failed", "bob@shop.example")
    await at(NOW - timedelta(days=1), BOB, "sign_in.succeeded", "bob@shop.example")
    await at(NOW, SYSTEM, "api_key.revoked", "demo (key 1)")


async def test_a_key_made_to_read_it_gets_every_event_newest_first(client, auditor, history):
    found = await events(client, auditor)

    assert [e["action"] for e in found] == [
        "api_key.revoked",
        "sign_in.succeeded",
        "sign_in.failed",
        "user.created",
    ]
    assert found[-1] == {
        "id": found[-1]["id"],
        "occurred_at": (NOW - timedelta(days=3)).isoformat(),
        "actor": {"kind": "user", "id": 1, "label": "alice@shop.example"},
        "action": "user.created",
        "target": "bob@shop.example",
        "detail": None,
        "client_address": "10.0.0.7",
        "request_id": None,
    }


async def test_an_event_senders_key_is_refused(client, api_key, history):
    answer = await read(client, api_key)

    assert answer.status_code == 403
    assert "may not read the audit log" in answer.json()["error"]["message"]


async def test_no_key_is_refused(client, history):
    answer = await client.get("/api/v1/audit")

    assert answer.status_code == 401


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"action": "sign_in.failed"}, ["sign_in.failed"]),
        ({"action": "sign_in"}, ["sign_in.succeeded", "sign_in.failed"]),
        ({"action": "sign"}, []),
        ({"actor": "BOB@shop"}, ["sign_in.succeeded", "sign_in.failed"]),
        ({"actor": "system"}, ["api_key.revoked"]),
        (
            {"since": (NOW - timedelta(days=2)).isoformat()},
            ["api_key.revoked", "sign_in.succeeded", "sign_in.failed"],
        ),
        ({"until": (NOW - timedelta(days=2)).isoformat()}, ["user.created"]),
        (
            {"since": "2026-11-17T12:00:01+00:00", "until": "2026-11-19T20:00:00+08:00"},
            ["sign_in.failed"],
        ),
        ({"action": "sign_in", "actor": "alice"}, []),
    ],
)  # fmt: skip
async def test_filters(client, auditor, history, params, expected):
    assert [e["action"] for e in await events(client, auditor, **params)] == expected


async def test_pages_follow_one_another_without_gaps(client, auditor, db):
    for n in range(PAGE_SIZE + 3):
        await at(NOW + timedelta(seconds=n), ALICE, "user.enabled", f"user{n}@shop.example")

    first = (await read(client, auditor)).json()
    second = (await read(client, auditor, page=first["next_page"])).json()

    assert first["next_page"] == 2 and second["next_page"] is None
    targets = [e["target"] for e in first["events"] + second["events"]]
    assert targets == [f"user{n}@shop.example" for n in reversed(range(PAGE_SIZE + 3))]


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"action": "User.Created"}, "action", "dotted lower case"),
        ({"action": "x" * 65}, "action", "dotted lower case"),
        ({"since": "yesterday"}, "since", "ISO-8601"),
        ({"until": "2026-11-20T00:00:00"}, "until", "time zone"),
        ({"since": "2026-11-20T00:00:00Z", "until": "2026-11-19T00:00:00Z"}, "until", "later"),
        ({"page": "0"}, "page", "whole number from 1"),
        ({"page": "²"}, "page", "whole number from 1"),
        ({"page": "9999999"}, "page", "whole number from 1"),
    ],
)
async def test_a_bad_parameter_answers_422_naming_it(client, auditor, params, field, words):
    answer = await read(client, auditor, **params)

    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["field"] == field and words in error["message"]


async def test_the_openapi_document_describes_it(client, db):
    document = (await client.get("/api/v1/openapi.json")).json()

    operation = document["paths"]["/api/v1/audit"]["get"]
    assert [p["name"] for p in operation["parameters"]] == [
        "action",
        "actor",
        "since",
        "until",
        "page",
    ]
    assert set(operation["responses"]) == {"200", "401", "403", "422"}
    assert "AuditEvent" in document["components"]["schemas"]
