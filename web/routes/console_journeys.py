"""Journeys in the console: the list, each journey's map, editing, pause and resume.

Anyone who may view reads the list, the map and the versions; editors and admins ("edit")
change a journey. An edit is the whole YAML file in a textarea, validated by
`journeys.loader` exactly as `touchpoint journeys validate` does: every problem with its
line, and nothing stored until the whole file is valid. The text the editor typed stays in
the form beside its problems. Each saved change is a version with its author, note and time
(`web.routes.journey_versions` shows them, their differences, and rolls back).

Pausing a journey stops intake from scheduling invitations for it (a paused journey is not
in `journeys.store.Catalog`, so events for it are answered "no active journey"). Invitations
already scheduled and not yet sent are suppressed at once with the reason "journey paused",
and are not sent after a resume: a journey is paused because something is wrong with it (its
wording, its trigger, an incident customers should not be surveyed about), and when it
resumes days later those invitations would ask about stale interactions. Invitations already
sent keep their open links and their reminder. Resuming schedules invitations for new events
only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from journeys.loader import JourneyFileError, Problem, load_journey
from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.periods import current_period
from journeys.schema import JourneyDefinition
from journeys.store import (
    VersionConflict,
    apply_journey,
    journey_definition,
    journey_version,
    pause_journey,
    resume_journey,
)
from surveys.models import Invitation, InvitationStatus
from surveys.reports import touchpoint_report
from web.access import requires
from web.audit import record
from web.journey_map import journey_map, journey_scores
from web.templating import problem_page, templates
from web.version_diff import version_text

NOTE_LIMIT = 500
PAUSED_REASON = "journey paused"
#: /journeys/new is the page that creates one, so no journey may be called "new" here.
RESERVED_KEY = "new"
_JOURNEY_LINE = re.compile(r"^journey\s*:", re.MULTILINE)


async def record_journey_change(
    request: Request, action: str, journey: Journey, detail: dict[str, Any]
) -> None:
    """The one place a journey change is recorded in the audit log: journey.updated,
    journey.paused, journey.resumed, journey.rolled_back."""
    await record(request, action, journey.key, detail)


def author_of(request: Request) -> str:
    """The signed-in person, as a version and a pause remember them (journeys knows no users)."""
    return str(request.user.email)


def may_edit(request: Request) -> bool:
    return "edit" in request.auth.scopes


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> Response:
    return templates.TemplateResponse(
        request, template, {"section": "journeys", **context}, status_code=status
    )


async def journey_or_404(request: Request) -> Journey | Response:
    key = request.path_params["key"]
    journey = await Journey.get_or_none(key=key)
    if journey is None:
        return problem_page(request, 404, "No such journey", f"There is no journey {key!r}.")
    return journey


async def form_fields(request: Request) -> dict[str, str]:
    """The form's text fields (its size is capped by `web.body_limit` before it is read)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


# Reading: the list and the map.


@requires("view")
async def journeys_list(request: Request) -> Response:
    journeys = await Journey.all().order_by("-active", "key")
    latest = await _current_versions(journeys)
    counts = dict(
        await Touchpoint.filter(active=True)
        .annotate(n=Count("id"))
        .group_by("journey_id")
        .values_list("journey_id", "n")
    )
    return page(
        request,
        "console/journeys.html",
        {"journeys": journeys, "latest": latest, "counts": counts, "can_edit": may_edit(request)},
    )


async def _current_versions(journeys: list[Journey]) -> dict[int, JourneyVersion]:
    """Each journey's current version (who saved it, when), in one query."""
    if not journeys:
        return {}
    current = Q(*(Q(journey_id=j.id, version=j.version) for j in journeys), join_type="OR")
    found = await JourneyVersion.filter(current).only("id", "journey_id", "author", "created_at")
    return {v.journey_id: v for v in found}  # type: ignore[attr-defined]


@requires("view")
async def journey_page(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    definition = await journey_definition(journey)
    min_sample = request.app.state.runtime.settings.surveys.min_sample
    period = current_period(datetime.now(UTC), ZoneInfo(journey.timezone))
    report = await touchpoint_report(journey.key, period, min_sample=min_sample)
    return page(
        request,
        "console/journey.html",
        {
            "journey": journey,
            "definition": definition,
            "stages": journey_map(definition, report.rows, min_sample),
            "scores": journey_scores(definition, report.rows, min_sample),
            "period": period,
            "min_sample": min_sample,
            "can_edit": may_edit(request),
            "saved": request.query_params.get("saved"),
        },
    )


# Changing: edit, create, pause, resume.


def _problems_of(error: JourneyFileError, text: str) -> list[dict[str, Any]]:
    """Each problem with the line it points at, as the editor will look for it."""
    lines = text.splitlines()
    return [
        {
            "line": problem.line,
            "path": problem.path,
            "message": problem.message,
            "text": lines[problem.line - 1] if problem.line and problem.line <= len(lines) else "",
        }
        for problem in error.problems
    ]


def _wrong_key(definition: JourneyDefinition, key: str, text: str) -> JourneyFileError:
    found = _JOURNEY_LINE.search(text)
    line = text.count("\n", 0, found.start()) + 1 if found else None
    message = (
        f"this page edits journey {key!r}, but the file says {definition.journey!r}: "
        f"keep `journey: {key}` (create a new journey for another key)"
    )
    return JourneyFileError([Problem("journey", message, line)])


def _editor(
    request: Request,
    journey: Journey | None,
    text: str,
    note: str,
    *,
    based_on: int | None = None,
    problems: list[dict[str, Any]] | None = None,
    conflict: str | None = None,
    status: int = 200,
) -> Response:
    return page(
        request,
        "console/journey_edit.html",
        {
            "journey": journey,
            "text": text,
            "note": note,
            "based_on": based_on,
            "problems": problems or [],
            "conflict": conflict,
        },
        status,
    )


@requires("edit")
async def edit_form(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    current = await journey_version(journey, journey.version)
    text = version_text(current.source, current.definition) if current else ""
    return _editor(request, journey, text, "", based_on=journey.version)


@requires("edit")
async def save_edit(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    form = await form_fields(request)
    text, note = form.get("source", ""), form.get("note", "").strip()[:NOTE_LIMIT]
    based_on = form.get("based_on", "")
    base = int(based_on) if based_on.isdigit() else journey.version
    try:
        definition = load_journey(text, source=journey.key)
        if definition.journey != journey.key:
            raise _wrong_key(definition, journey.key, text)
        applied = await apply_journey(
            definition, text, author=author_of(request), note=note or None, based_on=base
        )
    except JourneyFileError as error:
        problems = _problems_of(error, text)
        return _editor(request, journey, text, note, based_on=base, problems=problems, status=400)
    except VersionConflict as conflict:
        return _editor(
            request, journey, text, note, based_on=base, conflict=str(conflict), status=409
        )
    if applied.changed:
        detail = {"version": applied.version, "note": note}
        await record_journey_change(request, "journey.updated", journey, detail)
    saved = applied.version if applied.changed else "unchanged"
    return RedirectResponse(f"/journeys/{journey.key}?saved={saved}", status_code=303)


@requires("edit")
async def new_form(request: Request) -> Response:
    return _editor(request, None, "", "")


@requires("edit")
async def create_journey(request: Request) -> Response:
    form = await form_fields(request)
    text, note = form.get("source", ""), form.get("note", "").strip()[:NOTE_LIMIT]
    try:
        definition = load_journey(text, source="new journey")
    except JourneyFileError as error:
        return _editor(request, None, text, note, problems=_problems_of(error, text), status=400)
    if definition.journey == RESERVED_KEY:
        conflict = f"The key {RESERVED_KEY!r} names this page: choose another key."
        return _editor(request, None, text, note, conflict=conflict, status=409)
    if await Journey.exists(key=definition.journey):
        conflict = (
            f"A journey with the key {definition.journey!r} exists already: "
            f"edit it from its own page, or choose another key."
        )
        return _editor(request, None, text, note, conflict=conflict, status=409)
    applied = await apply_journey(definition, text, author=author_of(request), note=note or None)
    detail = {"version": applied.version, "note": note, "created": True}
    await record_journey_change(request, "journey.updated", applied.journey, detail)
    return RedirectResponse(f"/journeys/{applied.journey.key}?saved=1", status_code=303)


async def suppress_scheduled(journey: Journey, now: datetime) -> int:
    """Invitations scheduled and not yet claimed by a worker end as suppressed; a worker's
    claim (scheduled -> sending) and this update are both conditional, so each invitation
    is either sent or suppressed, never both."""
    touchpoints = await Touchpoint.filter(journey_id=journey.id).values_list("id", flat=True)
    return await Invitation.filter(
        touchpoint_id__in=list(touchpoints), status=InvitationStatus.SCHEDULED
    ).update(status=InvitationStatus.SUPPRESSED, reason=PAUSED_REASON, updated_at=now)


@requires("edit")
async def pause(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    now = datetime.now(UTC)
    async with in_transaction():
        paused = await pause_journey(journey, author=author_of(request), now=now)
        stopped = await suppress_scheduled(journey, now) if paused else 0
    if paused:
        detail = {"suppressed_invitations": stopped}
        await record_journey_change(request, "journey.paused", journey, detail)
    return RedirectResponse(f"/journeys/{journey.key}?saved=paused", status_code=303)


@requires("edit")
async def resume(request: Request) -> Response:
    journey = await journey_or_404(request)
    if isinstance(journey, Response):
        return journey
    if await resume_journey(journey, now=datetime.now(UTC)):
        await record_journey_change(request, "journey.resumed", journey, {})
    return RedirectResponse(f"/journeys/{journey.key}?saved=resumed", status_code=303)


routes = [
    Route("/journeys", journeys_list, methods=["GET"], name="journeys"),
    Route("/journeys/new", new_form, methods=["GET"], name="journey_new"),
    Route("/journeys/new", create_journey, methods=["POST"], name="journey_create"),
    Route("/journeys/{key}", journey_page, methods=["GET"], name="journey"),
    Route("/journeys/{key}/edit", edit_form, methods=["GET"], name="journey_edit"),
    Route("/journeys/{key}/edit", save_edit, methods=["POST"], name="journey_save"),
    Route("/journeys/{key}/pause", pause, methods=["POST"], name="journey_pause"),
    Route("/journeys/{key}/resume", resume, methods=["POST"], name="journey_resume"),
]
