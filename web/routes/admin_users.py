"""The admin's users page: who may sign in to the console, with which role.

Admins create users (with a password they choose, or one generated and shown once), change
roles, disable and enable accounts, and reset passwords (a new generated one, shown once).
Disabling or resetting ends the user's sessions at once. The console always keeps one
enabled admin: demoting or disabling the last one is refused, under a lock on the admins'
rows so two admins demoting each other at the same moment cannot both succeed. An admin
cannot disable their own account (another admin must).

Every change is written to the audit log; generated passwords never are.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.transactions import in_transaction

from web.access import ROLES, requires
from web.audit import record
from web.models import User
from web.passwords import WeakPassword, check_strength
from web.sessions import end_sessions_of
from web.templating import problem_page, templates
from web.users import UserError, create_user, normalise_email, set_password

PATH = "/admin/users"
NAME_LIMIT = 100
NOTICES = {
    "role": "{email} is now {role}.",
    "disabled": "{email} is disabled and signed out everywhere.",
    "enabled": "{email} may sign in again.",
}


class LastAdmin(Exception):
    """The change would leave the console with no enabled admin."""


def generated_password() -> str:
    """96 random bits in 16 characters, past the minimum length of web/passwords.py."""
    return secrets.token_urlsafe(12)


async def _page(
    request: Request,
    status: int = 200,
    *,
    notice: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    shown_once: dict[str, str] | None = None,
) -> Response:
    context: dict[str, Any] = {
        "section": "admin-users",
        "users": await User.all().order_by("email"),
        "roles": list(ROLES),
        "notice": notice,
        "errors": errors or {},
        "form": form or {"role": "viewer"},
        "shown_once": shown_once,
    }
    return templates.TemplateResponse(
        request, "console/admin_users.html", context, status_code=status
    )


def _back(done: str, user: User) -> Response:
    query = urlencode({"done": done, "email": user.email, "role": user.role})
    return RedirectResponse(f"{PATH}?{query}", status_code=303)


@requires("admin")
async def show_users(request: Request) -> Response:
    template = NOTICES.get(request.query_params.get("done", ""))
    params = request.query_params
    notice = (
        template.format(email=params.get("email", ""), role=params.get("role", ""))
        if template
        else ""
    )
    return await _page(request, notice=notice)


@requires("admin")
async def add_user(request: Request) -> Response:
    form = await request.form()
    values = {name: str(form.get(name, "")).strip()[:254] for name in ("email", "name", "role")}
    typed = str(form.get("password", ""))[:1024]
    errors = _problems(values, typed)
    if not errors:
        password = typed or generated_password()
        try:
            user = await create_user(values["email"], values["role"], password, values["name"])
        except UserError as error:  # the email is taken
            errors = {"email": str(error)}
    if errors:
        return await _page(request, 400, errors=errors, form=values)
    initial = "typed" if typed else "generated"
    await record(request, "user.created", user.email, {"role": user.role, "initial": initial})
    shown = None if typed else {"email": user.email, "password": password}
    notice = f"{user.email} is created as {user.role}."
    return await _page(request, 201, notice=notice, shown_once=shown)


def _problems(values: dict[str, str], password: str) -> dict[str, str]:
    """Every bad field of the form at once, each to be shown beside its field."""
    errors = {}
    try:
        normalise_email(values["email"])
    except UserError as error:
        errors["email"] = str(error)
    if values["role"] not in ROLES:
        errors["role"] = f"unknown role {values['role']!r}; one of: {', '.join(ROLES)}"
    if len(values["name"]) > NAME_LIMIT:
        errors["name"] = f"a name has at most {NAME_LIMIT} characters"
    if password:
        try:
            check_strength(password)
        except WeakPassword as error:
            errors["password"] = str(error)
    return errors


async def _user(request: Request) -> User | None:
    return await User.get_or_none(id=request.path_params["id"])


async def _enabled_admins() -> int:
    """The enabled admins, their rows locked until the transaction ends (PostgreSQL)."""
    rows = await User.filter(role="admin", disabled_at=None).select_for_update()
    return len(rows)


@requires("admin")
async def change_role(request: Request) -> Response:
    user = await _user(request)
    if user is None:
        return _no_such_user(request)
    role = str((await request.form()).get("role", ""))
    if role not in ROLES:
        return await _page(request, 400, errors={"list": f"Unknown role {role!r}."})
    before = user.role
    try:
        async with in_transaction():
            if before == "admin" and role != "admin" and user.disabled_at is None:
                if await _enabled_admins() <= 1:
                    raise LastAdmin
            await User.filter(id=user.id).update(role=role)
    except LastAdmin:
        return await _last_admin(request, user)
    if role != before:
        await record(request, "user.role_changed", user.email, {"from": before, "to": role})
    user.role = role
    return _back("role", user)


@requires("admin")
async def disable_user(request: Request) -> Response:
    user = await _user(request)
    if user is None:
        return _no_such_user(request)
    if user.id == request.user.id:
        message = "You cannot disable your own account; another admin can."
        return await _page(request, 400, errors={"list": message})
    try:
        async with in_transaction():
            if user.role == "admin" and user.disabled_at is None and await _enabled_admins() <= 1:
                raise LastAdmin
            changed = await User.filter(id=user.id, disabled_at=None).update(
                disabled_at=datetime.now(UTC)
            )
    except LastAdmin:
        return await _last_admin(request, user)
    ended = await end_sessions_of(user.id)
    if changed:
        await record(request, "user.disabled", user.email, {"sessions_ended": ended})
    return _back("disabled", user)


@requires("admin")
async def enable_user(request: Request) -> Response:
    user = await _user(request)
    if user is None:
        return _no_such_user(request)
    if await User.filter(id=user.id, disabled_at__not_isnull=True).update(disabled_at=None):
        await record(request, "user.enabled", user.email)
    return _back("enabled", user)


@requires("admin")
async def reset_password(request: Request) -> Response:
    """A new generated password, shown once; the user's sessions end."""
    user = await _user(request)
    if user is None:
        return _no_such_user(request)
    password = generated_password()
    ended = await set_password(user, password)
    await record(request, "user.password_reset", user.email, {"sessions_ended": ended})
    notice = f"{user.email} has a new password; their sessions ended ({ended})."
    return await _page(
        request, notice=notice, shown_once={"email": user.email, "password": password}
    )


async def _last_admin(request: Request, user: User) -> Response:
    message = f"{user.email} is the last enabled admin; make another admin first."
    return await _page(request, 409, errors={"list": message})


def _no_such_user(request: Request) -> Response:
    return problem_page(request, 404, "No such user", "The user was not found. Nothing changed.")


routes = [
    Route(PATH, show_users, methods=["GET"], name="admin_users"),
    Route(PATH, add_user, methods=["POST"], name="admin_add_user"),
    Route(f"{PATH}/{{id:int}}/role", change_role, methods=["POST"], name="admin_user_role"),
    Route(f"{PATH}/{{id:int}}/disable", disable_user, methods=["POST"], name="admin_disable"),
    Route(f"{PATH}/{{id:int}}/enable", enable_user, methods=["POST"], name="admin_enable"),
    Route(f"{PATH}/{{id:int}}/password", reset_password, methods=["POST"], name="admin_reset"),
]
