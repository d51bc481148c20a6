"""Follow-up cases: an unhappy customer's answer opens one, a team follows it up against
its SLA clocks, and resolving it sends the customer the resolution survey.

A case opens once per invitation, in the transaction that stores the answer (so it is
never lost, and never opened twice when two answers race). Its clocks are due times
computed by `journeys.business_hours`; `next_due_at` holds the earlier of the running
ones, so the queue sorts on one indexed column and "overdue" is `next_due_at < now`.
Every change goes through a conditional UPDATE on the case's status, so two agents
resolving at once get one resolution and one clear conflict.
"""

from __future__ import annotations

import re
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
ACTIVE = (CaseStatus.OPEN, CaseStatus.WAITING)
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
) -> FollowUpCase | None:
    """Open the invitation's case if its answer (or a request to be contacted) meets the
    journey's rule and it has none yet; returns the new case, or None.

    Call it inside the transaction that stores the answer. Writes the `case.opened` event.
    """
    now = now or datetime.now(UTC)
    touchpoint = await Touchpoint.get(id=invitation.touchpoint_id).prefetch_related("journey")  # type: ignore[attr-defined]
    definition = await journey_definition(touchpoint.journey, invitation.journey_version)
    rule = definition.follow_up_for(definition.touchpoint(touchpoint.key))
    reason = follow_up_reason(
        rule,
        nps=answer.nps if answer else None,
        csat=answer.csat if answer else None,
        contact_requested=contact_requested,
    )
    if reason is None or await FollowUpCase.exists(invitation_id=invitation.id):
        return None
    tz = ZoneInfo(definition.timezone)
    hours = _hours_of(rule, definition)
    first_due = due_after(now, rule.first_response, hours, tz)
    owner = await _next_agent(rule.team, now) if rule.team else None
    try:
        case = await FollowUpCase.create(
            invitation_id=invitation.id,
            answer_id=answer.id if answer else None,
            touchpoint_id=touchpoint.id,
            customer_id=invitation.customer_id,  # type: ignore[attr-defined]
            journey_key=touchpoint.journey.key,
            reason=reason,
            team_key=rule.team,
            owner_id=owner.user_id if owner else None,
            owner_email=owner.email if owner else None,
            hours=rule.hours,
            pause_while_waiting=rule.pause_while_waiting,
            opened_at=now,
            first_response_due_at=first_due,
            resolution_due_at=due_after(now, rule.resolution, hours, tz),
            next_due_at=first_due,
        )
    except IntegrityError:
        return None  # another answer to the same invitation opened it a moment ago
    await _note(case, SYSTEM, f"Opened: {_REASON_WORDS[reason]}.", kind="change")
    if owner:
        await _note(case, SYSTEM, f"Assigned to {owner.email} (round-robin).", kind="change")
    await _announce("case.opened", case, now)
    return case


_REASON_WORDS = {
    "detractor": "the customer is a detractor",
    "low-csat": "the customer is dissatisfied",
    "contact-request": "the customer asked to be contacted",
}


async def _next_agent(team_key: str, now: datetime) -> TeamMember | None:
    """Round-robin: the member who has waited longest for a case gets it. The stamp is a
    conditional update, so two cases opening at once go to two agents."""
    for _ in range(5):
        members = await TeamMember.filter(team__key=team_key, takes_cases=True)
        if not members:
            return None
        epoch = datetime.min.replace(tzinfo=UTC)
        chosen = min(members, key=lambda m: (m.last_assigned_at or epoch, m.id))
        taken = (
            await TeamMember.filter(id=chosen.id, last_assigned_at=chosen.last_assigned_at).update(
                last_assigned_at=now
            )
            if chosen.last_assigned_at
            else await TeamMember.filter(id=chosen.id, last_assigned_at__isnull=True).update(
                last_assigned_at=now
            )
        )
        if taken:
            return chosen
    return None


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


# -- changing --------------------------------------------------------------------------


def clean_text(text: str | None, field: str = "body", limit: int = NOTE_LIMIT) -> str:
    """A note or reply as typed: control characters dropped, not empty, not too long. It
    is stored as text and always shown escaped, so HTML in it is only ever read."""
    cleaned = _CONTROL_CHARACTERS.sub("", (text or "").replace("\r\n", "\n")).strip()
    if not cleaned:
        raise CaseError("write something", field=field)
    if len(cleaned) > limit:
        raise CaseError(f"write at most {limit} characters (this has {len(cleaned)})", field=field)
    return cleaned


def _next_due(case: FollowUpCase) -> datetime | None:
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


async def _change(case: FollowUpCase, expected: tuple[CaseStatus, ...], **changes: object) -> None:
    """Write `changes` only if the case is still in one of the `expected` statuses."""
    done = await FollowUpCase.filter(id=case.id, status__in=list(expected)).update(
        **changes, updated_at=datetime.now(UTC)
    )
    if not done:
        current = await get_case(case.id)
        raise CaseConflict(f"case {case.id} is {current.status.value}; nothing was changed")
    case.update_from_dict(changes)


def _active(case: FollowUpCase) -> None:
    if case.status not in ACTIVE:
        raise CaseConflict(f"case {case.id} is {case.status.value}; nothing was changed")


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
    """A note on the case's timeline. `responded` says the team reached the customer
    (a reply sent from the case, a phone call logged), which stops the first-response clock."""
    note = await _note(case, actor, clean_text(body), kind=kind, channel=channel)
    if responded:
        await record_first_response(case, now or datetime.now(UTC))
    return note


async def record_first_response(case: FollowUpCase, now: datetime) -> bool:
    """Stamp the first response once; later responses leave it as it was."""
    if case.first_responded_at is not None:
        return False
    done = await FollowUpCase.filter(id=case.id, first_responded_at__isnull=True).update(
        first_responded_at=now, updated_at=now
    )
    if done:
        case.first_responded_at = now
        case.next_due_at = _next_due(case)
        await FollowUpCase.filter(id=case.id).update(next_due_at=case.next_due_at)
    return bool(done)


async def assign(
    case: FollowUpCase, *, user_id: int | None, email: str | None, actor: Actor
) -> None:
    """Give the case to an agent by hand, or (None) back to the team."""
    _active(case)
    await _change(case, ACTIVE, owner_id=user_id, owner_email=email)
    words = f"Assigned to {email}." if email else "Unassigned: back to the team."
    await _note(case, actor, words, kind="change")


async def wait_on_customer(case: FollowUpCase, actor: Actor, now: datetime | None = None) -> None:
    """The team waits on the customer; with `pause_while_waiting` the clocks stop."""
    now = now or datetime.now(UTC)
    if case.status != CaseStatus.OPEN:
        raise CaseConflict(f"case {case.id} is {case.status.value}, not open")
    case.status = CaseStatus.WAITING
    await _change(
        case,
        (CaseStatus.OPEN,),
        status=CaseStatus.WAITING,
        waiting_since=now,
        next_due_at=_next_due(case),
    )
    await _note(case, actor, "Waiting on the customer.", kind="change")


async def resume(
    case: FollowUpCase,
    actor: Actor,
    hours: BusinessHours | None,
    tz: ZoneInfo,
    now: datetime | None = None,
) -> None:
    """Back from waiting; paused clocks move on by the working time spent waiting."""
    now = now or datetime.now(UTC)
    if case.status != CaseStatus.WAITING:
        raise CaseConflict(f"case {case.id} is {case.status.value}, not waiting")
    changes: dict[str, object] = {"status": CaseStatus.OPEN, "waiting_since": None}
    if case.pause_while_waiting and case.waiting_since is not None:
        paused = working_time_between(case.waiting_since, now, hours, tz)
        for name in ("first_response_due_at", "resolution_due_at"):
            due = getattr(case, name)
            if due is not None and not (
                name == "first_response_due_at" and case.first_responded_at
            ):
                changes[name] = _moved(due, paused, hours, tz)
    case.update_from_dict(changes)
    changes["next_due_at"] = _next_due(case)
    case.status = CaseStatus.WAITING  # for the conditional update below
    await _change(case, (CaseStatus.WAITING,), **changes)
    await _note(case, actor, "Back from waiting on the customer.", kind="change")


def _moved(due: datetime, paused: timedelta, hours: BusinessHours | None, tz: ZoneInfo) -> datetime:
    return due_after(due, paused, hours, tz) if paused else due


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
    survey is scheduled (the worker sends it inside the customer's send window)."""
    now = now or datetime.now(UTC)
    _active(case)
    causes = await root_causes_for(case)
    if root_cause is not None and causes and root_cause not in causes:
        listed = ", ".join(causes)
        raise CaseError(
            f"{root_cause!r} is not one of the team's root causes ({listed})", field="root_cause"
        )
    text = clean_text(note, "note") if note and note.strip() else None
    changes: dict[str, object] = {
        "status": CaseStatus.RESOLVED,
        "resolved_at": now,
        "waiting_since": None,
        "next_due_at": None,
        "root_cause": root_cause,
        "resolution_note": text,
        "resolution_survey_status": "scheduled",
        "resolution_survey_token": new_token(),
        "resolution_survey_send_at": now,
    }
    if external_ticket_id is not None:
        changes["external_ticket_id"] = external_ticket_id
    cause = f" Root cause: {root_cause}." if root_cause else ""
    async with in_transaction():
        await _change(case, ACTIVE, **changes)
        await _note(case, actor, f"Resolved.{cause}" + (f"\n{text}" if text else ""), kind="change")
        await _announce("case.resolved", case, now)
