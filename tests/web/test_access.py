"""Roles decide what each person may do: a viewer reads, an agent acts on customers'
requests, an editor edits journeys, an admin does everything; nobody unsigned gets in."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from dispatch.models import OptOut
from tests.console import form_token, signed_in
from web.access import ROLES, requires, roles_granting
from web.app import create_app
from web.models import User

ANNA_PHONE = "+14155550123"


@requires("admin")
async def admin_only(request: Request) -> Response:
    return PlainTextResponse(f"hello {request.user.email}")


@pytest.fixture
async def app_client(runtime, db):
    """The real app with one page more, for admins only."""
    app = create_app(runtime=runtime)
    app.router.routes.append(Route("/admin-only", admin_only, methods=["GET", "POST"]))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


def test_the_roles_grant_what_the_team_agreed():
    assert {role: sorted(scopes - {"authenticated"}) for role, scopes in ROLES.items()} == {
        "viewer": ["view"],
        "agent": ["cases", "view"],
        "editor": ["edit", "view"],
        "admin": ["admin", "cases", "edit", "view"],
    }
    assert all("authenticated" in scopes for scopes in ROLES.values())
    assert roles_granting("edit") == ["editor", "admin"]


@pytest.mark.parametrize("path", ["/", "/outbox", "/reports", "/opt-outs", "/account/password"])
async def test_nobody_signed_in_is_sent_to_sign_in(client, db, path):
    answer = await client.get(path)

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


@pytest.mark.parametrize("role", ["viewer", "editor"])
async def test_a_viewer_or_editor_may_read_opt_outs_but_not_record_one(client, db, role):
    await signed_in(client, role)
    assert (await client.get("/opt-outs")).status_code == 200
    token = await form_token(client, "/opt-outs")

    answer = await client.post("/opt-outs", data={"phone": ANNA_PHONE, "csrf_token": token})

    assert answer.status_code == 403
    assert "This needs the agent or admin role; you are signed in as " + role in answer.text
    assert not await OptOut.exists(address=ANNA_PHONE)


@pytest.mark.parametrize("role", ["viewer", "agent", "editor"])
async def test_only_an_admin_reaches_an_admin_page(app_client, role):
    await signed_in(app_client, role)

    answer = await app_client.get("/admin-only")

    assert answer.status_code == 403
    assert "This needs the admin role" in answer.text
    assert answer.headers["content-security-policy"].startswith("default-src 'none'")


async def test_an_admin_reaches_it(app_client):
    email = await signed_in(app_client, "admin")

    answer = await app_client.get("/admin-only")

    assert answer.status_code == 200 and answer.text == f"hello {email}"


async def test_a_post_without_sign_in_is_refused_before_the_page_runs(app_client):
    token = await form_token(app_client, "/sign-in")

    answer = await app_client.post("/admin-only", data={"csrf_token": token})

    assert answer.status_code == 303 and answer.headers["location"] == "/sign-in"


async def test_a_role_change_applies_at_the_next_request(client, db):
    email = await signed_in(client, "viewer")
    assert (await client.get("/opt-outs")).status_code == 200
    await User.filter(email=email).update(role="agent")
    token = await form_token(client, "/opt-outs")

    answer = await client.post("/opt-outs", data={"phone": ANNA_PHONE, "csrf_token": token})

    assert answer.status_code == 303
