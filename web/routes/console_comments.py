"""The comments page: what customers of a journey wrote, newest first, for anyone signed in.

`/review/{journey}/comments` narrows by touchpoint, period or since/until, segment, theme,
sentiment and NPS group (web/answer_query.py reads them, as the API does), shows each
comment with its score, touchpoint, date in the journey's time zone, themes and sentiment,
in the language it was written in (`lang`, so the browser picks the right font), and pages
on with the API's cursor. `/review/{journey}/comments.csv` downloads the answers of the same
filters through the API's CSV writer (web/exports.py). Comments are customers' words:
the template escapes them like any text, so markup in a comment shows as text.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from tortoise.exceptions import DoesNotExist

from journeys.models import Journey, Touchpoint
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from surveys.comments import (
    SCORE_GROUPS,
    SENTIMENTS,
    Comment,
    decode_cursor,
    encode_cursor,
    page_answers,
)
from surveys.review_filters import ReviewError
from web.access import requires
from web.answer_query import answer_query
from web.audit import record
from web.exports import EXPORTED, csv_response
from web.templating import problem_page, templates

PAGE_SIZE = 50


async def _journey(request: Request) -> Journey | None:
    return await Journey.get_or_none(key=request.path_params["journey"])


def _no_journey(request: Request) -> Response:
    key = request.path_params["journey"]
    return problem_page(
        request, 404, "No such journey", f"There is no journey with the key {key!r}."
    )


@requires("view")
async def show_comments(request: Request) -> Response:
    journey = await _journey(request)
    if journey is None:
        return _no_journey(request)
    timezone = ZoneInfo(journey.timezone)
    params = request.query_params
    comments: list[Comment] = []
    next_cursor = None
    error = None
    try:
        query = replace(answer_query(journey.key, params), comments_only=True)
        after = decode_cursor(params["cursor"]) if params.get("cursor") else None
        comments, next_id = await page_answers(
            journey.key, **query.narrowing(timezone), after_id=after, limit=PAGE_SIZE
        )
        next_cursor = encode_cursor(next_id) if next_id is not None else None
    except ReviewError as refused:
        error = refused
    keep = _kept(params)
    definition = await _definition(journey)
    return templates.TemplateResponse(
        request,
        "console/comments.html",
        {
            "section": "reports",
            "journey": journey,
            "touchpoints": await _touchpoint_keys(journey, definition),
            "themes": _theme_names(definition),
            "sentiments": SENTIMENTS,
            "groups": list(SCORE_GROUPS),
            "chosen": keep,
            "error": error,
            "comments": [_shown(c, timezone) for c in comments],
            "first_page": bool(params.get("cursor")),
            "newest_url": _url(journey.key, keep),
            "next_url": _url(journey.key, keep, cursor=next_cursor) if next_cursor else None,
            "csv_url": _url(journey.key, keep, suffix=".csv"),
            "csv_comments_url": _url(journey.key, keep | {"comments": "only"}, suffix=".csv"),
        },
        status_code=400 if error else 200,
    )


_KEPT = ("touchpoint", "period", "since", "until", "segment", "theme", "sentiment", "group")


def _kept(params: Any) -> dict[str, str]:
    """The filters as chosen (to fill the form and the links), without the cursor."""
    return {name: params[name] for name in _KEPT if params.get(name)}


def _url(key: str, chosen: dict[str, str], *, cursor: str | None = None, suffix: str = "") -> str:
    query = chosen | ({"cursor": cursor} if cursor else {})
    return f"/review/{key}/comments{suffix}" + (f"?{urlencode(query)}" if query else "")


def _shown(comment: Comment, timezone: ZoneInfo) -> dict[str, Any]:
    return {
        "comment": comment,
        "local": comment.answered_at.astimezone(timezone).strftime("%Y-%m-%d %H:%M"),
        "iso": comment.answered_at.isoformat(),
    }


async def _definition(journey: Journey) -> JourneyDefinition | None:
    try:
        return await journey_definition(journey)
    except DoesNotExist:
        return None


async def _touchpoint_keys(journey: Journey, definition: JourneyDefinition | None) -> list[str]:
    """In the definition's order, the order the review shows them."""
    if definition is not None:
        return [tp.key for tp in definition.touchpoints]
    return sorted(await Touchpoint.filter(journey_id=journey.id).values_list("key", flat=True))


def _theme_names(definition: JourneyDefinition | None) -> list[str]:
    """The themes to suggest: the journey's own taxonomy's, else the default retail one."""
    if definition is not None and definition.themes:
        return sorted(definition.themes)
    try:
        from surveys.feedback import DEFAULT_THEMES  # the feedback analysis, once merged
    except ImportError:
        return []
    return sorted(DEFAULT_THEMES)


@requires("view")
async def download_answers(request: Request) -> Response:
    journey = await _journey(request)
    if journey is None:
        return _no_journey(request)
    timezone = ZoneInfo(journey.timezone)
    try:
        query = answer_query(journey.key, request.query_params)
        download = await csv_response(query, timezone)
    except ReviewError as refused:
        return problem_page(request, 400, "Not a filter the answers can take", str(refused))
    await record(request, EXPORTED, journey.key, {"filters": query.as_query(), "via": "console"})
    return download


routes = [
    Route("/review/{journey}/comments", show_comments, methods=["GET"], name="console_comments"),
    Route(
        "/review/{journey}/comments.csv",
        download_answers,
        methods=["GET"],
        name="console_comments_csv",
    ),
]
