"""The worker's job: send one invitation, exactly once, or say why not.

The invitation is claimed (scheduled -> sending) before anything else, so two workers never
both hold it. Under the customer's lock, the contact rules decide whether it goes now,
later or never; then each channel the touchpoint lists, in order, words the message and
`dispatch.delivery` sends it (row first, outcome after), the path reminders take too. A
transient failure puts the invitation back on the schedule with a backoff; a permanent one
tries the customer's next channel; anything else ends the invitation with its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch import outcomes
from dispatch.claims import claim_invitation
from dispatch.contact_check import contact_decision
from dispatch.customer_lock import customer_lock
from dispatch.delivery import Busy, Refused, deliver, draft_for
from dispatch.log_context import about_invitation
from dispatch.optouts import active_opt_outs, suppression_reason
from dispatch.reminders import follow_up_times
from dispatch.routing import (
    Route,
    consented_channels,
    customer_addresses,
    unreachable_reason,
    usable_routes,
)
from dispatch.send_read import sending_invitation
from journeys.contact import Defer, Suppress
from journeys.schema import JourneyDefinition
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch")

#: How long a send waits when another worker holds the customer's lock.
CUSTOMER_BUSY_WAIT = timedelta(seconds=2)


async def send_invitation(ctx: dict[str, Any], invitation_id: int) -> str:
    about_invitation(invitation_id)
    if not await claim_invitation(invitation_id, datetime.now(UTC)):
        return "skipped: not due, or taken by another worker"
    invitation, definition = await sending_invitation(invitation_id)
    ttl = ctx.get("lock_ttl_seconds", 130.0)
    async with customer_lock(ctx["redis"], invitation.customer.id, ttl) as ours:
        if not ours:
            until = datetime.now(UTC) + CUSTOMER_BUSY_WAIT
            return await outcomes.defer(invitation, until, "another send to this customer")
        return await _decide_and_send(ctx, invitation, definition)


async def _decide_and_send(
    ctx: dict[str, Any], invitation: Invitation, definition: JourneyDefinition
) -> str:
    settings = definition.touchpoint(invitation.touchpoint.key)
    customer = invitation.customer
    allowed, refused = consented_channels(settings.channels, customer.consent)
    routes = usable_routes(allowed, customer_addresses(customer), ctx["channels"])
    if not routes:
        reason = unreachable_reason(allowed, refused)
        return await outcomes.finish(invitation, InvitationStatus.SUPPRESSED, reason)
    routes, stopped = await _not_opted_out(routes)
    if not routes:
        return await outcomes.finish(invitation, InvitationStatus.SUPPRESSED, stopped)
    now = datetime.now(UTC)
    decision = await contact_decision(
        invitation, definition, ctx.get("contact_across_journeys"), now
    )
    if isinstance(decision, Suppress):
        return await outcomes.finish(invitation, InvitationStatus.SUPPRESSED, decision.reason)
    if isinstance(decision, Defer):
        return await outcomes.defer(invitation, decision.until, decision.reason)
    return await _send_first_that_takes(ctx, definition, invitation, routes)


async def _not_opted_out(routes: list[Route]) -> tuple[list[Route], str]:
    """Checked at send time, whenever the invitation was scheduled, so a STOP sent
    yesterday holds for an invitation queued last week. A phone's STOP leaves the
    customer's email, if the touchpoint lists it."""
    holding = await active_opt_outs([(r.address, r.requested.address_kind) for r in routes])
    open_routes, reasons = [], []
    for route in routes:
        found = holding.get((route.address, route.requested.address_kind))
        if found is None:
            open_routes.append(route)
        else:
            reasons.append(suppression_reason(found))
    return open_routes, "; ".join(reasons)


async def _send_first_that_takes(
    ctx: dict[str, Any], definition: JourneyDefinition, invitation: Invitation, routes: list[Route]
) -> str:
    refusals = []
    for route in routes:
        outgoing = route.requested.render(
            draft_for(definition, invitation, route, ctx["public_url"])
        )
        # Only an earlier attempt can have left a message to confirm first (an attempt
        # ending unconfirmed is retried, never deferred, so it stays counted).
        earlier = invitation.attempts > 1
        attempt = await deliver(invitation.id, route, outgoing, earlier_attempts=earlier)
        if isinstance(attempt, Busy):
            until = datetime.now(UTC) + timedelta(seconds=attempt.wait_seconds)
            return await outcomes.defer(invitation, until, attempt.reason)
        if isinstance(attempt, Refused):
            if not attempt.error.permanent:
                max_attempts, first_wait = ctx["max_send_attempts"], ctx["send_retry_first_wait"]
                return await outcomes.retry_later(
                    invitation, max_attempts, route, attempt.error, first_wait
                )
            refusals.append(outcomes.failure_reason(route, attempt.error))
            continue
        now = datetime.now(UTC)
        link_lifetime = ctx["link_lifetime"]
        follow_up = follow_up_times(definition, invitation, route.name, now, link_lifetime)
        return await outcomes.sent(invitation, route, now, follow_up)
    return await outcomes.finish(invitation, InvitationStatus.FAILED, "; ".join(refusals))
