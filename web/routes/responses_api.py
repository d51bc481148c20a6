"""`GET /api/v1/responses`: the answers of a journey, with what customers wrote.

JSON pages newest first, `{"responses": [...], "next": "<cursor>"|null}`, the next page's
URL also in a `Link: <...>; rel="next"` header; pass `cursor` back unchanged. With
`format=csv` (or `Accept: text/csv`) the whole filtered range is streamed as one CSV, oldest
first, whatever the cursor and limit (web/exports.py says how the CSV is written). The
filters are those of web/answer_query.py; a bad one is a 422 naming it, as every other API
endpoint answers a bad parameter, and an unknown journey a 404.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from surveys.comments import DEFAULT_LIMIT, MAX_LIMIT, decode_cursor, encode_cursor, page_answers
from surveys.review_filters import ReviewError
from web.answer_query import answer_query
from web.audit import record
from web.exports import EXPORTED, csv_response
from web.routes.api import ApiError, api, find_journey


async def responses(request: Request) -> Response:
    params = request.query_params
    key = (params.get("journey") or "").strip()
    if not key:
        raise ApiError(422, "name a journey: ?journey=<key>", "journey")
    journey = await find_journey(key)
    if journey is None:
        raise ApiError(404, f"no journey with key {key!r}", "journey")
    timezone = ZoneInfo(journey.timezone)
    try:
        query = answer_query(key, params)
        wants_csv = _wants_csv(request)
        after_id = decode_cursor(params["cursor"]) if params.get("cursor") else None
        limit = _limit(params.get("limit"))
        if wants_csv:
            download = await csv_response(query, timezone)
            await record(request, EXPORTED, key, {"filters": query.as_query(), "via": "api"})
            return download
        page, next_id = await page_answers(
            key, **query.narrowing(timezone), after_id=after_id, limit=limit
        )
    except ReviewError as error:
        raise ApiError(422, error.message, error.field) from None
    except LookupError as error:
        raise ApiError(404, str(error), "journey") from None
    cursor = encode_cursor(next_id) if next_id is not None else None
    headers = {}
    if cursor is not None:
        headers["Link"] = f'<{request.url.include_query_params(cursor=cursor)}>; rel="next"'
    body = {"responses": [c.as_dict() for c in page], "next": cursor}
    return JSONResponse(body, headers=headers)


def _wants_csv(request: Request) -> bool:
    chosen = request.query_params.get("format")
    if chosen is not None:
        if chosen not in ("json", "csv"):
            raise ReviewError("format", f"json or csv, not {chosen!r}")
        return chosen == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _limit(text: str | None) -> int:
    if text is None or not text.strip():
        return DEFAULT_LIMIT
    text = text.strip()
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= MAX_LIMIT):
        raise ReviewError("limit", f"a whole number from 1 to {MAX_LIMIT}, not {text!r}")
    return int(text)


routes = [Route("/api/v1/responses", api(responses), methods=["GET"])]
