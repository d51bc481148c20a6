"""The admin's API keys page: create a key for an integration, see which are used, revoke.

A new key is shown once, on the page that answers its creation, and never again: only its
SHA-256 is stored (web/auth.py). Revoking asks first, on a page of its own, because the
integration that uses the key stops at its next request; a revoked key stays listed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.access import requires
from web.audit import key_target, record
from web.auth import create_api_key
from web.models import ApiKey
from web.templating import problem_page, templates

PATH = "/admin/api-keys"
NAME_LIMIT = 100
NOTICES = {
    "revoked": "The key {name} is revoked: requests with it are refused from now on.",
    "unchanged": "The key {name} was revoked already.",
}


async def _page(
    request: Request,
    status: int = 200,
    *,
    notice: str = "",
    error: str = "",
    form: dict[str, Any] | None = None,
    new_key: str | None = None,
) -> Response:
    context = {
        "section": "admin-api-keys",
        "keys": await ApiKey.all().order_by("-created_at", "-id"),
        "notice": notice,
        "error": error,
        "form": form or {},
        "new_key": new_key,
        "name_limit": NAME_LIMIT,
    }
    return templates.TemplateResponse(
        request, "console/admin_api_keys.html", context, status_code=status
    )


@requires("admin")
async def show_keys(request: Request) -> Response:
    template = NOTICES.get(request.query_params.get("done", ""))
    notice = template.format(name=request.query_params.get("name", "")) if template else ""
    return await _page(request, notice=notice)


@requires("admin")
async def add_key(request: Request) -> Response:
    form = await request.form()
    name = " ".join(str(form.get("name", "")).split())
    reads_audit = form.get("reads_audit") == "yes"
    values = {"name": name, "reads_audit": reads_audit}
    if not name:
        return await _page(request, 400, error="Name the key after what uses it.", form=values)
    if len(name) > NAME_LIMIT:
        message = f"A key's name has at most {NAME_LIMIT} characters."
        return await _page(request, 400, error=message, form=values)
    row, key = await create_api_key(name, created_by=request.user.email, reads_audit=reads_audit)
    await record(request, "api_key.created", key_target(row), {"reads_audit": reads_audit})
    return await _page(request, 201, notice=f"The key {name} is created.", new_key=key)


async def _key(request: Request) -> ApiKey | None:
    return await ApiKey.get_or_none(id=request.path_params["id"])


def _no_such_key(request: Request) -> Response:
    return problem_page(request, 404, "No such API key", "The key was not found. Nothing changed.")


@requires("admin")
async def confirm_revoke(request: Request) -> Response:
    key = await _key(request)
    if key is None:
        return _no_such_key(request)
    return templates.TemplateResponse(
        request, "console/admin_api_key_revoke.html", {"section": "admin-api-keys", "key": key}
    )


@requires("admin")
async def revoke_key(request: Request) -> Response:
    key = await _key(request)
    if key is None:
        return _no_such_key(request)
    revoked = await ApiKey.filter(id=key.id, revoked_at=None).update(revoked_at=datetime.now(UTC))
    if revoked:
        await record(request, "api_key.revoked", key_target(key))
    query = urlencode({"done": "revoked" if revoked else "unchanged", "name": key.name})
    return RedirectResponse(f"{PATH}?{query}", status_code=303)


routes = [
    Route(PATH, show_keys, methods=["GET"], name="admin_api_keys"),
    Route(PATH, add_key, methods=["POST"], name="admin_add_api_key"),
    Route(
        f"{PATH}/{{id:int}}/revoke", confirm_revoke, methods=["GET"], name="admin_confirm_revoke"
    ),
    Route(f"{PATH}/{{id:int}}/revoke", revoke_key, methods=["POST"], name="admin_revoke_api_key"),
]
