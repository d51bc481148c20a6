"""Follow-up cases: an unhappy customer's answer opens one, a team follows it up against
its SLA clocks, and resolving it sends the customer the resolution survey.

A case opens once per invitation, in the transaction that stores the answer (so it is
never lost, and never opened twice when two answers race). Its clocks are due times
computed by `journeys.business_hours`; `next_due_at` holds the earlier of the running
ones, so the queue sorts on one indexed column and "overdue" is `next_due_at < now`.

Every change is all or nothing: in one transaction the case's row is read again under a
lock (the caller's copy may be stale), its status checked, and the change, its line on the
timeline and its outbox event written together; a bad field or a conflict writes nothing.
The update is also conditional on the status read, so two agents resolving at once get one
resolution and one clear conflict even where the database has no row locks (SQLite).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from journeys.business_hours import due_after, working_time_between
from journeys.models import Customer, Touchpoint
from journeys.policies import BusinessHours
from journeys.schema import FollowUpRule, JourneyDefinition
from journeys.store import journey_definition
from surveys.invitation_survey import InvitationSurvey, invitation_survey
from surveys.links import new_token
from surveys.models import (
    Answer,
    CaseNote,
    CaseStatus,
    FollowUpCase,
    Invitation,
    Team,
    TeamMember,
)
from surveys.outbox import case_payload, record_event

NOTE_LIMIT = 5000
ROOT_CAUSE_LIMIT = 100  # FollowUpCase.root_cause
TICKET_ID_LIMIT = 200  # FollowUpCase.external_ticket_id
ACTIVE = (CaseStatus.OPEN, CaseStatus.WAITING)
ANY_STATUS = tuple(CaseStatus)
#: How often round-robin reads the team again after another case took the agent it chose.
ROUND_ROBIN_TRIES = 5
_NEVER = datetime.min.replace(tzinfo=UTC)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Actor:
    """Who acted on a case, kept on its timeline: a user, an API key, the system or the
    customer, as a kind, an id and a label that still reads when the user is gone."""

    kind: str
    id: int | None = None
    label: str = ""


SYSTEM = Actor("system", None, "touchpoint")


class CaseError(Exception):
    """A change a case cannot take; `status` is the HTTP status that says so."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.field = message, field


class CaseNotFound(CaseError):
    status = 404


class CaseConflict(CaseError):
    """The case is not in a state that takes the change (resolved already, say)."""

    status = 409


# -- opening ---------------------------------------------------------------------------


def follow_up_reason(
    rule: FollowUpRule, *, nps: int | None, csat: int | None, contact_requested: bool = False
) -> str | None:
    """Why an answer needs following up under `rule`, or None when it does not."""
    if not rule.enabled:
        return None
    when = rule.when
    if nps is not None and when.nps_at_most is not None and nps <= when.nps_at_most:
        return "detractor"
    if csat is not None and when.csat_at_most is not None and csat <= when.csat_at_most:
        return "low-csat"
    if contact_requested and when.contact_requested:
        return "contact-request"
    return None


def _hours_of(rule: FollowUpRule, definition: JourneyDefinition) -> BusinessHours | None:
    return definition.business_hours if rule.hours == "business" else None


async def open_case(
    invitation: Invitation,
    *,
    answer: Answer | None = None,
    contact_requested: bool = False,
    now: datetime | None = None,
    plan: InvitationSurvey | None = None,
) -> FollowUpCase | None:
    """Open the invitation's case if its answer (or a request to be contacted) meets the
    journey's rule and it has none yet; returns the new case, or None.

    Call it inside the transaction that stores the answer: the case, its first lines on the
    timeline, the agent's round-robin turn and `case.opened` are written in a savepoint of
    it (in a transaction of their own when called alone, for a request to be contacted),
    so a case that cannot be opened leaves none of them behind. `plan` is the invitation's
    survey when the caller has read it already.
    """
    now = now or datetime.now(UTC)
    plan = plan or await invitation_survey(invitation)
    definition = plan.journey
    rule = definition.follow_up_for(plan.touchpoint)
    reason = follow_up_reason(
        rule,
        nps=answer.nps if answer else None,
        csat=answer.csat if answer else None,
        contact_requested=contact_requested,
    )
    if reason is None or await FollowUpCase.exists(invitation_id=invitation.id):
        return None
    # The due times first: a calendar that cannot count them stops here, before any write.
    tz, hours = ZoneInfo(definition.timezone), _hours_of(rule, definition)
    first_due = due_after(now, rule.first_response, hours, tz)
    resolution_due = due_after(now, rule.resolution, hours, tz)
    try:
        async with in_transaction():
            owner = await _next_agent(rule.team, now) if rule.team else None
            case = await FollowUpCase.create(
                invitation_id=invitation.id,
                answer_id=answer.id if answer else None,
                touchpoint_id=plan.touchpoint_id,
                customer_id=invitation.customer_id,  # type: ignore[attr-defined]
                journey_key=plan.journey_key,
                reason=reason,
                team_key=rule.team,
                owner_id=owner.user_id if owner else None,
                owner_email=owner.email if owner else None,
                hours=rule.hours,
                pause_while_waiting=rule.pause_while_waiting,
                opened_at=now,
                first_response_due_at=first_due,
                resolution_due_at=resolution_due,
                next_due_at=min(first_due, resolution_due),
            )
            await _note(case, SYSTEM, f"Opened: {_REASON_WORDS[reason]}.", kind="change")
            if owner:
                await _note(
                    case, SYSTEM, f"Assigned to {owner.email} (round-robin).", kind="change"
                )
            await _announce("case.opened", case, now)
    except IntegrityError:
        return None  # another answer to the same invitation opened it a moment ago
    return case


_REASON_WORDS = {
    "detractor": "the customer is a detractor",
    "low-csat": "the customer is dissatisfied",
    "contact-request": "the customer asked to be contacted",
}


async def _next_agent(team_key: str, now: datetime) -> TeamMember | None:
    """Round-robin: of the team's members who take cases, the one who has waited longest
    since their last case (never given one: longest of all; a tie: the earlier member)
    gets this one. Taking the turn is a conditional update on the stamp just read, so when
    two cases open at once the second finds the turn taken, reads again and takes the next
    agent. None when nobody takes cases: the case waits for the team, unassigned."""
    for _ in range(ROUND_ROBIN_TRIES):
        members = await TeamMember.filter(team__key=team_key, takes_cases=True)
        if not members:
            return None
        longest_waiting = min(members, key=lambda m: (m.last_assigned_at or _NEVER, m.id))
        if await _take_turn(longest_waiting, now):
            return longest_waiting
    return None


async def _take_turn(member: TeamMember, now: datetime) -> bool:
    """Stamp the member's turn, only if nobody stamped it since it was read."""
    if member.last_assigned_at is None:
        unchanged = Q(last_assigned_at__isnull=True)
    else:
        unchanged = Q(last_assigned_at=member.last_assigned_at)
    taken = await TeamMember.filter(unchanged, id=member.id).update(last_assigned_at=now)
    return bool(taken)


# -- reading ---------------------------------------------------------------------------


async def get_case(case_id: int) -> FollowUpCase:
    case = await FollowUpCase.get_or_none(id=case_id)
    if case is None:
        raise CaseNotFound(f"no case {case_id}")
    return case


def overdue_filter(now: datetime) -> Q:
    """Cases with a running clock past its due time: a query, not a loop over cases."""
    return Q(status__in=list(ACTIVE), next_due_at__lt=now)


def case_queue(
    *,
    journey: str | None = None,
    touchpoint: str | None = None,
    team: str | None = None,
    owner_id: int | None = None,
    unassigned: bool = False,
    status: str | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> QuerySet[FollowUpCase]:
    """The agents' queue, filtered, sorted by the next due time (cases with no running
    clock last, then the newest first). `status` None means open and waiting."""
    query = FollowUpCase.all()
    if journey:
        query = query.filter(journey_key=journey)
    if touchpoint:
        query = query.filter(touchpoint__key=touchpoint)
    if team:
        query = query.filter(team_key=team)
    if owner_id is not None:
        query = query.filter(owner_id=owner_id)
    if unassigned:
        query = query.filter(owner_id__isnull=True)
    query = query.filter(status=status) if status else query.filter(status__in=list(ACTIVE))
    if overdue:
        query = query.filter(overdue_filter(now or datetime.now(UTC)))
    return query.order_by("next_due_at", "-opened_at", "-id")


def is_overdue(case: FollowUpCase, now: datetime) -> bool:
    return case.status in ACTIVE and case.next_due_at is not None and case.next_due_at < now


async def team_keys_of(user_id: int) -> set[str]:
    """The teams a console user is an agent of."""
    return set(await TeamMember.filter(user_id=user_id).values_list("team__key", flat=True))  # type: ignore[arg-type]


async def root_causes_for(case: FollowUpCase) -> list[str]:
    """The root causes the case's team keeps; none when it has no team or no list."""
    if not case.team_key:
        return []
    team = await Team.get_or_none(key=case.team_key)
    return list(team.root_causes) if team else []


async def calendar_of(case: FollowUpCase) -> tuple[BusinessHours | None, ZoneInfo]:
    """The business hours (None: wall-clock) and time zone the case's clocks count in: the
    journey version its invitation was sent with, as when the case opened."""
    invitation = await Invitation.get(id=case.invitation_id).prefetch_related(  # type: ignore[attr-defined]
        "touchpoint__journey"
    )
    definition = await journey_definition(invitation.touchpoint.journey, invitation.journey_version)
    hours = definition.business_hours if case.hours == "business" else None
    return hours, ZoneInfo(definition.timezone)


# -- changing --------------------------------------------------------------------------


def clean_text(text: str | None, field: str = "body", limit: int = NOTE_LIMIT) -> str:
    """A note or reply as typed: control characters dropped, not empty, not too long. It
    is stored as text and always shown escaped, so HTML in it is only ever read."""
    typed = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL_CHARACTERS.sub("", typed).strip()
    if not cleaned:
        raise CaseError("write something", field=field)
    if len(cleaned) > limit:
        raise CaseError(f"write at most {limit} characters (this has {len(cleaned)})", field=field)
    return cleaned


def _next_due(case: FollowUpCase) -> datetime | None:
    """The earlier of the clocks still running: none once resolved or while paused."""
    if case.status == CaseStatus.RESOLVED:
        return None
    if case.status == CaseStatus.WAITING and case.pause_while_waiting:
        return None
    running = [case.resolution_due_at]
    if case.first_responded_at is None:
        running.append(case.first_response_due_at)
    return min((due for due in running if due is not None), default=None)


async def _note(
    case: FollowUpCase, actor: Actor, body: str, *, kind: str = "note", channel: str | None = None
) -> CaseNote:
    return await CaseNote.create(
        case_id=case.id,
        kind=kind,
        author_kind=actor.kind,
        author_id=actor.id,
        author_label=actor.label,
        body=body,
        channel=channel,
    )


async def _announce(type: str, case: FollowUpCase, now: datetime) -> None:
    touchpoint = await Touchpoint.get(id=case.touchpoint_id)  # type: ignore[attr-defined]
    customer = await Customer.get(id=case.customer_id)  # type: ignore[attr-defined]
    await record_event(type, case_payload(case, touchpoint.key, customer.external_id), now)


def _conflict(case: FollowUpCase, wanted: tuple[CaseStatus, ...]) -> CaseConflict:
    words = " or ".join(status.value for status in wanted)
    return CaseConflict(
        f"case {case.id} is {case.status.value}, not {words}; nothing was changed",
        field="status",
    )


@asynccontextmanager
async def _changing(
    case: FollowUpCase, expected: tuple[CaseStatus, ...]
) -> AsyncIterator[FollowUpCase]:
    """One change of a case, all or nothing (see the module's docstring). Yields the case
    as stored, locked; the caller's copy takes the stored values once the change commits."""
    async with in_transaction():
        current = await FollowUpCase.filter(id=case.id).select_for_update().first()
        if current is None:
            raise CaseNotFound(f"no case {case.id}")
        if current.status not in expected:
            raise _conflict(current, expected)
        yield current
    for name in FollowUpCase._meta.fields_db_projection:
        setattr(case, name, getattr(current, name))


async def _write(case: FollowUpCase, now: datetime, **changes: object) -> None:
    """Store `changes` on the locked case, with `next_due_at` worked out again from them."""
    status_read = case.status
    case.update_from_dict(changes)
    case.next_due_at = _next_due(case)
    case.updated_at = now
    written = await FollowUpCase.filter(id=case.id, status=status_read).update(
        **changes, next_due_at=case.next_due_at, updated_at=now
    )
    if not written:  # changed by someone else between the read and now (SQLite)
        raise CaseConflict(f"case {case.id} changed meanwhile; nothing was changed")


async def add_note(
    case: FollowUpCase,
    body: str,
    actor: Actor,
    *,
    kind: str = "note",
    channel: str | None = None,
    responded: bool = False,
    now: datetime | None = None,
) -> CaseNote:
    """A note on the case's timeline, in any status. `responded` says the team reached the
    customer (a reply sent from the case, a phone call logged), which stops the
    first-response clock if it still runs."""
    text = clean_text(body)
    now = now or datetime.now(UTC)
    async with _changing(case, ANY_STATUS) as current:
        note = await _note(current, actor, text, kind=kind, channel=channel)
        if responded:
            await _stamp_first_response(current, now)
    return note


async def record_first_response(case: FollowUpCase, now: datetime) -> bool:
    """Stamp the first response once; later responses leave it as it was. True if stamped."""
    async with _changing(case, ANY_STATUS) as current:
        stamped = await _stamp_first_response(current, now)
    return stamped


async def _stamp_first_response(case: FollowUpCase, now: datetime) -> bool:
    if case.first_responded_at is not None:
        return False
    await _write(case, now, first_responded_at=now)
    return True


async def assign(
    case: FollowUpCase,
    *,
    user_id: int | None,
    email: str | None,
    actor: Actor,
    now: datetime | None = None,
) -> None:
    """Give the case to an agent by hand (by user id and email), or (both None) back to
    the team. An agent of the case's team given a case by hand has had a turn: round-robin
    counts their wait from now."""
    if (user_id is None) != (email is None):
        raise CaseError("name the agent by both user id and email, or neither", field="owner")
    now = now or datetime.now(UTC)
    async with _changing(case, ACTIVE) as current:
        if current.owner_id == user_id:
            return
        await _write(current, now, owner_id=user_id, owner_email=email)
        words = f"Assigned to {email}." if email else "Unassigned: back to the team."
        await _note(current, actor, words, kind="change")
        if user_id is not None and current.team_key:
            await TeamMember.filter(team__key=current.team_key, user_id=user_id).update(
                last_assigned_at=now
            )


async def wait_on_customer(case: FollowUpCase, actor: Actor, now: datetime | None = None) -> None:
    """The team waits on the customer; with `pause_while_waiting` the clocks stop."""
    now = now or datetime.now(UTC)
    async with _changing(case, (CaseStatus.OPEN,)) as current:
        await _write(current, now, status=CaseStatus.WAITING, waiting_since=now)
        paused = " The clocks stop until the case resumes." if current.pause_while_waiting else ""
        await _note(current, actor, f"Waiting on the customer.{paused}", kind="change")


async def resume(
    case: FollowUpCase,
    actor: Actor,
    hours: BusinessHours | None = None,
    tz: ZoneInfo | None = None,
    now: datetime | None = None,
) -> None:
    """Back from waiting. With `pause_while_waiting`, each clock still running moves on by
    the working time spent waiting, counted in `hours` and `tz` (left out: the case's own
    calendar, `calendar_of`)."""
    now = now or datetime.now(UTC)
    if tz is None:
        hours, tz = await calendar_of(case)
    async with _changing(case, (CaseStatus.WAITING,)) as current:
        moved: dict[str, object] = {}
        if current.pause_while_waiting and current.waiting_since is not None:
            paused = working_time_between(current.waiting_since, now, hours, tz)
            moved = _clocks_moved_on(current, paused, hours, tz)
        await _write(current, now, status=CaseStatus.OPEN, waiting_since=None, **moved)
        await _note(current, actor, "Back from waiting on the customer.", kind="change")


def _clocks_moved_on(
    case: FollowUpCase, paused: timedelta, hours: BusinessHours | None, tz: ZoneInfo
) -> dict[str, object]:
    """The due times of the clocks that were running, each `paused` working time later."""
    if not paused:
        return {}
    running = {"resolution_due_at": case.resolution_due_at}
    if case.first_responded_at is None:
        running["first_response_due_at"] = case.first_response_due_at
    return {
        name: due_after(due, paused, hours, tz) for name, due in running.items() if due is not None
    }


async def resolve(
    case: FollowUpCase,
    actor: Actor,
    *,
    root_cause: str | None = None,
    note: str | None = None,
    external_ticket_id: str | None = None,
    now: datetime | None = None,
) -> None:
    """Resolve the case: its clocks stop, `case.resolved` is announced and the resolution
    survey is scheduled (the worker sends it inside the customer's send window).

    A root cause must be one of the team's list when the team keeps one; a case resolved
    already is a conflict, checked first. Either way nothing is written."""
    now = now or datetime.now(UTC)
    text = clean_text(note, "note") if note and note.strip() else None
    ticket = _ticket_id(external_ticket_id)
    async with _changing(case, ACTIVE) as current:
        cause = await _root_cause(current, root_cause)
        changes: dict[str, object] = {
            "status": CaseStatus.RESOLVED,
            "resolved_at": now,
            "waiting_since": None,
            "root_cause": cause,
            "resolution_note": text,
            "resolution_survey_status": "scheduled",
            "resolution_survey_token": new_token(),
            "resolution_survey_send_at": now,
        }
        if ticket is not None:
            changes["external_ticket_id"] = ticket
        await _write(current, now, **changes)
        words = "Resolved." + (f" Root cause: {cause}." if cause else "")
        await _note(current, actor, words + (f"\n{text}" if text else ""), kind="change")
        await _announce("case.resolved", current, now)


async def _root_cause(case: FollowUpCase, typed: str | None) -> str | None:
    cause = _CONTROL_CHARACTERS.sub("", typed or "").strip() or None
    if cause is None:
        return None
    causes = await root_causes_for(case)
    if causes and cause not in causes:
        listed = ", ".join(causes)
        raise CaseError(
            f"{cause!r} is not one of the {case.team_key} team's root causes: {listed}",
            field="root_cause",
        )
    if len(cause) > ROOT_CAUSE_LIMIT:
        raise CaseError(
            f"a root cause has at most {ROOT_CAUSE_LIMIT} characters", field="root_cause"
        )
    return cause


def _ticket_id(typed: str | None) -> str | None:
    if typed is None:
        return None
    ticket = _CONTROL_CHARACTERS.sub("", typed).strip()
    if len(ticket) > TICKET_ID_LIMIT:
        raise CaseError(
            f"a ticket id has at most {TICKET_ID_LIMIT} characters", field="external_ticket_id"
        )
    return ticket or None
