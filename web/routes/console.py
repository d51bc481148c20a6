"""The console of the CX owner: the outbox, and each journey's report.

Read-only pages, server-rendered, plain HTML, for anyone signed in (the "view" scope). The
outbox is how a newcomer running `touchpoint up` sees the messages the console channel
"sent", and clicks their survey links.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dispatch.models import Message
from dispatch.segments import count_segments
from journeys.models import Journey
from journeys.periods import Period, current_period, parse_period
from surveys.models import Invitation, InvitationStatus
from surveys.reports import JourneyReport, TouchpointRow, touchpoint_report
from surveys.scoring import Change
from web.access import requires
from web.templating import problem_page, templates

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
        segments={m.id: count_segments(m.body) for m in messages if _went_as_sms(m)},
        upcoming=upcoming,
        linkify=linkify,
        limit=OUTBOX_SIZE,
    )


def _went_as_sms(message: Message) -> bool:
    """SMS is billed per segment; the console channel stands in for SMS to a phone number."""
    return message.channel == "sms" or (
        message.channel == "console" and message.recipient.startswith("+")
    )


@requires("view")
async def report(request: Request) -> Response:
    key = request.query_params.get("journey")
    if not key:
        journeys = await Journey.filter(active=True).order_by("key")
        return _render(request, "console/choose.html", "reports", journeys=journeys)
    journey = await Journey.get_or_none(key=key)
    if journey is None:
        return problem_page(
            request, 404, "No such journey", f"There is no journey with the key {key!r}."
        )
    text = request.query_params.get("period")
    try:
        period = (
            parse_period(text)
            if text is not None
            else current_period(datetime.now(UTC), ZoneInfo(journey.timezone))
        )
    except ValueError as error:
        return problem_page(request, 400, "Not a period", str(error))
    min_sample = request.app.state.runtime.settings.surveys.min_sample
    found = await touchpoint_report(key, period, min_sample=min_sample)
    return _render(
        request,
        "console/report.html",
        "reports",
        report=found,
        rows=[_row_cells(row) for row in found.rows],
        previous=period.previous(),
        next=period.next(),
        current=current_period(datetime.now(UTC), ZoneInfo(journey.timezone)),
        bounds=_local_bounds(found, period),
    )


def _local_bounds(found: JourneyReport, period: Period) -> str:
    zone = ZoneInfo(found.timezone)
    start, end = (moment.astimezone(zone) for moment in period.bounds(zone))
    last_day = end - timedelta(days=1)
    return f"{start:%Y-%m-%d} to {last_day:%Y-%m-%d} ({found.timezone})"


def _change(found: Change | None) -> tuple[str, str]:
    if found is None:
        return "—", ""
    return f"{found.delta:+.1f}", "significant" if found.significant else "within the noise"


def _met(found: bool | None) -> str:
    return "—" if found is None else "✓" if found else "✗"


def _row_cells(row: TouchpointRow) -> dict[str, Any]:
    """The row as the table shows it; every score carries its n and its interval."""
    nps, csat = row.nps, row.csat
    return {
        "touchpoint": row.touchpoint,
        "stage": row.stage,
        "n": row.n,
        "nps_n": nps.n,
        "nps": "—" if nps.score is None else f"{nps.score:+.1f}",
        "nps_margin": "" if nps.margin is None else f"± {nps.margin:.1f}",
        "nps_interval": "" if nps.low is None else f"{nps.low:+.1f} to {nps.high:+.1f}",
        "nps_low_sample": nps.score is not None and nps.low_sample,
        "csat": "—" if csat.score is None else f"{csat.score:.1f}%",
        "csat_n": csat.n,
        "csat_interval": "" if csat.low is None else f"{csat.low:.1f}% to {csat.high:.1f}%",
        "csat_low_sample": csat.score is not None and csat.low_sample,
        "rate": "—" if row.response_rate is None else f"{row.response_rate:.1f}%",
        "responses": row.responses,
        "sent": row.sent,
        "nps_change": _change(row.nps_change),
        "csat_change": _change(row.csat_change),
        "nps_target": row.targets.nps,
        "csat_target": row.targets.csat,
        "nps_met": _met(row.nps_target_met),
        "csat_met": _met(row.csat_target_met),
    }


routes = [
    Route("/outbox", outbox, methods=["GET"], name="console_outbox"),
    Route("/reports", report, methods=["GET"], name="console_report"),
]
