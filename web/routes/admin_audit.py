"""The admin's audit log page: who did what, when and from where, newest first, 50 a page.

Filters: an action ("user.created") or a family ("user"), any part of the actor's email or
key name, and a range of days in UTC, both ends included. A bad filter re-shows the page
with the filter's error and no rows, answered 400.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from web.access import requires
from web.audit import ACTIONS, Filters, find_events, valid_action_filter
from web.models import AuditEvent
from web.templating import templates

PATH = "/admin/audit"
PAGE_SIZE = 50
FIELDS = ("action", "actor", "from", "to")


class BadFilter(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _day(text: str, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadFilter(field, "Give a day as YYYY-MM-DD, e.g. 2026-11-20.") from None


def parse_filters(values: dict[str, str]) -> Filters:
    """The filters typed into the page; raises BadFilter naming the field."""
    action = values["action"] or None
    if action is not None and not valid_action_filter(action):
        raise BadFilter("action", "An action reads like user.created, or a family like user.")
    start, end = _day(values["from"], "from"), _day(values["to"], "to")
    if start and end and end < start:
        raise BadFilter("to", "The last day comes before the first.")
    return Filters(
        action=action,
        actor=values["actor"] or None,
        since=datetime.combine(start, time(), UTC) if start else None,
        until=datetime.combine(end + timedelta(days=1), time(), UTC) if end else None,
    )


def _page_number(text: str) -> int:
    if not (text.isascii() and text.isdecimal() and len(text) <= 6 and int(text) >= 1):
        raise BadFilter("page", "The page is a whole number from 1.")
    return int(text)


def pretty(detail: object) -> str:
    return json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else ""


@requires("admin")
async def show_audit(request: Request) -> Response:
    values = {name: request.query_params.get(name, "").strip()[:254] for name in FIELDS}
    rows: list[AuditEvent] = []
    more, error, page = False, None, 1
    try:
        filters = parse_filters(values)
        page = _page_number(request.query_params.get("page", "1"))
        rows, more = await find_events(filters, page, PAGE_SIZE)
    except BadFilter as bad:
        error = bad
    context: dict[str, Any] = {
        "section": "admin-audit",
        "rows": [(row, pretty(row.detail)) for row in rows],
        "values": values,
        "actions": ACTIONS,
        "error": error,
        "page": page,
        "newer": _link(values, page - 1) if page > 1 and not error else None,
        "older": _link(values, page + 1) if more else None,
    }
    status = 400 if error else 200
    return templates.TemplateResponse(
        request, "console/admin_audit.html", context, status_code=status
    )


def _link(values: dict[str, str], page: int) -> str:
    query = {k: v for k, v in values.items() if v} | ({"page": str(page)} if page > 1 else {})
    return f"{PATH}?{urlencode(query)}" if query else PATH


routes = [Route(PATH, show_audit, methods=["GET"], name="admin_audit")]
