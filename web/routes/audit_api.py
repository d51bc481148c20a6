"""The audit log through the API: `GET /api/v1/audit`, newest first, 100 a page.

Only a key created with "may read the audit log" reads it (`ApiKey.reads_audit`): the log
names the team's members and the addresses they work from, which an integrator that sends
events has no need to see. Any other key gets 403.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from web.audit import Filters, describe, find_events, valid_action_filter
from web.models import ApiKey
from web.routes.api import ApiError, api

PAGE_SIZE = 100
_EXAMPLE = "2026-07-01T00:00:00Z"


async def list_audit_events(request: Request) -> JSONResponse:
    key = await ApiKey.get_or_none(id=request.user.key_id, revoked_at=None)
    if key is None or not key.reads_audit:
        raise ApiError(403, "this API key may not read the audit log; create one that may")
    params = request.query_params
    action = params.get("action") or None
    if action is not None and not valid_action_filter(action):
        message = "action is dotted lower case, like user.created, or a family, like user"
        raise ApiError(422, message, "action")
    filters = Filters(
        action=action,
        actor=(params.get("actor") or "").strip()[:254] or None,
        since=_moment(params.get("since"), "since"),
        until=_moment(params.get("until"), "until"),
    )
    if filters.since and filters.until and filters.until <= filters.since:
        raise ApiError(422, "until must be later than since", "until")
    page = _page_number(params.get("page", "1"))
    rows, more = await find_events(filters, page, PAGE_SIZE)
    return JSONResponse(
        {"events": [describe(r) for r in rows], "next_page": page + 1 if more else None}
    )


def _moment(text: str | None, name: str) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(422, f"{name} must be an ISO-8601 time, e.g. {_EXAMPLE}", name) from None
    if moment.tzinfo is None:
        raise ApiError(422, f"{name} needs a time zone, e.g. {_EXAMPLE}", name)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ApiError(422, f"{name} is out of range", name) from None


def _page_number(text: str) -> int:
    if not (text.isascii() and text.isdecimal() and len(text) <= 6 and int(text) >= 1):
        raise ApiError(422, "page must be a whole number from 1", "page")
    return int(text)


routes = [Route("/api/v1/audit", api(list_audit_events), methods=["GET"], name="api_audit")]
