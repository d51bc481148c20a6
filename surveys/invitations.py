"""Turning matched interactions into invitations, one per touchpoint each fires.

The send time is decided here (delay, then the customer's send window); whether the
message may still go out is decided again at send time by the worker. A batch's
invitations are written with one INSERT that returns their ids (journeys/rows.py): no ORM
object per row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from tortoise import timezone

from journeys.customers import KnownCustomer
from journeys.events import EventIn
from journeys.models import Touchpoint
from journeys.rows import insert_rows
from journeys.scheduling import customer_zone, is_sampled, plan_invitation
from journeys.schema import Experiment, TouchpointDefinition
from journeys.store import ActiveTouchpoint
from surveys.assignment import assign_variant
from surveys.links import new_tokens
from surveys.models import Invitation, InvitationStatus

#: A stored interaction (its id, and the event it came from), its customer, its touchpoints.
Matched = tuple[int, EventIn, KnownCustomer, list[ActiveTouchpoint]]

_COLUMNS = (
    "token",
    "interaction_id",
    "touchpoint_id",
    "customer_id",
    "journey_version",
    "status",
    "reason",
    "send_at",
    "locale",
    "variant",
    "experiment",
    "attempts",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class ScheduledInvitation:
    """An invitation as intake wrote it: what the API answers and the queue needs."""

    id: int
    token: str
    interaction_id: int
    touchpoint: Touchpoint
    status: InvitationStatus
    reason: str | None
    send_at: datetime


async def schedule_invitations(
    matched: list[Matched], now: datetime
) -> dict[int, list[ScheduledInvitation]]:
    """Create the invitations of stored interactions; returns them by interaction id."""
    written = timezone.now()
    shared: dict[int, _Touchpoint] = {}
    pairs = [(m, match) for m in matched for match in m[3]]
    tokens = new_tokens(len(pairs))
    planned = [
        _row(token, interaction_id, event, customer, _shared(shared, match), now, written)
        for token, ((interaction_id, event, customer, _), match) in zip(tokens, pairs, strict=True)
    ]
    ids = dict(await insert_rows(Invitation, _COLUMNS, planned, returning=("token", "id")))
    by_interaction: dict[int, list[ScheduledInvitation]] = defaultdict(list)
    touchpoints = {t.match.touchpoint.id: t.match.touchpoint for t in shared.values()}
    for row in planned:
        token, interaction_id, touchpoint_id, *_ = row
        status, reason, send_at = row[5:8]
        by_interaction[interaction_id].append(
            ScheduledInvitation(
                ids[token],
                token,
                interaction_id,
                touchpoints[touchpoint_id],
                InvitationStatus(status),
                reason,
                send_at,
            )
        )
    return by_interaction


@dataclass(frozen=True)
class _Touchpoint:
    """What every invitation of one touchpoint shares, worked out once per batch."""

    match: ActiveTouchpoint
    settings: TouchpointDefinition
    experiment: tuple[str, Experiment] | None
    #: The wording without an experiment: the first (A, as written for SMS).
    first_variant: str


def _shared(shared: dict[int, _Touchpoint], match: ActiveTouchpoint) -> _Touchpoint:
    found = shared.get(id(match))
    if found is None:
        settings = match.settings
        found = shared[id(match)] = _Touchpoint(
            match,
            settings,
            match.definition.experiment_for(settings.key),
            (sorted(match.definition.messages.sms) or ["A"])[0],
        )
    return found


def _row(
    token: str,
    interaction_id: int,
    event: EventIn,
    customer: KnownCustomer,
    touchpoint: _Touchpoint,
    now: datetime,
    written: datetime,
) -> tuple:
    """The invitation's values in the order of _COLUMNS."""
    status, send_at, reason = _decide(event, customer, touchpoint, now)
    experiment, variant = _variant(customer, touchpoint)
    return (
        token,
        interaction_id,
        touchpoint.match.touchpoint.id,
        customer.id,
        touchpoint.match.journey.version,
        status.value,
        reason,
        send_at,
        customer.locale,
        variant,
        experiment,
        0,
        written,
        written,
    )


def _decide(
    event: EventIn, customer: KnownCustomer, touchpoint: _Touchpoint, now: datetime
) -> tuple[InvitationStatus, datetime, str | None]:
    settings, definition = touchpoint.settings, touchpoint.match.definition
    if not is_sampled(event.id, settings.key, settings.sample):
        reason = f"not sampled: {settings.sample:.0%} of {settings.trigger} events are surveyed"
        return InvitationStatus.SUPPRESSED, now, reason
    zone = customer_zone(customer.timezone, definition.timezone)
    plan = plan_invitation(event.occurred_at, now, settings, definition.send_window, zone)
    if plan.stale:
        return InvitationStatus.SUPPRESSED, plan.send_at, plan.reason
    return InvitationStatus.SCHEDULED, plan.send_at, None


def _variant(customer: KnownCustomer, touchpoint: _Touchpoint) -> tuple[str | None, str]:
    """The experiment the touchpoint takes part in and the customer's variant in it."""
    if touchpoint.experiment is None:
        return None, touchpoint.first_variant
    name, experiment = touchpoint.experiment
    return name, assign_variant(customer.external_id, name, experiment.variants)
