"""CSRF protection for the console's forms: a per-session token, checked by middleware.

Why our own middleware rather than a library: starlette-csrf (the maintained one) does the
double-submit-cookie check against a request *header*, which a plain HTML form cannot send;
the console works without JavaScript, so the token must travel as a form field. And our
sessions live on the server (web/sessions.py), so each session simply keeps a random token
of its own, which is what OWASP recommends ("synchronizer token").

Every unsafe request (POST, PUT, PATCH, DELETE) to a console path must carry the token, as
the form field `csrf_token` or the header `X-CSRF-Token`; without it, or with another, the
answer is a 403 page and the endpoint never runs. Before sign-in (the sign-in form itself)
the token is a random value kept in a signed cookie of its own. The token is masked afresh on
every page (a random pad XORed in) so compressed pages do not leak it (BREACH).
/api/*, /twilio/*, /s/* and /u/* are exempt: see web/paths.py.
"""

from __future__ import annotations

import base64
import hmac
import secrets

from itsdangerous import BadSignature, Signer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.paths import is_console
from web.runtime import Runtime
from web.sessions import current_session

FIELD = "csrf_token"
HEADER = "x-csrf-token"
COOKIE = "touchpoint_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_SALT = "touchpoint.csrf"


def mask(token: str) -> str:
    raw = token.encode()
    pad = secrets.token_bytes(len(raw))
    return base64.urlsafe_b64encode(
        pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    ).decode()


def unmask(masked: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(masked.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return None
    half = len(raw) // 2
    if not half or len(raw) % 2:
        return None
    pad, masked_token = raw[:half], raw[half:]
    try:
        return bytes(a ^ b for a, b in zip(pad, masked_token, strict=True)).decode("ascii")
    except UnicodeDecodeError:
        return None


def expected_token(connection: HTTPConnection) -> str:
    """The token this request's forms must carry: the session's, or the pre-sign-in one."""
    session = current_session(connection)
    if session is not None:
        return session.csrf_token
    return str(connection.scope.get("csrf_anonymous", ""))


def csrf_token(request: Request) -> str:
    """The masked token for a page's forms (empty outside the console)."""
    expected = expected_token(request)
    return mask(expected) if expected else ""


def token_matches(submitted: str | None, expected: str) -> bool:
    found = unmask(submitted) if submitted else None
    return bool(expected) and found is not None and hmac.compare_digest(found, expected)


class CsrfMiddleware:
    """Refuse unsafe console requests without the right token; see the module docstring."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_console(scope["path"]):
            await self.app(scope, receive, send)
            return
        runtime: Runtime = scope["app"].state.runtime
        signer = Signer(runtime.secret_key, salt=_SALT)
        connection = HTTPConnection(scope)
        new_cookie = None
        if current_session(connection) is None:
            anonymous = _unsigned(signer, connection.cookies.get(COOKIE))
            if anonymous is None:
                anonymous = secrets.token_urlsafe(32)
                new_cookie = signer.sign(anonymous).decode()
            scope["csrf_anonymous"] = anonymous
        if new_cookie is not None:
            send = _with_cookie(send, new_cookie, runtime.settings.public_url)
        if scope["method"] not in SAFE_METHODS:
            body = await _read_body(receive)
            if not token_matches(await _submitted(scope, body), expected_token(connection)):
                await _refuse(scope, send, signed_in=current_session(connection) is not None)
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)


def _unsigned(signer: Signer, value: str | None) -> str | None:
    if not value:
        return None
    try:
        return signer.unsign(value).decode()
    except (BadSignature, UnicodeDecodeError):
        return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _submitted(scope: Scope, body: bytes) -> str | None:
    request = Request(scope, _replay(body, _nothing_more))
    if HEADER in request.headers:
        return request.headers[HEADER]
    if request.headers.get("content-type", "").startswith(_FORMS):
        try:
            form = await request.form()
        except (HTTPException, MultiPartException, ValueError):
            return None  # a body that is no form carries no token
        value = form.get(FIELD)
        await form.close()
        return value if isinstance(value, str) else None
    return None


async def _nothing_more() -> Message:
    return {"type": "http.disconnect"}


async def _refuse(scope: Scope, send: Send, *, signed_in: bool) -> None:
    from web.templating import problem_page  # here: templating imports this module

    if signed_in:
        detail = (
            "The form was sent without its security token, or with one that is not yours, so "
            "nothing was changed. Go back, reload the page and send the form again."
        )
    else:
        detail = (
            "You are not signed in (or your session has ended), or the page was open too long, "
            "so nothing was changed. Reload the page, sign in and try again."
        )
    request = Request(scope)
    response = problem_page(request, 403, "Form refused: security token missing or wrong", detail)
    await response(scope, _nothing_more, send)


def _with_cookie(send: Send, value: str, public_url: str) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            secure = "; Secure" if public_url.startswith("https://") else ""
            headers.append(
                "set-cookie", f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
            )
        await send(message)

    return sending
