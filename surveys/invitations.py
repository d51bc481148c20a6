"""Turning a matched interaction into invitations, one per touchpoint it fires.

The send time is decided here (delay, then the customer's send window); whether the
message may still go out is decided again at send time by the worker.
"""

from __future__ import annotations

from datetime import datetime

from journeys.models import Customer, Interaction
from journeys.scheduling import customer_zone, is_sampled, plan_invitation
from journeys.store import ActiveTouchpoint
from surveys.links import new_token
from surveys.models import Invitation, InvitationStatus


async def schedule_invitations(
    interaction: Interaction,
    customer: Customer,
    matches: list[ActiveTouchpoint],
    now: datetime,
) -> list[Invitation]:
    invitations = []
    for match in matches:
        status, send_at, reason = _decide(interaction, customer, match, now)
        invitations.append(
            await Invitation.create(
                token=new_token(),
                interaction=interaction,
                touchpoint=match.touchpoint,
                customer=customer,
                journey_version=match.journey.version,
                status=status,
                reason=reason,
                send_at=send_at,
                locale=customer.locale,
                variant=_first_variant(match),
            )
        )
    return invitations


def _decide(
    interaction: Interaction, customer: Customer, match: ActiveTouchpoint, now: datetime
) -> tuple[InvitationStatus, datetime, str | None]:
    settings = match.settings
    if not is_sampled(interaction.event_id, settings.key, settings.sample):
        reason = f"not sampled: {settings.sample:.0%} of {settings.trigger} events are surveyed"
        return InvitationStatus.SUPPRESSED, now, reason
    zone = customer_zone(customer.timezone, match.definition.timezone)
    plan = plan_invitation(
        interaction.occurred_at, now, settings, match.definition.send_window, zone
    )
    if plan.stale:
        return InvitationStatus.SUPPRESSED, plan.send_at, plan.reason
    return InvitationStatus.SCHEDULED, plan.send_at, None


def _first_variant(match: ActiveTouchpoint) -> str:
    variants = sorted(match.definition.messages.sms) or ["A"]
    return variants[0]
