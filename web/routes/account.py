"""The signed-in person's own account: their password.

The current password is asked for, so a browser left signed in cannot lock its owner out;
wrong guesses count towards the sign-in throttle like failed sign-ins. A new password ends
every other session of the user: whoever knew the old one is signed out everywhere.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.access import ConsoleUser, requires
from web.audit import record
from web.models import User
from web.passwords import MIN_LENGTH, verify_password
from web.routes.sign_in import client_address, throttle
from web.runtime import Runtime
from web.sessions import current_session
from web.sign_in_throttle import describe_wait
from web.templating import templates
from web.users import UserError, set_password

PATH = "/account/password"


def _page(
    request: Request, status: int = 200, *, errors: dict[str, str] | None = None, notice: str = ""
) -> Response:
    return templates.TemplateResponse(
        request,
        "console/password.html",
        {"section": "account", "errors": errors or {}, "notice": notice, "min_length": MIN_LENGTH},
        status_code=status,
    )


@requires("authenticated")
async def show_password(request: Request) -> Response:
    ended = request.query_params.get("ended")
    notice = ""
    if ended is not None and ended.isdigit():
        notice = f"Your password is changed. Other sessions ended: {int(ended)}."
    return _page(request, notice=notice)


@requires("authenticated")
async def change_password(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    person: ConsoleUser = request.user
    form = await request.form()
    current = str(form.get("current", ""))[:1024]
    new, again = str(form.get("new", ""))[:1024], str(form.get("again", ""))[:1024]
    limiter, address = throttle(runtime), client_address(request)
    if wait := await limiter.wait_seconds(person.email, address):
        message = f"Too many wrong passwords. Try again in {describe_wait(wait)}."
        return _page(request, 429, errors={"current": message})
    user = await User.get(id=person.id)
    if not verify_password(user.password_hash, current):
        await limiter.failed(person.email, address)
        return _page(request, 400, errors={"current": "This is not your current password."})
    if new != again:
        return _page(request, 400, errors={"again": "The two new passwords differ."})
    try:
        ended = await set_password(user, new, keep=current_session(request))
    except UserError as error:
        return _page(request, 400, errors={"new": str(error).capitalize() + "."})
    await record(request, "user.password_changed", user.email, {"sessions_ended": ended})
    return RedirectResponse(f"{PATH}?ended={ended}", status_code=303)


routes = [
    Route(PATH, show_password, methods=["GET"], name="account_password"),
    Route(PATH, change_password, methods=["POST"], name="account_change_password"),
]
