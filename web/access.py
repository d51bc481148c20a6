"""Who may do what in the console: roles, the scopes each grants, and `requires`.

The authentication middleware (web/authentication.py) puts the signed-in person on
`request.user` and their scopes on `request.auth.scopes`; an endpoint names the scope it
needs with `@requires("view")`. The exception handlers of web/app.py turn a refusal into a
redirect to the sign-in page, a 403 page naming the role needed, or a JSON error for the API.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.authentication import BaseUser
from starlette.requests import Request
from starlette.responses import Response

#: The scopes each role grants. "cases" is the follow-up work of agents; "admin" is users,
#: API keys, settings and the audit log.
ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({"authenticated", "view"}),
    "agent": frozenset({"authenticated", "view", "cases"}),
    "editor": frozenset({"authenticated", "view", "edit"}),
    "admin": frozenset({"authenticated", "view", "edit", "cases", "admin"}),
}
#: What an API key may do: the /api/* endpoints, and nothing in the console.
API_SCOPES = frozenset({"api"})


class ConsoleUser(BaseUser):
    """A signed-in person, as the pages see them (the session row stays in web/sessions.py)."""

    def __init__(self, id: int, email: str, role: str, display_name: str = "") -> None:
        self.id, self.email, self.role = id, email, role
        self._display_name = display_name

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self._display_name or self.email

    @property
    def identity(self) -> str:
        return self.email


class ApiClient(BaseUser):
    """An integrator's API key: a principal of its own, with the API's scopes only."""

    def __init__(self, key_id: int, name: str) -> None:
        self.key_id, self.name = key_id, name

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return f"API key {self.name}"

    @property
    def identity(self) -> str:
        return f"api-key:{self.key_id}"


class SignInRequired(Exception):
    """Nobody is signed in (or no API key was sent) where somebody must be."""


class NotAllowed(Exception):
    """Signed in, but the role does not grant the scope."""

    def __init__(self, scope: str) -> None:
        super().__init__(f"needs the {scope!r} scope")
        self.scope = scope


def roles_granting(scope: str) -> list[str]:
    """The roles that grant a scope, for the refusal page: "editor or admin"."""
    return [role for role, scopes in ROLES.items() if scope in scopes]


Endpoint = Callable[[Request], Awaitable[Response]]


def requires(scope: str) -> Callable[[Endpoint], Endpoint]:
    """Let the endpoint run only for a principal holding `scope`."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def guarded(request: Request) -> Response:
            if not request.user.is_authenticated:
                raise SignInRequired()
            if scope not in request.auth.scopes:
                raise NotAllowed(scope)
            return await endpoint(request)

        return guarded

    return decorate
