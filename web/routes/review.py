"""The quarterly review page: one journey, one period, everything the review room reads.

`GET /review/{journey}/{period}` (the period defaults to the quarter under way in the
journey's time zone; a month, 2026-10, or an ISO week, 2026-W42, works too), for anyone
signed in to the console. The same filters as the API (`surveys.review_filters`), `by=` for
a breakdown and `count_by=answered|interaction`. Beside the page, for a console session
(the API's own routes want an API key):

- `/review/{journey}/{period}/export.csv` and `.json`: the figures, as the API gives them;
- `/review/{journey}/{period}/answers.csv`: every answer of the period under the filters,
  streamed in batches by the one answers CSV writer (`web.exports`), never built in memory;
- `/review/{journey}/{period}/charts/{name}.svg|png`: each chart, for slides.

Bad input is a page that says what was wrong: an unknown journey 404, a malformed period or
an unknown touchpoint, segment or attribute 400 naming it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from journeys.models import Journey
from journeys.periods import (
    AnyPeriod,
    parse_any_period,
    period_containing,
    periods_ending,
)
from journeys.store import journey_definition
from surveys.review import Review, check_filters, review_figures, trend
from surveys.review_filters import BUILT_IN_DIMENSIONS, ReviewError, filters_from_query
from web import charts, review_sections
from web.access import requires
from web.answer_query import AnswerQuery
from web.exports import csv_response
from web.journey_map import journey_map
from web.review_view import (
    TREND_PERIODS,
    breakdown_rows,
    described_filters,
    map_rows,
    mix_chart,
    silent_touchpoints,
    table_rows,
    touchpoint_names,
    trend_charts,
)
from web.templating import problem_page, templates

CHART_FORMATS = {"svg": "image/svg+xml", "png": "image/png"}


class Refused(Exception):
    """Bad input, already worded as the page that answers it."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail


async def _journey(key: str) -> Journey:
    journey = await Journey.get_or_none(key=key)
    if journey is None:
        raise Refused(404, "No such journey", f"There is no journey with the key {key!r}.")
    return journey


def _period(journey: Journey, text: str | None) -> AnyPeriod:
    zone = ZoneInfo(journey.timezone)
    if not text:
        return period_containing(datetime.now(UTC), zone)
    try:
        period = parse_any_period(text)
    except ValueError as error:
        raise Refused(400, "Not a period", f"period: {error}") from None
    try:  # the page reads eight periods back and links to the next one
        periods_ending(period, TREND_PERIODS)[0].previous().bounds(zone)
        period.next().bounds(zone)
    except (ValueError, OverflowError):
        detail = f"period: {period} is too far in the past or the future to review"
        raise Refused(400, "Not a period", detail) from None
    return period


async def _review(request: Request) -> tuple[Journey, Review]:
    """The figures the page, its exports and its charts share, after checking every filter."""
    journey = await _journey(request.path_params["journey"])
    period = _period(journey, request.path_params.get("period"))
    by = request.query_params.get("by") or None
    try:
        filters = filters_from_query(request.query_params)
        await check_filters(journey.key, filters, by)
    except ReviewError as error:
        raise Refused(400, f"Cannot review by this {error.field}", str(error)) from None
    min_sample = request.app.state.runtime.settings.surveys.min_sample
    review = await review_figures(
        journey.key, period, filters=filters, by=by, min_sample=min_sample
    )
    return journey, review


async def _trends(review: Review) -> tuple[list[charts.TrendChart], list[str]]:
    """The trend charts, and the touchpoints with no answers in the whole trend."""
    periods = periods_ending(review.period, TREND_PERIODS)
    series = await trend(
        review.journey, periods, filters=review.filters, min_sample=review.min_sample
    )
    names = touchpoint_names(review)
    return trend_charts(series, names, review.min_sample), silent_touchpoints(series, names)


async def _all_charts(review: Review) -> tuple[list[charts.Chart], list[str]]:
    trends, silent = await _trends(review)
    return [*trends, mix_chart(review)], silent


def _context_key(review: Review) -> tuple[Any, ...]:
    return (review.journey, str(review.period), review.filters, review.by)


def _query(request: Request, **changes: str | None) -> str:
    """This page's query with some parameters changed (None drops one), for links."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    pairs += [(k, v) for k, v in changes.items() if v is not None]
    return "?" + urlencode(pairs) if pairs else ""


def _compare(request: Request) -> str | None:
    return (request.query_params.get("compare") or "").strip() or None


def _refused(request: Request, refused: Refused) -> Response:
    return problem_page(request, refused.status, refused.title, refused.detail)


@requires("view")
async def choose(request: Request) -> Response:
    journeys = await Journey.filter(active=True).order_by("key")
    return templates.TemplateResponse(
        request, "console/review_choose.html", {"section": "reports", "journeys": journeys}
    )


@requires("view")
async def current(request: Request) -> Response:
    """The quarter under way; `?period=` (from the page's form) names another."""
    try:
        journey = await _journey(request.path_params["journey"])
        period = _period(journey, request.query_params.get("period"))
    except Refused as refused:
        return _refused(request, refused)
    target = f"/review/{journey.key}/{period}{_query(request, period=None)}"
    return RedirectResponse(target, status_code=303)


@requires("view")
async def page(request: Request) -> Response:
    if request.query_params.get("period"):
        return await current(request)
    try:
        journey, review = await _review(request)
    except Refused as refused:
        return _refused(request, refused)
    zone = ZoneInfo(review.timezone)
    drawn, silent = await _all_charts(review)
    definition = await journey_definition(journey)
    if review.filters.touchpoint:  # the map shows what is reviewed, not "no answers" elsewhere
        shown = [t for t in definition.touchpoints if t.key == review.filters.touchpoint]
        definition = definition.model_copy(update={"touchpoints": shown})
    start, end = review.period.bounds(zone)
    base = f"/review/{journey.key}/{review.period}"
    other_count = "interaction" if review.filters.count_by == "answered" else None
    now = datetime.now(UTC)
    try:
        loaded = [
            await review_sections.feedback(review),
            await review_sections.outlook(review, now),
            await review_sections.experiments(review, _compare(request)),
            await review_sections.follow_ups(review, now),
        ]
    except ReviewError as error:
        return _refused(request, Refused(400, f"Cannot compare by this {error.field}", str(error)))
    sections = [section for section in loaded if section is not None]
    themes = next(
        (s.context["themes_chart"] for s in sections if "themes_chart" in s.context), None
    )
    if themes is not None:
        drawn.append(themes)
    key = _context_key(review)
    svgs = await run_in_threadpool(
        lambda: {c.name: Markup(charts.cached_svg(key, c)) for c in drawn}
    )
    return templates.TemplateResponse(
        request,
        "console/review.html",
        {
            "section": "reports",
            "review": review,
            "journey": journey,
            "base": base,
            "bounds": (start.astimezone(zone), end.astimezone(zone)),
            "previous": review.period.previous(),
            "next": review.period.next(),
            "current": period_containing(datetime.now(UTC), zone, review.period.kind),
            "rows": table_rows(review),
            "groups": breakdown_rows(review) if review.by else [],
            "stages": journey_map(definition, map_rows(review), review.min_sample),
            "trend_charts": [c for c in drawn if isinstance(c, charts.TrendChart)],
            "mix": next(c for c in drawn if isinstance(c, charts.MixChart)),
            "svgs": svgs,
            "silent": silent,
            "filters_said": described_filters(review),
            "query": _query(request),
            "other_count_link": base + _query(request, count_by=other_count),
            "dimensions": BUILT_IN_DIMENSIONS,
            "touchpoint_keys": [found.key for found in review.touchpoints],
            "one_day": timedelta(days=1),
            "extra_sections": [section.template for section in sections],
            "compare": _compare(request) or "",
            **{name: value for section in sections for name, value in section.context.items()},
        },
    )


@requires("view")
async def export_figures(request: Request) -> Response:
    try:
        _, review = await _review(request)
    except Refused as refused:
        return _refused(request, refused)
    name = f"{review.journey}-{review.period}"
    if request.path_params["format"] not in ("csv", "json"):
        return problem_page(request, 404, "No such export", "The figures are .csv or .json.")
    if request.path_params["format"] == "json":
        return Response(
            json.dumps(review.as_dict(), ensure_ascii=False),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="{name}.json"'},
        )
    return Response(
        review.csv_text(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


@requires("view")
async def export_answers(request: Request) -> Response:
    """Every answer of the period, streamed: the filters are checked (and the first batch
    read) before the response starts, so bad input is still a 400, not a broken download."""
    try:
        journey = await _journey(request.path_params["journey"])
        period = _period(journey, request.path_params["period"])
        filters = filters_from_query(request.query_params)
        await check_filters(journey.key, filters, None)
    except Refused as refused:
        return _refused(request, refused)
    except ReviewError as error:
        return _refused(request, Refused(400, f"Cannot export by this {error.field}", str(error)))
    query = AnswerQuery(journey.key, filters=filters, period=period)
    try:
        return await csv_response(query, ZoneInfo(journey.timezone))
    except ReviewError as error:
        return _refused(request, Refused(400, f"Cannot export by this {error.field}", str(error)))


def _png_size(request: Request) -> tuple[int, int]:
    """`width` and `height` in pixels (default 1600 x 900, a 16:9 slide)."""
    sizes = []
    for name, default in (("width", charts.PNG_WIDTH), ("height", charts.PNG_HEIGHT)):
        text = request.query_params.get(name) or str(default)
        if not text.isdigit() or not charts.MIN_PNG_SIDE <= int(text) <= charts.MAX_PNG_SIDE:
            low, high = charts.MIN_PNG_SIDE, charts.MAX_PNG_SIDE
            raise ValueError(f"{name}: a whole number of pixels from {low} to {high}, not {text!r}")
        sizes.append(int(text))
    return sizes[0], sizes[1]


@requires("view")
async def chart(request: Request) -> Response:
    fmt = request.path_params["format"]
    name = request.path_params["name"]
    if fmt not in CHART_FORMATS:
        return problem_page(request, 404, "No such format", f"Charts are .svg or .png, not .{fmt}.")
    try:
        _, review = await _review(request)
    except Refused as refused:
        return _refused(request, refused)
    listed, _ = await _all_charts(review)
    if name == "themes":
        found_feedback = await review_sections.feedback(review)
        if found_feedback is not None:
            listed.append(found_feedback.context["themes_chart"])
    drawn = {c.name: c for c in listed}
    found = drawn.get(name)
    if found is None:
        known = ", ".join(sorted(drawn))
        return problem_page(
            request, 404, "No such chart", f"There is no chart {name!r} here; there are {known}."
        )
    key = _context_key(review)
    if fmt == "png":
        try:
            width, height = _png_size(request)
        except ValueError as error:
            return problem_page(request, 400, "Not a picture size", str(error))
        body: str | bytes = await run_in_threadpool(charts.cached_png, key, found, width, height)
    else:
        body = await run_in_threadpool(lambda: charts.cached_svg(key, found, inline=False))
    return Response(
        body,
        media_type=CHART_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}-{review.period}.{fmt}"'},
    )


routes = [
    Route("/review", choose, methods=["GET"], name="review_choose"),
    Route("/review/{journey}", current, methods=["GET"], name="review_current"),
    Route("/review/{journey}/{period}", page, methods=["GET"], name="review"),
    Route(
        "/review/{journey}/{period}/export.{format:str}",
        export_figures,
        methods=["GET"],
        name="review_export",
    ),
    Route(
        "/review/{journey}/{period}/answers.csv",
        export_answers,
        methods=["GET"],
        name="review_answers",
    ),
    Route(
        "/review/{journey}/{period}/charts/{name}.{format:str}",
        chart,
        methods=["GET"],
        name="review_chart",
    ),
]
