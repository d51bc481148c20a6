"""The audit log: each change is recorded with who made it, what it was and from where.

Everything goes through the real endpoints (sign-in, console, API, Twilio webhooks,
CLI); customers' own opt-outs are in test_audit_customers.py, the admin pages' actions in
test_admin_users.py and test_admin_api_keys.py.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest
from tortoise import Tortoise

from tests.console import PASSWORD, form_token, post_form, sign_in, signed_in
from tests.processes import ROOT, clean_environment, touchpoint
from tests.stories import ANNA, BEN
from web.audit import SYSTEM, Actor, record_as
from web.auth import create_api_key
from web.database import connect
from web.models import AuditEvent, User


@pytest.fixture
async def crm(db) -> tuple[str, int]:
    """The help desk's API key, and its id."""
    row, key = await create_api_key("help-desk")
    return key, row.id


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def only_event(action: str) -> AuditEvent:
    [event] = await AuditEvent.filter(action=action)
    return event


def who(event: AuditEvent) -> tuple[str, int | None, str, str | None]:
    return event.actor_kind, event.actor_id, event.actor_label, event.client_address


# --- signing in -----------------------------------------------------------------------------


async def test_a_sign_in_is_recorded_as_the_user_who_signed_in(client, db):
    email = await signed_in(client, "editor", "erin@shop.example")

    event = await only_event("sign_in.succeeded")
    user = await User.get(email=email)
    assert who(event) == ("user", user.id, email, "127.0.0.1")
    assert event.target == email


async def test_a_failed_sign_in_names_the_email_tried_but_never_the_password(client, db):
    await signed_in(client, "editor", "erin@shop.example")
    other = await client.post("/sign-out", data={"csrf_token": await form_token(client, "/")})
    assert other.status_code == 303

    answer = await sign_in(client, "Erin@shop.example", "not her password at all")

    assert answer.status_code == 401
    event = await only_event("sign_in.failed")
    assert who(event) == ("anonymous", None, "", "127.0.0.1")
    assert event.target == "Erin@shop.example"
    assert event.detail == {"reason": "wrong email or password"}
    assert "not her password" not in repr(event.detail) + event.target


async def test_a_sign_in_refused_while_locked_is_recorded_as_throttled(client, db):
    for _ in range(6):
        answer = await sign_in(client, "erin@shop.example", "guess")

    assert answer.status_code == 429
    reasons = [e.detail["reason"] for e in await AuditEvent.filter(action="sign_in.failed")]
    assert reasons == ["wrong email or password"] * 5 + ["throttled"]


async def test_changing_ones_own_password_is_recorded(client, db):
    email = await signed_in(client, "viewer", "vic@shop.example")
    new = "a much longer passphrase"

    answer = await post_form(
        client, "/account/password", {"current": PASSWORD, "new": new, "again": new}
    )

    assert answer.status_code == 303
    event = await only_event("user.password_changed")
    assert (event.actor_label, event.target) == (email, email)
    assert new not in repr(event.detail)


# --- opt-outs in the console ------------------------------------------------------------------


async def test_an_agent_opting_anna_out_and_back_in_is_recorded_as_the_agent(client, db):
    email = await signed_in(client, "agent", "agnes@shop.example")
    agent = await User.get(email=email)

    added = await post_form(client, "/opt-outs", {"phone": ANNA.phone, "note": "asked by phone"})
    lifted = await post_form(client, "/opt-outs/lift", {"address": ANNA.phone}, page="/opt-outs")

    assert added.status_code == lifted.status_code == 303
    created = await only_event("opt_out.created")
    assert who(created) == ("user", agent.id, email, "127.0.0.1")
    assert created.detail == {"source": "console", "note": "asked by phone"}
    lifted_event = await only_event("opt_out.lifted")
    assert who(lifted_event) == ("user", agent.id, email, "127.0.0.1")
    assert lifted_event.target == ANNA.phone


# --- opt-outs through the API ---------------------------------------------------------------


async def test_an_opt_out_through_the_api_names_the_key_the_address_and_the_note(client, crm):
    key, key_id = crm

    answer = await client.post(
        "/api/v1/opt-outs",
        json={"phone": "+1 415 555 0123", "note": "called us"},
        headers=bearer(key) | {"X-Request-ID": "req-42"},
    )

    assert answer.status_code == 201
    event = await only_event("opt_out.created")
    assert who(event) == ("api_key", key_id, "help-desk", "127.0.0.1")
    assert event.target == ANNA.phone
    assert event.detail == {"source": "api", "note": "called us"}
    assert event.request_id == "req-42"


async def test_an_opt_out_that_already_holds_is_not_recorded_again(client, crm):
    key, _ = crm
    for _ in range(2):
        await client.post("/api/v1/opt-outs", json={"email": BEN.email}, headers=bearer(key))

    assert await AuditEvent.filter(action="opt_out.created").count() == 1


async def test_lifting_through_the_api_is_recorded_once(client, crm):
    key, key_id = crm
    await client.post("/api/v1/opt-outs", json={"email": BEN.email}, headers=bearer(key))

    for _ in range(2):
        answer = await client.delete(f"/api/v1/opt-outs/{BEN.email}", headers=bearer(key))
        assert answer.status_code == 200

    event = await only_event("opt_out.lifted")
    assert who(event) == ("api_key", key_id, "help-desk", "127.0.0.1")
    assert (event.target, event.detail) == (BEN.email, {"source": "api"})


async def test_a_rejected_opt_out_records_nothing(client, crm):
    key, _ = crm
    answer = await client.post("/api/v1/opt-outs", json={"phone": "call me"}, headers=bearer(key))

    assert answer.status_code == 422
    assert await AuditEvent.all().count() == 0


# --- what the log refuses ------------------------------------------------------------------


@pytest.mark.parametrize(
    "detail",
    [
        {"password": "correct horse battery staple"},
        {"new_password": "x"},
        {"api_key": "tp_abc"},
        {"user": {"reset_token": "abc"}},
        {"changes": [{"secret": "x"}]},
    ],
)
async def test_a_secret_in_the_detail_is_refused_and_nothing_is_written(db, detail):
    with pytest.raises(ValueError, match="never stores secrets"):
        await record_as(SYSTEM, "user.created", "x", detail)

    assert await AuditEvent.all().count() == 0


@pytest.mark.parametrize("action", ["created", "User.Created", "user.", "user created", ""])
async def test_an_action_must_be_dotted_lower_case(db, action):
    with pytest.raises(ValueError, match="dotted lower case"):
        await record_as(SYSTEM, action)


def test_an_unknown_actor_kind_is_refused():
    with pytest.raises(ValueError, match="unknown actor kind 'robot'"):
        Actor("robot")


# --- the command line ------------------------------------------------------------------------


async def logged(url: str) -> list[AuditEvent]:
    """The audit log of the database a CLI test ran against."""
    await connect(url)
    try:
        return await AuditEvent.all().order_by("id")
    finally:
        await Tortoise.close_connections()


def test_the_clis_key_commands_are_recorded_as_the_person_at_the_shell(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    env |= {"LOGNAME": "dana", "USER": "dana"}
    assert touchpoint("migrate", env=env).returncode == 0
    created = touchpoint("apikeys", "create", "--name", "order-system", env=env)
    key = created.stdout.strip().splitlines()[-1]
    assert touchpoint("apikeys", "revoke", "1", env=env).returncode == 0
    assert touchpoint("apikeys", "revoke", "1", env=env).returncode == 1

    events = asyncio.run(logged(url))
    assert [(e.action, e.target, e.actor_kind, e.actor_label) for e in events] == [
        ("api_key.created", "order-system (key 1)", "system", "cli:dana"),
        ("api_key.revoked", "order-system (key 1)", "system", "cli:dana"),
    ]
    assert all(e.client_address is None for e in events)
    assert key not in repr([(e.target, e.detail) for e in events])


def test_the_clis_user_commands_are_recorded_as_the_person_at_the_shell(tmp_path: Path):
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    env = clean_environment(data_dir=str(tmp_path), database_url=url)
    env |= {"LOGNAME": "dana", "USER": "dana"}
    assert touchpoint("migrate", env=env).returncode == 0
    new = "a long enough passphrase"
    for args in (
        ["create", "--email", "erin@shop.example", "--role", "editor", "--password-stdin"],
        ["set-role", "--email", "erin@shop.example", "--role", "admin"],
        ["set-password", "--email", "erin@shop.example", "--password-stdin"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "web.cli", "users", *args],
            env=env,
            cwd=ROOT,
            input=f"{new}\n",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr

    events = asyncio.run(logged(url))
    assert [(e.action, e.target, e.actor_label, e.detail) for e in events] == [
        ("user.created", "erin@shop.example", "cli:dana", {"role": "editor", "initial": "typed"}),
        ("user.role_changed", "erin@shop.example", "cli:dana", {"from": "editor", "to": "admin"}),
        ("user.password_reset", "erin@shop.example", "cli:dana", {"sessions_ended": 0}),
    ]
    assert new not in repr([e.detail for e in events])
