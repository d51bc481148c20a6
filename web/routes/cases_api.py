"""Follow-up cases through the HTTP API, so a help desk can mirror a case and close it.

`GET /api/v1/cases` lists them (open and waiting by default) sorted by the next due time;
`GET /api/v1/cases/{id}` is one case with its timeline; `PATCH` changes the owner, the
status, the root cause or the help desk's ticket id; `POST .../notes` adds a note.

A PATCH is checked whole before anything is written, and written in one transaction:
one bad field is a 422 that names it and changes nothing. Status changes go through
`surveys.followups` (wait on the customer, resume, resolve), which refuse a change the case
cannot take with a 409: resolving a resolved case, reopening one. The actor on the case's
timeline and in the audit log is the API key.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tortoise.transactions import in_transaction

from journeys.models import Journey
from journeys.store import journey_definition
from surveys.followups import (
    Actor,
    CaseError,
    add_note,
    assign,
    case_queue,
    clean_text,
    get_case,
    is_overdue,
    resolve,
    resume,
    root_causes_for,
    wait_on_customer,
)
from surveys.models import CaseNote, CaseStatus, FollowUpCase, TeamMember
from web.access import ROLES
from web.announce import announce
from web.audit import record
from web.models import User
from web.routes.api import MAX_ID, ApiError, api, one_route, read_json
from web.routes.query import page_param

PAGE_SIZE = 100
PATCHABLE = ("owner_email", "status", "root_cause", "external_ticket_id", "resolution_note")
_STATUSES = tuple(s.value for s in CaseStatus)
_TICKET_LIMIT = 200


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def describe(case: FollowUpCase, now: datetime) -> dict[str, Any]:
    """A case as the API answers it (touchpoint and customer prefetched)."""
    return {
        "id": case.id,
        "journey": case.journey_key,
        "touchpoint": case.touchpoint.key,
        "customer": case.customer.external_id,
        "invitation_id": case.invitation_id,  # type: ignore[attr-defined]
        "response_id": case.answer_id,  # type: ignore[attr-defined]
        "reason": case.reason,
        "status": case.status.value,
        "team": case.team_key,
        "owner_email": case.owner_email,
        "opened_at": _iso(case.opened_at),
        "first_response_due_at": _iso(case.first_response_due_at),
        "first_responded_at": _iso(case.first_responded_at),
        "resolution_due_at": _iso(case.resolution_due_at),
        "resolved_at": _iso(case.resolved_at),
        "next_due_at": _iso(case.next_due_at),
        "overdue": is_overdue(case, now),
        "root_cause": case.root_cause,
        "resolution_note": case.resolution_note,
        "external_ticket_id": case.external_ticket_id,
        "resolution_survey_status": case.resolution_survey_status,
        "resolution_score": case.resolution_score,
    }


def describe_note(note: CaseNote) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "author": {"kind": note.author_kind, "id": note.author_id, "label": note.author_label},
        "body": note.body,
        "channel": note.channel,
        "created_at": _iso(note.created_at),
    }


def _actor(request: Request) -> Actor:
    return Actor("api_key", request.user.key_id, request.user.name)


def _bool_param(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false")
    if value not in ("true", "false"):
        raise ApiError(422, f"{name} must be true or false", name)
    return value == "true"


def _text_param(request: Request, name: str, longest: int) -> str | None:
    """A filter as long as its column at most: a longer one could match nothing, and the
    ORM refuses to look for it."""
    value = request.query_params.get(name)
    if value is not None and len(value) > longest:
        raise ApiError(422, f"{name} is at most {longest} characters", name)
    return value


async def list_cases(request: Request) -> JSONResponse:
    params = request.query_params
    status = params.get("status")
    if status is not None and status not in _STATUSES:
        raise ApiError(422, f"unknown status {status!r}; one of: {', '.join(_STATUSES)}", "status")
    owner = _text_param(request, "owner", 254)
    now = datetime.now(UTC)
    query = case_queue(
        journey=_text_param(request, "journey", 63),
        touchpoint=_text_param(request, "touchpoint", 63),
        team=_text_param(request, "team", 63),
        unassigned=owner == "none",
        status=status,
        overdue=_bool_param(request, "overdue"),
        now=now,
    )
    if owner and owner != "none":
        query = query.filter(owner_email=owner.strip().lower())
    if (ticket := _text_param(request, "external_ticket_id", 200)) is not None:
        query = query.filter(external_ticket_id=ticket)
    page = page_param(params.get("page", "1"))
    rows = (
        await query.offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
        .prefetch_related("touchpoint", "customer")
    )
    return JSONResponse(
        {
            "cases": [describe(c, now) for c in rows[:PAGE_SIZE]],
            "next_page": page + 1 if len(rows) > PAGE_SIZE else None,
        }
    )


async def _case_of(request: Request) -> FollowUpCase:
    case_id = request.path_params["id"]
    if case_id > MAX_ID:
        raise ApiError(404, f"no case {case_id}", "id")
    try:
        return await get_case(case_id)
    except CaseError as error:
        raise ApiError(error.status, error.message, "id") from None


async def _full(case: FollowUpCase) -> dict[str, Any]:
    fresh = await FollowUpCase.get(id=case.id).prefetch_related("touchpoint", "customer")
    notes = await CaseNote.filter(case_id=case.id).order_by("created_at", "id")
    return describe(fresh, datetime.now(UTC)) | {"notes": [describe_note(n) for n in notes]}


async def show_case(request: Request) -> JSONResponse:
    return JSONResponse(await _full(await _case_of(request)))


# -- PATCH -------------------------------------------------------------------------------


async def _checked_patch(case: FollowUpCase, raw: object) -> dict[str, Any]:
    """The changes asked for, each checked; raises ApiError naming the first bad field."""
    if not isinstance(raw, dict) or not raw:
        raise ApiError(422, f"send an object with some of: {', '.join(PATCHABLE)}", "body")
    for name in raw:
        if name not in PATCHABLE:
            raise ApiError(422, f"{name!r} cannot be changed; one of: {', '.join(PATCHABLE)}", name)
    changes = dict(raw)
    if "status" in changes:
        changes["status"] = _checked_status(case, changes["status"])
    resolving = changes.get("status") == CaseStatus.RESOLVED
    for name in ("root_cause", "resolution_note"):
        if name in changes and not resolving:
            raise ApiError(422, f"{name} is sent with status resolved", name)
        if changes.get(name) is not None and not isinstance(changes[name], str):
            raise ApiError(422, f"{name} must be a string", name)
    if resolving and changes.get("root_cause") is not None:
        causes = await root_causes_for(case)
        if causes and changes["root_cause"] not in causes:
            listed = ", ".join(causes)
            raise ApiError(422, f"not one of the team's root causes ({listed})", "root_cause")
    if changes.get("resolution_note") is not None:
        changes["resolution_note"] = _text(changes["resolution_note"], "resolution_note")
    if "external_ticket_id" in changes:
        changes["external_ticket_id"] = _ticket(changes["external_ticket_id"])
    if "owner_email" in changes:
        changes["owner"] = await _owner(case, changes.pop("owner_email"))
    return changes


def _checked_status(case: FollowUpCase, value: object) -> CaseStatus:
    if value not in _STATUSES:
        raise ApiError(422, f"status must be one of: {', '.join(_STATUSES)}", "status")
    wanted = CaseStatus(str(value))
    if case.status == CaseStatus.RESOLVED:
        raise ApiError(409, f"case {case.id} is resolved; nothing was changed", "status")
    return wanted


def _text(value: str, field: str) -> str:
    try:
        return clean_text(value, field)
    except CaseError as error:
        raise ApiError(422, error.message, field) from None


def _ticket(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ApiError(
            422, "external_ticket_id must be a non-empty string or null", "external_ticket_id"
        )
    if len(value.strip()) > _TICKET_LIMIT:
        raise ApiError(
            422, f"external_ticket_id has at most {_TICKET_LIMIT} characters", "external_ticket_id"
        )
    return value.strip()


async def _owner(case: FollowUpCase, value: object) -> User | None:
    """None gives the case back to its team; an email must be a console user who may work
    on cases and, when the case has a team, is a member of it."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ApiError(422, "owner_email must be an email or null", "owner_email")
    email = value.strip().lower()
    user = await User.get_or_none(email=email, disabled_at__isnull=True)
    if user is None or "cases" not in ROLES.get(user.role, frozenset()):
        raise ApiError(422, f"{email} is not a console user who works on cases", "owner_email")
    if case.team_key and not await TeamMember.exists(team__key=case.team_key, user_id=user.id):
        raise ApiError(422, f"{email} is not a member of team {case.team_key}", "owner_email")
    return user


async def _apply(case: FollowUpCase, changes: dict[str, Any], actor: Actor) -> list[str]:
    """Write the checked changes; returns the audit actions they make."""
    actions = []
    if "owner" in changes:
        owner = changes["owner"]
        await assign(
            case,
            user_id=owner.id if owner else None,
            email=owner.email if owner else None,
            actor=actor,
        )
        actions.append("case.assigned")
    status = changes.get("status")
    if "external_ticket_id" in changes and status != CaseStatus.RESOLVED:
        await FollowUpCase.filter(id=case.id).update(
            external_ticket_id=changes["external_ticket_id"], updated_at=datetime.now(UTC)
        )
        actions.append("case.ticket_linked")
    if status == CaseStatus.WAITING and case.status == CaseStatus.OPEN:
        await wait_on_customer(case, actor)
        actions.append("case.waiting")
    elif status == CaseStatus.OPEN and case.status == CaseStatus.WAITING:
        await _resume(case, actor)
        actions.append("case.resumed")
    elif status == CaseStatus.RESOLVED:
        await resolve(
            case,
            actor,
            root_cause=changes.get("root_cause"),
            note=changes.get("resolution_note"),
            external_ticket_id=changes.get("external_ticket_id"),
        )
        actions.append("case.resolved")
    return actions


async def _resume(case: FollowUpCase, actor: Actor) -> None:
    journey = await Journey.get(key=case.journey_key)
    definition = await journey_definition(journey)
    hours = definition.business_hours if case.hours == "business" else None
    await resume(case, actor, hours, ZoneInfo(definition.timezone))


async def change_case(request: Request) -> JSONResponse:
    case = await _case_of(request)
    changes = await _checked_patch(case, await read_json(request))
    try:
        async with in_transaction():
            actions = await _apply(case, changes, _actor(request))
    except CaseError as error:
        raise ApiError(error.status, error.message, error.field or "status") from None
    target = f"case {case.id}"
    detail = {k: v for k, v in changes.items() if k != "owner"}
    if "owner" in changes:
        detail["owner_email"] = changes["owner"].email if changes["owner"] else None
    for action in actions:
        await record(request, action, target, detail)
    await announce(request, resolved_case=case.id if "case.resolved" in actions else None)
    return JSONResponse(await _full(case))


async def add_case_note(request: Request) -> JSONResponse:
    case = await _case_of(request)
    raw = await read_json(request)
    if not isinstance(raw, dict):
        raise ApiError(422, 'expected {"body": ..., "contacted": false}', "body")
    for name in raw:
        if name not in ("body", "contacted"):
            raise ApiError(422, f"unknown field {name!r}; send body and contacted", name)
    contacted = raw.get("contacted", False)
    if not isinstance(contacted, bool):
        raise ApiError(422, "contacted must be true or false", "contacted")
    if not isinstance(raw.get("body"), str):
        raise ApiError(422, "body must be a string", "body")
    body = _text(raw["body"], "body")
    note = await add_note(case, body, _actor(request), responded=contacted)
    await record(request, "case.note_added", f"case {case.id}", {"contacted": contacted})
    return JSONResponse(describe_note(note), status_code=201)


routes = [
    Route("/api/v1/cases", api(list_cases), methods=["GET"]),
    one_route("/api/v1/cases/{id:int}", {"GET": api(show_case), "PATCH": api(change_case)}),
    Route("/api/v1/cases/{id:int}/notes", api(add_case_note), methods=["POST"]),
]
