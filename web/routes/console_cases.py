"""The agents' console: the follow-up queue and the case page.

`/cases` lists the cases, sorted by the next due time, filtered by GET parameters
(web/case_filters.py). `/cases/{id}` shows the customer's answers and comment, their whole
history with us, their earlier cases and the case's timeline (newest last), with the forms
that change it: assign, note, wait on the customer or resume, resolve with a root cause,
and the reply to the customer (posted to `/cases/{id}/reply`, handled in
web/routes/case_reply.py).

Every change goes through surveys.followups, after web/case_access.py has said the user may
act on the case; each is written to the audit log. A change that fails is a form error with
the 4xx that says why (a 403 for another team's case, a 409 for a case resolved already)
and changes nothing. Success redirects (303) back to the case with a notice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from tortoise.expressions import Q

from dispatch.optouts import active_opt_out
from journeys.models import Customer, Journey
from journeys.store import journey_definition
from surveys.followups import (
    ACTIVE,
    Actor,
    CaseError,
    add_note,
    assign,
    case_queue,
    get_case,
    is_overdue,
    resolve,
    resume,
    root_causes_for,
    team_keys_of,
    wait_on_customer,
)
from surveys.models import CaseNote, FollowUpCase, Team, TeamMember
from web import case_display
from web.access import requires
from web.announce import announce
from web.audit import record
from web.case_access import CASE_ROLES, ensure_may_act, may_act_on
from web.case_filters import TEAM_ANY, TEAM_MINE, QueueFilters, parse_filters, unknown_names
from web.case_history import customer_history, other_cases
from web.models import User
from web.templating import problem_page, templates

PATH = "/cases"
PAGE_SIZE = 50
NOTICES = {
    "assigned": "The case is assigned.",
    "noted": "Your note is on the timeline.",
    "waiting": "The case waits on the customer.",
    "resumed": "The case is open again.",
    "resolved": "The case is resolved; the resolution survey goes to the customer.",
    "replied": "Your reply is on the timeline and on its way to the customer.",
}
CHANNEL_ADDRESSES = (("sms", "phone"), ("email", "email"))


def _actor(request: Request) -> Actor:
    return Actor("user", request.user.id, request.user.email)


# -- the queue -------------------------------------------------------------------------


@requires("cases")
async def show_queue(request: Request) -> Response:
    default_team = TEAM_ANY if request.user.role == "admin" else TEAM_MINE
    filters, errors = parse_filters(request.query_params, default_team=default_team)
    errors = errors or await unknown_names(filters)
    now = datetime.now(UTC)
    rows, more = ([], False) if errors else await _queue_page(filters, request.user.id, now)
    journeys = await Journey.all().order_by("key")
    zones = {journey.key: journey.timezone for journey in journeys}
    context = {
        "section": "cases",
        "filters": filters,
        "errors": errors,
        "rows": [_row(case, now, zones.get(case.journey_key, "UTC")) for case in rows],
        "more": more,
        "teams": await Team.all().order_by("key"),
        "journeys": journeys,
        "owners": ("anyone", "me", "unassigned"),
        "statuses": ("active", "open", "waiting", "resolved"),
    }
    status = 400 if errors else 200
    return templates.TemplateResponse(request, "console/cases.html", context, status_code=status)


async def _queue_page(
    filters: QueueFilters, user_id: int, now: datetime
) -> tuple[list[FollowUpCase], bool]:
    specific = filters.team not in (TEAM_MINE, TEAM_ANY)
    query = case_queue(
        journey=filters.journey or None,
        touchpoint=filters.touchpoint or None,
        team=filters.team if specific else None,
        owner_id=user_id if filters.owner == "me" else None,
        unassigned=filters.owner == "unassigned",
        status=None if filters.status == "active" else filters.status,
        overdue=filters.overdue,
        now=now,
    )
    if filters.team == TEAM_MINE:
        mine = list(await team_keys_of(user_id))
        no_team = Q(team_key__isnull=True)
        query = query.filter(Q(team_key__in=mine) | no_team if mine else no_team)
    start = (filters.page - 1) * PAGE_SIZE
    found = (
        await query.offset(start)
        .limit(PAGE_SIZE + 1)
        .prefetch_related("customer", "touchpoint", "answer")
    )
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


async def _timezone(journey_key: str) -> str:
    journey = await Journey.get_or_none(key=journey_key)
    return journey.timezone if journey else "UTC"


def _row(case: FollowUpCase, now: datetime, zone: str) -> dict[str, Any]:
    """A case as the queue shows it, its due time in its journey's time zone."""
    answer = case.answer
    return {
        "case": case,
        "customer": case.customer.external_id,
        "phone": case_display.mask_phone(case.customer.phone),
        "touchpoint": case.touchpoint.key,
        "reason": case_display.reason_with_score(
            case.reason, answer.nps if answer else None, answer.csat if answer else None
        ),
        "due": case_display.due_words(case.next_due_at, now),
        "due_at": case_display.local_time(case.next_due_at, zone) if case.next_due_at else "",
        "overdue": is_overdue(case, now),
        "status": case_display.STATUSES.get(case.status.value, case.status.value),
    }


# -- the case page ---------------------------------------------------------------------


@requires("cases")
async def show_case(request: Request) -> Response:
    case = await FollowUpCase.get_or_none(id=request.path_params["id"])
    if case is None:
        return _no_such_case(request)
    done = NOTICES.get(request.query_params.get("done", ""), "")
    return await render_case(request, case, notice=done)


async def render_case(
    request: Request,
    case: FollowUpCase,
    *,
    status: int = 200,
    notice: str = "",
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    """The case page; a form handler re-renders it with `errors` by form ("assign", "note",
    "status", "resolve", "reply") and what was typed in `form`."""
    await case.fetch_related("customer", "touchpoint", "answer")
    now = datetime.now(UTC)
    zone = await _timezone(case.journey_key)
    customer = case.customer
    context = {
        "section": "cases",
        "case": case,
        "row": _row(case, now, zone),
        "zone": zone,
        "local": lambda moment: case_display.local_time(moment, zone) if moment else "—",
        "customer": customer,
        "answer": case.answer,
        "notes": await CaseNote.filter(case_id=case.id).order_by("created_at", "id"),
        "history": await customer_history(customer.id),
        "earlier": await other_cases(case),
        "may_act": await may_act_on(request.user, case),
        "active": case.status in ACTIVE,
        "agents": await _agents_for(case),
        "root_causes": await root_causes_for(case),
        "reply_channels": await _reply_channels(customer),
        "notice": notice,
        "errors": errors or {},
        "form": form or {},
    }
    return templates.TemplateResponse(request, "console/case.html", context, status_code=status)


async def _reply_channels(customer: Customer) -> list[tuple[str, str, str]]:
    """The channels a reply may take: (channel, address, why not or ""), for the addresses
    the customer has. The reply's handler refuses them again; this only warns early."""
    found = []
    for channel, field in CHANNEL_ADDRESSES:
        address = getattr(customer, field)
        if not address:
            continue
        blocked = ""
        if (customer.consent or {}).get(channel) is False:
            blocked = f"the customer said never by {channel}"
        elif await active_opt_out(address, field):  # type: ignore[arg-type]
            blocked = "the customer opted out"
        found.append((channel, address, blocked))
    return found


async def _agents_for(case: FollowUpCase) -> list[tuple[int, str]]:
    """Whom the case may be given to: its team's members, or with no team every agent."""
    if case.team_key:
        members = await TeamMember.filter(team__key=case.team_key).order_by("email")
        return [(member.user_id, member.email) for member in members]
    users = await User.filter(role__in=list(CASE_ROLES), disabled_at=None).order_by("email")
    return [(user.id, user.email) for user in users]


def _no_such_case(request: Request) -> Response:
    return problem_page(request, 404, "No such case", "The case was not found. Nothing changed.")


# -- changes ---------------------------------------------------------------------------

Change = Callable[[Request, FollowUpCase, FormData], Awaitable[tuple[str, str, dict[str, Any]]]]


async def _act(request: Request, form_name: str, change: Change) -> Response:
    """Load the case, check the user may act on it, make the change, audit it, go back."""
    case = await FollowUpCase.get_or_none(id=request.path_params["id"])
    if case is None:
        return _no_such_case(request)
    form = await request.form()
    try:
        await ensure_may_act(request.user, case)
        done, action, detail = await change(request, case, form)
    except CaseError as error:
        if error.status in (403, 404):
            return problem_page(request, error.status, "Not allowed on this case", error.message)
        typed = {name: str(value) for name, value in form.items() if name != "csrf_token"}
        current = await get_case(case.id)
        return await render_case(
            request, current, status=error.status, errors={form_name: error.message}, form=typed
        )
    await record(request, action, f"case {case.id}", detail)
    await announce(request, resolved_case=case.id if action == "case.resolved" else None)
    return RedirectResponse(f"{PATH}/{case.id}?done={done}", status_code=303)


async def _assign(
    request: Request, case: FollowUpCase, form: FormData
) -> tuple[str, str, dict[str, Any]]:
    choice = str(form.get("owner", "")).strip()
    if choice == "nobody":
        user_id, email = None, None
    elif choice == "me":
        user_id, email = request.user.id, request.user.email
    else:
        agents = dict(await _agents_for(case))
        if not (choice.isascii() and choice.isdecimal() and int(choice) in agents):
            raise CaseError(
                f"choose someone of the case's team, not {choice[:64]!r}", field="owner"
            )
        user_id, email = int(choice), agents[int(choice)]
    await assign(case, user_id=user_id, email=email, actor=_actor(request))
    return "assigned", "case.assigned", {"owner": email}


async def _note(
    request: Request, case: FollowUpCase, form: FormData
) -> tuple[str, str, dict[str, Any]]:
    reached = str(form.get("reached", "")) in ("1", "on", "yes")
    await add_note(case, str(form.get("body", "")), _actor(request), responded=reached)
    return "noted", "case.note_added", {"reached_customer": reached}


async def _wait(
    request: Request, case: FollowUpCase, form: FormData
) -> tuple[str, str, dict[str, Any]]:
    await wait_on_customer(case, _actor(request))
    return "waiting", "case.waiting", {}


async def _resume(
    request: Request, case: FollowUpCase, form: FormData
) -> tuple[str, str, dict[str, Any]]:
    journey = await Journey.get(key=case.journey_key)
    definition = await journey_definition(journey)
    hours = definition.business_hours if case.hours == "business" else None
    await resume(case, _actor(request), hours, ZoneInfo(definition.timezone))
    return "resumed", "case.resumed", {}


async def _resolve(
    request: Request, case: FollowUpCase, form: FormData
) -> tuple[str, str, dict[str, Any]]:
    cause = str(form.get("root_cause", "")).strip() or None
    causes = await root_causes_for(case)
    if causes and cause is None and case.status in ACTIVE:
        raise CaseError("choose the root cause from the team's list", field="root_cause")
    note = str(form.get("note", ""))
    await resolve(case, _actor(request), root_cause=cause, note=note)
    return "resolved", "case.resolved", {"root_cause": cause}


def _handler(form_name: str, change: Change) -> Callable[[Request], Awaitable[Response]]:
    @requires("cases")
    async def endpoint(request: Request) -> Response:
        return await _act(request, form_name, change)

    endpoint.__name__ = f"case_{change.__name__.strip('_')}"
    return endpoint


routes = [
    Route(PATH, show_queue, methods=["GET"], name="console_cases"),
    Route(f"{PATH}/{{id:int}}", show_case, methods=["GET"], name="console_case"),
    Route(f"{PATH}/{{id:int}}/assign", _handler("assign", _assign), methods=["POST"]),
    Route(f"{PATH}/{{id:int}}/notes", _handler("note", _note), methods=["POST"]),
    Route(f"{PATH}/{{id:int}}/wait", _handler("status", _wait), methods=["POST"]),
    Route(f"{PATH}/{{id:int}}/resume", _handler("status", _resume), methods=["POST"]),
    Route(f"{PATH}/{{id:int}}/resolve", _handler("resolve", _resolve), methods=["POST"]),
]
