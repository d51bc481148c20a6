"""The one Jinja2Templates of every page: console, survey and unsubscribe.

Every template gets `csrf_token` (masked afresh for each page; web/csrf.py) and `user`
(request.user). Undefined names are errors, not empty strings, so a page that forgets a
value fails its test instead of rendering a blank.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from web.csrf import csrf_token

TEMPLATES = Path(__file__).resolve().parent / "templates"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def _context(request: Request) -> dict[str, Any]:
    user = request.scope.get("user")
    return {"csrf_token": csrf_token(request), "user": user}


environment = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters["utc"] = utc
templates = Jinja2Templates(env=environment, context_processors=[_context])


def problem_page(request: Request, status: int, title: str, detail: str) -> Response:
    """A console page that says what went wrong, with the status that says it to machines."""
    return templates.TemplateResponse(
        request,
        "console/message.html",
        {"section": "", "title": title, "detail": detail},
        status_code=status,
    )
