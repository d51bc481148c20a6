"""The console of the CX owner: the outbox; the old report address leads to the review.

Read-only pages, server-rendered, plain HTML, for anyone signed in (the "view" scope). The
outbox is how a newcomer running `touchpoint up` sees the messages the console channel
"sent", and clicks their survey links.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from dispatch.channels.registry import channel_named
from dispatch.models import Message
from dispatch.segments import count_segments
from surveys.models import Invitation, InvitationStatus
from web.access import requires
from web.templating import templates

OUTBOX_SIZE = 100
#: Scheduled invitations shown under the outbox, so a newcomer sees what waits and why.
UPCOMING_SIZE = 20
#: A URL in text already escaped: it stops at white space and at an escaped quote or bracket.
_URL = re.compile(r"https?://(?:(?!&#34;|&#39;|&lt;|&gt;)[^\s<>\"'])+")
_TRAILING = ".,;:!?)]}"


def _render(
    request: Request, template: str, section: str, status: int = 200, **context: Any
) -> Response:
    return templates.TemplateResponse(
        request, template, {"section": section, **context}, status_code=status
    )


def linkify(text: str) -> Markup:
    """Escape the text first, then turn each http(s) URL in it into a link.

    Escaping first means nothing in a message body is ever markup; the URL is matched in the
    escaped text, where `&` is already `&amp;`, so it is safe both as the href and as the text.
    """
    escaped = str(escape(text))

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        tail = ""
        while url and url[-1] in _TRAILING:
            url, tail = url[:-1], url[-1] + tail
        return f'<a href="{url}" rel="noreferrer">{url}</a>{tail}'

    return Markup(_URL.sub(link, escaped))


def describe_delay(delay: timedelta) -> str:
    """ "7 days", "1 day 12 hours", "at once": how a CX owner says a touchpoint's delay."""
    minutes = int(delay.total_seconds() // 60)
    if minutes <= 0:
        return "at once"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    return " ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


@requires("view")
async def outbox(request: Request) -> Response:
    messages = (
        await Message.all()
        .order_by("-created_at", "-id")
        .limit(OUTBOX_SIZE)
        .prefetch_related("invitation")
    )
    upcoming = (
        await Invitation.filter(status=InvitationStatus.SCHEDULED)
        .order_by("send_at", "id")
        .limit(UPCOMING_SIZE)
        .prefetch_related("customer", "touchpoint__journey")
    )
    return _render(
        request,
        "console/outbox.html",
        "outbox",
        messages=messages,
        segments={m.id: count_segments(m.body) for m in messages if _billed_per_segment(m)},
        upcoming=upcoming,
        linkify=linkify,
        limit=OUTBOX_SIZE,
    )


def _billed_per_segment(message: Message) -> bool:
    """SMS is billed per segment, also when the console channel stood in for it."""
    asked = channel_named(message.requested_channel or message.channel)
    return asked is not None and asked.counts_segments


@requires("view")
async def report(request: Request) -> Response:
    """The old report page's address (/reports?journey=&period=) leads to the review."""
    key = request.query_params.get("journey")
    if not key:
        return RedirectResponse("/review", status_code=303)
    period = request.query_params.get("period")
    path = f"/review/{quote(key, safe='')}" + (f"/{quote(period, safe='')}" if period else "")
    return RedirectResponse(path, status_code=303)


routes = [
    Route("/outbox", outbox, methods=["GET"], name="console_outbox"),
    Route("/reports", report, methods=["GET"], name="console_report"),
]
