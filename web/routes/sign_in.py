"""Signing in and out of the console.

Wrong email and wrong password get the same words, so the page does not tell who has an
account. Failures are slowed down per account and per client address (web/sign_in_throttle.py).
`next` brings the person back to the page that asked them to sign in, but only to a path of
this site: anything else (another host, `//host`, a scheme) goes to the home page instead.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from web.access import requires
from web.audit import record, user_actor
from web.runtime import Runtime
from web.sessions import (
    clear_session_cookie,
    current_session,
    end_session,
    set_session_cookie,
    start_session,
)
from web.sign_in_throttle import SignInThrottle, describe_wait
from web.templating import templates
from web.users import check_password

PATH = "/sign-in"
WRONG = "Wrong email or password."
NOTICES = {"signed-out": "You are signed out.", "password": "Sign in with your new password."}


def local_path(target: str | None) -> str:
    """`target` when it is a path on this site, else "/": never a way off the site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    if any(ord(c) < 32 or c == "\\" for c in target):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or parts.path == PATH:
        return "/"
    return target


def sign_in_url(next_path: str) -> str:
    return f"{PATH}?{urlencode({'next': next_path})}" if next_path != "/" else PATH


def throttle(runtime: Runtime) -> SignInThrottle:
    settings = runtime.settings
    return SignInThrottle(
        runtime.redis,
        allowed=settings.sign_in_failures_allowed,
        window_seconds=settings.sign_in_failure_window_minutes * 60,
    )


def client_address(request: Request) -> str:
    """The client's address as uvicorn saw it (behind a trusted proxy: the forwarded one)."""
    return request.client.host if request.client else "unknown"


def _page(
    request: Request,
    status: int = 200,
    *,
    email: str = "",
    error: str = "",
    notice: str = "",
    next_path: str | None = None,
) -> Response:
    """The sign-in form; after a failed try it keeps where the person was going (`next`
    came with the form, not in the query)."""
    return templates.TemplateResponse(
        request,
        "console/sign_in.html",
        {
            "section": "sign-in",
            "email": email,
            "error": error,
            "notice": notice,
            "next": next_path or local_path(request.query_params.get("next")),
        },
        status_code=status,
    )


async def show_sign_in(request: Request) -> Response:
    if request.user.is_authenticated:
        return RedirectResponse(local_path(request.query_params.get("next")), status_code=303)
    return _page(request, notice=NOTICES.get(request.query_params.get("done", ""), ""))


async def sign_in(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    form = await request.form()
    email = str(form.get("email", "")).strip()[:254]
    password = str(form.get("password", ""))[:1024]
    next_path = local_path(str(form.get("next", "")))
    address = client_address(request)
    limiter = throttle(runtime)
    wait = await limiter.wait_seconds(email, address)
    if wait:
        await record(request, "sign_in.failed", email, {"reason": "throttled"})
        message = f"Too many failed sign-ins. Try again in {describe_wait(wait)}."
        return _page(request, 429, email=email, error=message, next_path=next_path)
    user = await check_password(email, password) if email and password else None
    if user is None:
        await record(request, "sign_in.failed", email, {"reason": "wrong email or password"})
        wait = await limiter.failed(email, address)
        locked = f" Too many failed sign-ins: try again in {describe_wait(wait)}." if wait else ""
        return _page(request, 401, email=email, error=WRONG + locked, next_path=next_path)
    await limiter.succeeded(email, address)
    await record(request, "sign_in.succeeded", user.email, actor=user_actor(user))
    if (previous := current_session(request)) is not None:
        await end_session(previous)
    _, cookie = await start_session(user, request, runtime.settings, runtime.secret_key)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, cookie, runtime.settings)
    return response


@requires("authenticated")
async def sign_out(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    if (session := current_session(request)) is not None:
        await end_session(session)
    response = RedirectResponse(f"{PATH}?done=signed-out", status_code=303)
    clear_session_cookie(response, runtime.settings)
    return response


routes = [
    Route(PATH, show_sign_in, methods=["GET"], name="sign_in_page"),
    Route(PATH, sign_in, methods=["POST"], name="sign_in"),
    Route("/sign-out", sign_out, methods=["POST"], name="sign_out"),
]
