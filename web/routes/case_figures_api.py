"""Follow-up figures through the API: `GET /api/v1/cases/figures?period=&group_by=&journey=`.

The figures of one calendar quarter (default: the current one) by team, touchpoint or
journey, each with its n; what each figure means is in `surveys/followup_figures.py`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from journeys.periods import Period, parse_period
from surveys.followup_figures import GROUPINGS, UnknownJourney, period_figures
from web.routes.api import JOURNEY_KEY_LENGTH, ApiError, api


async def case_figures(request: Request) -> JSONResponse:
    params = request.query_params
    group_by = params.get("group_by") or "team"
    if group_by not in GROUPINGS:
        raise ApiError(
            422, f"group_by is one of {', '.join(GROUPINGS)}, not {group_by!r}", "group_by"
        )
    journey = params.get("journey") or None
    if journey is not None and len(journey) > JOURNEY_KEY_LENGTH:
        raise ApiError(404, f"no journey {journey[:JOURNEY_KEY_LENGTH]!r}...", "journey")
    try:
        report = await period_figures(
            _period(params.get("period")),
            group_by=group_by,  # type: ignore[arg-type]
            journey=journey,
            now=datetime.now(UTC),
        )
    except UnknownJourney as error:
        raise ApiError(404, str(error), "journey") from None
    return JSONResponse(report.as_dict())


def _period(text: str | None) -> Period | None:
    if not text:
        return None
    try:
        return parse_period(text)
    except ValueError as error:
        raise ApiError(422, str(error), "period") from None


routes = [
    Route("/api/v1/cases/figures", api(case_figures), methods=["GET"], name="api_case_figures")
]
