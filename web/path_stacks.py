"""Two middleware stacks in one app: the survey links get only the layers they use.

Every request used to pass all nine layers. On a survey link (`/s/`) four of them have
nothing to do: the console's security headers (the survey page sets its own), the
authentication (a link's token is its only credential; no cookie or key is read there),
the CSRF check (links are exempt: web/csrf.py) and the reports' replica marker. Each was a
pass-through, but each was still a call, a closure or a Request built per request on the
page customers open most. So requests under the lean prefixes go through the lean stack,
every other request through the full one; both end in the same router and exception
handlers, so a page is served the same whichever way it came.

What the lean path skips must stay a pass-through for its prefixes: tests/web/
test_path_stacks.py holds the full stack's answers and the lean one's to be the same.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.authentication import AuthCredentials, UnauthenticatedUser
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send


def build(app: ASGIApp, layers: Sequence[Middleware]) -> ASGIApp:
    """`layers` around `app`, the first outermost (as Starlette stacks them)."""
    for cls, args, kwargs in reversed(layers):
        app = cls(app, *args, **kwargs)
    return app


class PathStacks:
    """Send requests under `prefixes` through `lean`, all others through `full`."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        prefixes: tuple[str, ...],
        lean: Sequence[Middleware],
        full: Sequence[Middleware],
    ) -> None:
        self.prefixes = prefixes
        self.lean = build(_Anonymous(app), lean)
        self.full = build(app, full)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith(self.prefixes):
            await self.lean(scope, receive, send)
        else:
            await self.full(scope, receive, send)


class _Anonymous:
    """What the authentication layer gives a path it has no credential for: nobody
    signed in, so `request.user` and `request.auth` work on the lean path too."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["auth"], scope["user"] = AuthCredentials(), UnauthenticatedUser()
        await self.app(scope, receive, send)
