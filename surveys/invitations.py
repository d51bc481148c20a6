"""Turning matched interactions into invitations, one per touchpoint each fires.

The send time is decided here (delay, then the customer's send window); whether the
message may still go out is decided again at send time by the worker.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from journeys.events import EventIn
from journeys.models import Customer
from journeys.scheduling import customer_zone, is_sampled, plan_invitation
from journeys.store import ActiveTouchpoint
from surveys.assignment import assign_variant
from surveys.links import new_token
from surveys.models import Invitation, InvitationStatus

#: A stored interaction (its id, and the event it came from), its customer, its touchpoints.
Matched = tuple[int, EventIn, Customer, list[ActiveTouchpoint]]


async def schedule_invitations(
    matched: list[Matched], now: datetime
) -> dict[int, list[Invitation]]:
    """Create the invitations of stored interactions; returns them by interaction id.

    The returned invitations carry their ids but are not reloaded: they are for answering
    the API and enqueueing, not for saving again.
    """
    invitations = [
        _invitation(interaction_id, event, customer, match, now)
        for interaction_id, event, customer, matches in matched
        for match in matches
    ]
    await Invitation.bulk_create(invitations)
    ids = dict(
        await Invitation.filter(token__in=[i.token for i in invitations]).values_list("token", "id")
    )
    by_interaction: dict[int, list[Invitation]] = defaultdict(list)
    for invitation in invitations:
        invitation.id = ids[invitation.token]
        by_interaction[invitation.interaction_id].append(invitation)  # type: ignore[attr-defined]
    return by_interaction


def _invitation(
    interaction_id: int, event: EventIn, customer: Customer, match: ActiveTouchpoint, now: datetime
) -> Invitation:
    status, send_at, reason = _decide(event, customer, match, now)
    experiment, variant = _variant(customer, match)
    return Invitation(
        token=new_token(),
        interaction_id=interaction_id,
        touchpoint=match.touchpoint,
        customer=customer,
        journey_version=match.journey.version,
        status=status,
        reason=reason,
        send_at=send_at,
        locale=customer.locale,
        variant=variant,
        experiment=experiment,
    )


def _decide(
    event: EventIn, customer: Customer, match: ActiveTouchpoint, now: datetime
) -> tuple[InvitationStatus, datetime, str | None]:
    settings = match.settings
    if not is_sampled(event.id, settings.key, settings.sample):
        reason = f"not sampled: {settings.sample:.0%} of {settings.trigger} events are surveyed"
        return InvitationStatus.SUPPRESSED, now, reason
    zone = customer_zone(customer.timezone, match.definition.timezone)
    plan = plan_invitation(event.occurred_at, now, settings, match.definition.send_window, zone)
    if plan.stale:
        return InvitationStatus.SUPPRESSED, plan.send_at, plan.reason
    return InvitationStatus.SCHEDULED, plan.send_at, None


def _variant(customer: Customer, match: ActiveTouchpoint) -> tuple[str | None, str]:
    """The experiment the touchpoint takes part in and the customer's variant in it; with
    no experiment, the first wording (A, as written for SMS)."""
    found = match.definition.experiment_for(match.settings.key)
    if found is None:
        return None, (sorted(match.definition.messages.sms) or ["A"])[0]
    name, experiment = found
    return name, assign_variant(customer.external_id, name, experiment.variants)
