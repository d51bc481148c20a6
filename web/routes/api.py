"""The HTTP API (v1): events in; invitations and reports out. Bearer API keys.

The authentication middleware checks the key (web/authentication.py); each endpoint needs
the "api" scope. An ApiError raised anywhere below becomes its JSON answer through the
exception handler of web/app.py.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from redis.exceptions import RedisError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dispatch.delivery import carriers
from dispatch.queue import enqueue_invitations
from journeys.models import Customer, Journey
from journeys.periods import AnyPeriod, current_period, parse_any_period, periods_ending
from surveys.intake import EventResult, take_events
from surveys.invitations import ScheduledInvitation
from surveys.links import survey_url
from surveys.metrics import count_events
from surveys.models import Invitation, InvitationStatus
from surveys.review import check_filters, check_period, review_figures, trend
from surveys.review_filters import ReviewError, ReviewFilters, check_dimension, filters_from_query
from web.access import requires
from web.runtime import Runtime

PAGE_SIZE = 100
#: The largest id a row may have (our ids are PostgreSQL integers, 32-bit): a larger one in
#: a path or parameter finds nothing rather than overflowing the driver.
MAX_ID = 2**31 - 1
JOURNEY_KEY_LENGTH: int = Journey._meta.fields_map["key"].max_length  # type: ignore[attr-defined]
CUSTOMER_ID_LENGTH: int = Customer._meta.fields_map["external_id"].max_length  # type: ignore[attr-defined]
log = logging.getLogger("touchpoint.api")


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.field = status, message, field

    def response(self) -> JSONResponse:
        return error_response(self.status, self.message, self.field)


def error_response(
    status: int, message: str, field: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """The API's one shape of error: {"error": {"message": ..., "field": ...}}."""
    error = {"message": message} | ({"field": field} if field else {})
    return JSONResponse({"error": error}, status_code=status, headers=headers)


Endpoint = Callable[[Request], Awaitable[Response]]


def api(endpoint: Endpoint) -> Endpoint:
    """Every endpoint of the API needs an API key, and takes no NUL character in a parameter:
    PostgreSQL's text cannot hold one, so it is refused here rather than by the driver."""

    @functools.wraps(endpoint)
    async def checked(request: Request) -> Response:
        params = [*request.query_params.multi_items(), *request.path_params.items()]
        for name, value in params:
            if "\x00" in name or "\x00" in str(value):
                raise ApiError(422, "a parameter may not hold a NUL character", name)
        return await endpoint(request)

    return requires("api")(checked)


def one_route(path: str, endpoints: dict[str, Endpoint], name: str | None = None) -> Route:
    """One route for all the methods of a path, so that a 405 lists every one in `Allow`
    (two routes on one path each answer 405 with their own methods only)."""

    async def by_method(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await endpoints[method](request)

    return Route(path, by_method, methods=list(endpoints), name=name)


class NotJson(ValueError):
    pass


def _not_json(name: str) -> Any:
    """Python reads NaN and Infinity; JSON has no such numbers, and PostgreSQL refuses them
    in a JSON column."""
    raise NotJson(f"{name} is not a JSON number")


async def read_json(request: Request) -> Any:
    """The request's JSON body, or a 400 that says what is wrong with it. Text holding a
    NUL character (which PostgreSQL cannot store) is a 422 naming where it is."""
    body = await request.body()
    try:
        found = json.loads(body, parse_constant=_not_json)
    except (UnicodeDecodeError, json.JSONDecodeError, NotJson) as error:
        raise ApiError(400, f"the body is not valid JSON: {error}", "body") from None
    except RecursionError:
        raise ApiError(400, "the body is not valid JSON: nested too deeply", "body") from None
    if b"\\u0000" in body and (where := _nul_at(found, "")) is not None:
        raise ApiError(422, "text may not hold a NUL character (\\u0000)", where or "body")
    return found


def _nul_at(value: Any, path: str) -> str | None:
    """The path of the first key or string holding a NUL character, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, list):
        inside = [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    elif isinstance(value, dict):
        inside = [(f"{path}.{key}".lstrip("."), item) for key, item in value.items()]
        if any("\x00" in key for key in value):
            return path or "body"
    else:
        return None
    return next((f for where, item in inside if (f := _nul_at(item, where)) is not None), None)


async def _read_events(request: Request, limit: int) -> list[Any]:
    payload = await read_json(request)
    events = payload.get("events") if isinstance(payload, dict) else payload
    if not isinstance(events, list):
        raise ApiError(422, 'expected {"events": [...]} or a JSON array of events', "events")
    if not events:
        raise ApiError(422, "the batch is empty", "events")
    if len(events) > limit:
        raise ApiError(413, f"a batch holds at most {limit} events, got {len(events)}", "events")
    return events


async def post_events(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    events = await _read_events(request, settings.journeys.max_events_per_batch)
    results = await take_events(events, default_phone_region=settings.journeys.default_phone_region)
    scheduled = [
        (i.id, i.send_at)
        for r in results
        for i in r.invitations
        if i.status == InvitationStatus.SCHEDULED
    ]
    await _enqueue(runtime, scheduled)
    counts = {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate", "rejected")}
    count_events(counts)
    status = 200 if not counts["rejected"] else 422 if counts["rejected"] == len(results) else 207
    body = {**counts, "results": [_event_result(r, settings.public_url) for r in results]}
    return JSONResponse(body, status_code=status)


async def _enqueue(runtime: Runtime, scheduled: list[tuple[int, datetime]]) -> None:
    """The events are committed already: if Redis is away, the sweeper enqueues them later."""
    if not scheduled:
        return
    try:
        await enqueue_invitations(runtime.redis, scheduled)
    except (OSError, RedisError) as error:
        log.error("could not enqueue %d invitations (the sweeper will): %s", len(scheduled), error)


def _event_result(result: EventResult, public_url: str) -> dict[str, Any]:
    answer: dict[str, Any] = {"index": result.index, "id": result.id, "status": result.status}
    if result.status == "accepted":
        answer["invitations"] = [_scheduled(i, public_url) for i in result.invitations]
    if result.errors:
        answer["errors"] = [e.model_dump() for e in result.errors]
    return answer


def _scheduled(invitation: ScheduledInvitation, public_url: str) -> dict[str, Any]:
    """An invitation intake just wrote, in the shape of `_invitation`: not sent yet."""
    return {
        "id": invitation.id,
        "touchpoint": invitation.touchpoint.key,
        "status": invitation.status.value,
        "reason": invitation.reason,
        "send_at": invitation.send_at.isoformat(),
        "sent_at": None,
        "channel": None,
        "requested_channel": None,
        "link": survey_url(public_url, invitation.token),
    }


def _invitation(
    invitation: Invitation, public_url: str, carried_by: str | None = None
) -> dict[str, Any]:
    """`channel` is the channel that carried the invitation (`console` when the console
    stood in), `requested_channel` the one the touchpoint asked for; both null until sent."""
    return {
        "id": invitation.id,
        "touchpoint": getattr(invitation.touchpoint, "key", None),
        "status": invitation.status.value,
        "reason": invitation.reason,
        "send_at": invitation.send_at.isoformat(),
        "sent_at": invitation.sent_at.isoformat() if invitation.sent_at else None,
        "channel": carried_by,
        "requested_channel": invitation.channel,
        "link": survey_url(public_url, invitation.token),
    }


async def list_invitations(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    query = Invitation.all()
    if customer := request.query_params.get("customer"):
        if len(customer) > CUSTOMER_ID_LENGTH:
            message = f"customer is at most {CUSTOMER_ID_LENGTH} characters"
            raise ApiError(422, message, "customer")
        query = query.filter(customer__external_id=customer)
    if status := request.query_params.get("status"):
        if status not in {s.value for s in InvitationStatus}:
            allowed = ", ".join(s.value for s in InvitationStatus)
            raise ApiError(422, f"unknown status {status!r}; one of: {allowed}", "status")
        query = query.filter(status=status)
    after = min(_int_param(request, "after", 0), MAX_ID)
    rows = (
        await query.filter(id__gt=after)
        .order_by("id")
        .limit(PAGE_SIZE)
        .prefetch_related("touchpoint", "customer")
    )
    carried = await carriers([i.id for i in rows])
    items = [
        _invitation(i, runtime.settings.public_url, carried.get(i.id))
        | {"customer": i.customer.external_id}
        for i in rows
    ]
    next_after = rows[-1].id if len(rows) == PAGE_SIZE else None
    return JSONResponse({"invitations": items, "next_after": next_after})


def _int_param(request: Request, name: str, default: int) -> int:
    value = request.query_params.get(name)
    if value is None:
        return default
    # isascii: "²" and other Unicode digits pass isdigit() but not int().
    if not (value.isascii() and value.isdigit()) or len(value) > 18:
        raise ApiError(422, f"{name} must be a whole number", name)
    return int(value)


async def touchpoint_scores(request: Request) -> Response:
    """The review's figures of one period: per touchpoint and for the whole journey,
    optionally broken down (`by`) and narrowed (the review's filters), as JSON or CSV."""
    runtime: Runtime = request.app.state.runtime
    journey = await _journey(request)
    period = _period(request.query_params.get("period"), journey)
    answer_as = request.query_params.get("format") or "json"
    if answer_as not in ("json", "csv"):
        raise ApiError(422, f"format is json or csv, not {answer_as!r}", "format")
    filters, by = await _review_filters(request, journey)
    review = await review_figures(
        journey.key,
        period,
        filters=filters,
        by=by,
        min_sample=runtime.settings.surveys.min_sample,
    )
    if answer_as == "csv":
        name = f"{journey.key}-{period}{f'-by-{by}' if by else ''}.csv"
        return Response(
            review.csv_text(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{_safe(name)}"'},
        )
    return JSONResponse(review.as_dict())


#: The most periods a trend reads at once (two years of months, a year of weeks and more).
MAX_TREND_PERIODS = 60


async def touchpoint_trend(request: Request) -> JSONResponse:
    """Figures per touchpoint over the `periods` periods ending with `period`, oldest
    first, each with its change on the period before."""
    runtime: Runtime = request.app.state.runtime
    journey = await _journey(request)
    last = _period(request.query_params.get("period"), journey)
    count = _int_param(request, "periods", 8)
    if not 1 <= count <= MAX_TREND_PERIODS:
        raise ApiError(422, f"periods is 1 to {MAX_TREND_PERIODS}, not {count}", "periods")
    filters, _ = await _review_filters(request, journey, breakdown=False)
    try:
        periods = periods_ending(last, count)
        check_period(periods[0], journey.timezone, "periods")
    except ReviewError as error:
        raise ApiError(422, error.message, error.field) from None
    except (ValueError, OverflowError):
        message = f"{count} periods up to {last} go back before year 1"
        raise ApiError(422, message, "periods") from None
    found = await trend(
        journey.key, periods, filters=filters, min_sample=runtime.settings.surveys.min_sample
    )
    return JSONResponse(
        {
            "journey": journey.key,
            "name": journey.name,
            "timezone": journey.timezone,
            "kind": last.kind,
            "periods": [str(p) for p in periods],
            "count_by": filters.count_by,
            "filters": filters.as_query(),
            "series": {
                key: [{"period": str(p), **figures.as_dict()} for p, figures in series]
                for key, series in found.items()
            },
        }
    )


async def find_journey(key: str) -> Journey | None:
    """A key longer than the column finds no journey, rather than failing the ORM's check."""
    if len(key) > JOURNEY_KEY_LENGTH:
        return None
    return await Journey.get_or_none(key=key)


async def _journey(request: Request) -> Journey:
    key = request.query_params.get("journey")
    if not key:
        raise ApiError(422, "name a journey: ?journey=<key>", "journey")
    journey = await find_journey(key)
    if journey is None:
        raise ApiError(404, f"no journey with key {key!r}", "journey")
    return journey


async def _review_filters(
    request: Request, journey: Journey, *, breakdown: bool = True
) -> tuple[ReviewFilters, str | None]:
    """The review's filters and breakdown from the query, checked against the journey: a
    touchpoint, segment or attribute it does not have is a 422 naming the parameter, like
    every bad query parameter of the API (400 is for a body that is not JSON)."""
    try:
        filters = filters_from_query(request.query_params)
        by = check_dimension(request.query_params.get("by")) if breakdown else None
        await check_filters(journey.key, filters, by)
    except ReviewError as error:
        raise ApiError(422, error.message, error.field) from None
    return filters, by


def _safe(name: str) -> str:
    """A file name for Content-Disposition: what a header and a file system both take."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name)


def _period(text: str | None, journey: Journey) -> AnyPeriod:
    """The quarter, month or ISO week asked for, or the current quarter in the journey's
    time zone."""
    if not text:
        return current_period(datetime.now(UTC), ZoneInfo(journey.timezone))
    try:
        found = parse_any_period(text)
        check_period(found, journey.timezone)
    except ReviewError as error:
        raise ApiError(422, error.message, error.field) from None
    except ValueError as error:
        raise ApiError(422, str(error), "period") from None
    return found


routes = [
    Route("/api/v1/events", api(post_events), methods=["POST"]),
    Route("/api/v1/invitations", api(list_invitations), methods=["GET"]),
    Route("/api/v1/reports/touchpoints", api(touchpoint_scores), methods=["GET"]),
    Route("/api/v1/reports/trend", api(touchpoint_trend), methods=["GET"]),
]
