"""A journey's versions: who saved each and why, the difference between two, and roll-back.

Anyone who may view reads the history and its differences; editors and admins roll back. A
roll-back saves an earlier version's content as a new version (`journeys.store.roll_back`),
so the history only grows and a roll-back can itself be rolled back. The form carries the
version the editor was looking at: if another was saved since, nothing changes and the page
says so.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from journeys.store import VersionConflict, journey_version, journey_versions, roll_back
from web.access import requires
from web.routes.console_journeys import (
    author_of,
    form_fields,
    journey_or_404,
    may_edit,
    page,
    record_journey_change,
)
from web.templating import problem_page
from web.version_diff import diff_lines, unified_text, version_text


def version_number(value: str | None, name: str) -> int:
    """A version number from a form or a query, or ValueError naming the field."""
    if value is None or not value.isdigit() or not 0 < int(value) < 2**31:
        raise ValueError(f"{name} must be a version number, not {value!r}")
    return int(value)


@requires("view")
async def versions_page(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    versions = await journey_versions(journey)
    return page(
        request,
        "console/journey_versions.html",
        {"journey": journey, "versions": versions, "can_edit": may_edit(request)},
    )


@requires("view")
async def diff_page(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    params = request.query_params
    try:
        old_number = version_number(params.get("from"), "from")
        new_number = version_number(params.get("to", str(journey.version)), "to")
    except ValueError as error:
        return problem_page(request, 400, "Choose two versions", str(error))
    old = await journey_version(journey, old_number)
    new = await journey_version(journey, new_number)
    if old is None or new is None:
        missing = old_number if old is None else new_number
        detail = f"Journey {journey.key!r} has no version {missing}."
        return problem_page(request, 404, "No such version", detail)
    lines = diff_lines(
        version_text(old.source, old.definition), version_text(new.source, new.definition)
    )
    labels = (f"{journey.key} version {old.version}", f"{journey.key} version {new.version}")
    return page(
        request,
        "console/journey_diff.html",
        {
            "journey": journey,
            "old": old,
            "new": new,
            "lines": lines,
            "text": unified_text(lines, *labels),
        },
    )


@requires("edit")
async def roll_back_version(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    form = await form_fields(request)
    try:
        version = version_number(request.path_params["version"], "version")
        base = version_number(form.get("based_on"), "based_on")
        if base != journey.version:
            raise VersionConflict(base, journey.version)
        applied = await roll_back(journey, version, author=author_of(request))
    except ValueError as error:
        return problem_page(request, 400, "Not a version", str(error))
    except LookupError as error:
        return problem_page(request, 404, "No such version", str(error))
    except VersionConflict as conflict:
        return problem_page(request, 409, "The journey changed meanwhile", str(conflict))
    if applied.changed:
        detail = {"to_version": version, "version": applied.version}
        await record_journey_change(request, "journey.rolled_back", journey, detail)
    saved = applied.version if applied.changed else "unchanged"
    return RedirectResponse(f"/journeys/{journey.key}?saved={saved}", status_code=303)


routes = [
    Route("/journeys/{key}/versions", versions_page, methods=["GET"], name="journey_versions"),
    Route("/journeys/{key}/diff", diff_page, methods=["GET"], name="journey_diff"),
    Route(
        "/journeys/{key}/versions/{version}/roll-back",
        roll_back_version,
        methods=["POST"],
        name="journey_roll_back",
    ),
]
