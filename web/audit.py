"""The audit log: who changed what, when, and from which address.

`record(request, action, ...)` is called by every handler that changes something a team
member may later be asked about: sign-ins, users, API keys, journeys, opt-outs, exports and
erasures. The actor is read from the request (the signed-in user, or the API key of an API
call); a caller that knows better passes `actor=` (a sign-in records the user it has just
checked, a Twilio STOP the customer's phone). `record_as(actor, ...)` is for the CLI and the
worker, which have no request.

A row is written after the change it describes, in its own statement: should it fail, the
request fails loudly rather than the change going unrecorded silently. Details never hold a
password, a key or a token: `record` refuses such a field by name, so a careless caller is
caught by its tests rather than by a reader of the log.

Reading: `find_events(filters, page, size)`, newest first, filtered by action (exact when
dotted, "user" for every user.* action), actor (any part of the label, any case) and a time
range [since, until).
"""

from __future__ import annotations

import getpass
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request

from web.models import ApiKey, AuditEvent

ACTOR_KINDS = ("user", "api_key", "system", "customer", "anonymous")
#: The actions recorded today, for the console's filter; other branches of the code may add more.
ACTIONS = (
    "sign_in.succeeded",
    "sign_in.failed",
    "user.created",
    "user.role_changed",
    "user.password_changed",
    "user.password_reset",
    "user.disabled",
    "user.enabled",
    "api_key.created",
    "api_key.revoked",
    "opt_out.created",
    "opt_out.lifted",
    "journey.updated",
    "journey.paused",
    "journey.resumed",
    "journey.rolled_back",
    "customer.exported",
    "customer.erased",
    "webhook.created",
    "webhook.disabled",
    "webhook.enabled",
    "webhook.deleted",
    "webhook.redelivered",
)
_ACTION = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)+")
_ACTION_FILTER = re.compile(r"[a-z][a-z_]*(\.[a-z][a-z_]*)*")
#: Detail fields that would put a secret in the log; matched anywhere in a field's name.
_SECRET_NAMES = ("password", "secret", "token", "api_key", "key_hash")
_LABEL_LIMIT = 254
_TARGET_LIMIT = 300


@dataclass(frozen=True)
class Actor:
    """Who acted: a kind from ACTOR_KINDS, a label a person reads, and an id when there is one."""

    kind: str
    label: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"unknown actor kind {self.kind!r}; one of {', '.join(ACTOR_KINDS)}")


SYSTEM = Actor("system", "system")


def cli_actor() -> Actor:
    """The person at the shell: the CLI has no signed-in user, only the operating system's."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no user name for this uid, as in some containers
        name = "unknown"
    return Actor("system", f"cli:{name}")


def customer(address: str) -> Actor:
    """A customer acting on their own behalf, known by the phone or email they wrote from."""
    return Actor("customer", address)


def user_actor(user: Any) -> Actor:
    """A console user (anything with .id and .email)."""
    return Actor("user", str(user.email), _int_or_none(user.id))


def actor_of(request: Request) -> Actor:
    """The API key of an API call, else the signed-in user, else nobody known."""
    user = request.scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor("anonymous")
    if hasattr(user, "key_id"):  # web.access.ApiClient
        return Actor("api_key", user.name, user.key_id)
    return user_actor(user)


async def record(
    request: Request,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    actor: Actor | None = None,
) -> None:
    """Log an action taken through a request: by whom, from which address, with its request id."""
    await record_as(
        actor or actor_of(request),
        action,
        target,
        detail,
        client_address=request.client.host if request.client else None,
        request_id=(request.headers.get("x-request-id") or "")[:64] or None,
    )


async def record_as(
    actor: Actor,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
    *,
    client_address: str | None = None,
    request_id: str | None = None,
) -> AuditEvent:
    """Log an action with no request behind it (the CLI, the worker); `record` ends here too."""
    if not _ACTION.fullmatch(action):
        raise ValueError(f"an audit action is dotted lower case, like user.created: {action!r}")
    if detail is not None:
        _refuse_secrets(detail, "detail")
    return await AuditEvent.create(
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label[:_LABEL_LIMIT],
        action=action,
        target=target[:_TARGET_LIMIT],
        detail=detail,
        client_address=client_address,
        request_id=request_id,
    )


def _refuse_secrets(value: object, path: str) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            if any(word in str(name).lower() for word in _SECRET_NAMES):
                raise ValueError(f"{path}.{name}: the audit log never stores secrets")
            _refuse_secrets(inner, f"{path}.{name}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _refuse_secrets(inner, f"{path}[{index}]")


def key_target(key: ApiKey) -> str:
    """How an API key is named as a target: its name and id, never the key."""
    return f"{key.name} (key {key.id})"


def _int_or_none(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Filters:
    """What a reader narrows the log to; None means no limit."""

    action: str | None = None
    actor: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def valid_action_filter(text: str) -> bool:
    """An action ("user.created") or a family of them ("user")."""
    return bool(_ACTION_FILTER.fullmatch(text)) and len(text) <= 64


async def find_events(filters: Filters, page: int, size: int) -> tuple[list[AuditEvent], bool]:
    """One page of events, newest first, and whether another page follows."""
    query = AuditEvent.all()
    if filters.action:
        if "." in filters.action:
            query = query.filter(action=filters.action)
        else:
            query = query.filter(action__startswith=filters.action + ".")
    if filters.actor:
        query = query.filter(actor_label__icontains=filters.actor)
    if filters.since is not None:
        query = query.filter(occurred_at__gte=filters.since)
    if filters.until is not None:
        query = query.filter(occurred_at__lt=filters.until)
    rows = await query.order_by("-occurred_at", "-id").offset((page - 1) * size).limit(size + 1)
    return rows[:size], len(rows) > size


def describe(event: AuditEvent) -> dict[str, Any]:
    """An event as the API answers it."""
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": {"kind": event.actor_kind, "id": event.actor_id, "label": event.actor_label},
        "action": event.action,
        "target": event.target,
        "detail": event.detail,
        "client_address": event.client_address,
        "request_id": event.request_id,
    }
