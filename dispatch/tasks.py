"""The worker's job: send one invitation, exactly once, or say why not.

The invitation is claimed (scheduled -> sending) before anything else, so two workers never
both hold it. Under the customer's lock, the contact rules decide whether it goes now,
later or never; then the message row is written before the provider is called, and the
outcome is stored after. A transient failure puts the invitation back on the schedule with
a backoff; a permanent one tries the customer's next channel; anything else ends the
invitation with its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from dispatch import outcomes
from dispatch.channels.base import (
    AddressKind,
    ChannelError,
    OutgoingMessage,
    Receipt,
)
from dispatch.claims import claim_invitation
from dispatch.contact_check import contact_decision
from dispatch.customer_lock import customer_lock
from dispatch.models import Message
from dispatch.optouts import active_opt_out, opt_out, suppression_reason
from dispatch.ratelimit import SenderBusy
from dispatch.recovery import outgoing_lookup
from dispatch.reminders import follow_up_times
from dispatch.rendering import list_unsubscribe_headers, render_email, render_sms, unsubscribe_url
from dispatch.routing import Channels, Route, usable_routes
from journeys.contact import Defer, Suppress
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from surveys.links import survey_url
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch")

#: Twilio's "recipient unsubscribed": the customer sent STOP to Twilio, not to us.
UNSUBSCRIBED = "21610"
#: How long a send waits when another worker holds the customer's lock.
CUSTOMER_BUSY_WAIT = timedelta(seconds=2)


async def send_invitation(ctx: dict[str, Any], invitation_id: int) -> str:
    if not await claim_invitation(invitation_id, datetime.now(UTC)):
        return "skipped: not due, or taken by another worker"
    invitation = await Invitation.get(id=invitation_id).prefetch_related(
        "customer", "touchpoint__journey", "interaction"
    )
    ttl = ctx.get("lock_ttl_seconds", 130.0)
    async with customer_lock(ctx["redis"], invitation.customer.id, ttl) as ours:
        if not ours:
            until = datetime.now(UTC) + CUSTOMER_BUSY_WAIT
            return await outcomes.defer(invitation, until, "another send to this customer")
        return await _decide_and_send(ctx, invitation)


async def _decide_and_send(ctx: dict[str, Any], invitation: Invitation) -> str:
    definition = await journey_definition(invitation.touchpoint.journey, invitation.journey_version)
    settings = definition.touchpoint(invitation.touchpoint.key)
    customer = invitation.customer
    channels: Channels = ctx["channels"]
    routes = usable_routes(settings.channels, customer.phone, customer.email, channels)
    if not routes:
        wanted = ", ".join(settings.channels)
        return await outcomes.finish(
            invitation, InvitationStatus.SUPPRESSED, f"no address for {wanted}"
        )
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
    open_routes, reasons = [], []
    for route in routes:
        found = await active_opt_out(route.address, _address_kind(route))
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
        outgoing = _render(definition, invitation, route, ctx["public_url"])
        try:
            receipt, message = await _send_once(invitation, route, outgoing)
        except SenderBusy as busy:
            until = datetime.now(UTC) + timedelta(seconds=busy.wait_seconds)
            return await outcomes.defer(invitation, until, busy.reason)
        except _Refused as refused:
            if not refused.error.permanent:
                max_attempts = ctx["max_send_attempts"]
                return await outcomes.retry_later(invitation, max_attempts, route, refused.error)
            refusals.append(outcomes.failure_reason(route, refused.error))
            await _after_refusal(route, refused.error)
            continue
        now = datetime.now(UTC)
        link_lifetime = ctx.get("link_lifetime")
        follow_up = follow_up_times(definition, invitation, route.kind, now, link_lifetime)
        return await outcomes.sent(invitation, message, route, receipt, now, follow_up)
    return await outcomes.finish(invitation, InvitationStatus.FAILED, "; ".join(refusals))


class _Refused(Exception):
    def __init__(self, error: ChannelError) -> None:
        self.error = error


async def _send_once(
    invitation: Invitation, route: Route, outgoing: OutgoingMessage
) -> tuple[Receipt, Message]:
    """Write the message row, then call the provider; raises _Refused or SenderBusy.

    When the last attempt on this channel ended unconfirmed (a timeout after the request
    left), the provider is asked first, and a message it already has is not sent again.
    """
    earlier = await _unconfirmed(invitation.id, route)
    if earlier is not None:
        found = await _ask_provider(route, earlier)
        if found is not None:
            return found, earlier
    message = await Message.create(
        invitation=invitation,
        channel=route.channel.name,
        recipient=route.address,
        subject=outgoing.subject,
        body=outgoing.text,
    )
    try:
        return await route.channel.send(outgoing), message
    except SenderBusy:
        await message.delete()  # it waited for nothing: no attempt was made
        raise
    except ChannelError as error:
        await outcomes.message_failed(message, error)
        raise _Refused(error) from error


async def _unconfirmed(invitation_id: int, route: Route) -> Message | None:
    latest = (
        await Message.filter(invitation_id=invitation_id, channel=route.channel.name)
        .order_by("-id")
        .first()
    )
    return latest if latest is not None and latest.status == "unconfirmed" else None


async def _ask_provider(route: Route, earlier: Message) -> Receipt | None:
    """The provider's receipt for the earlier message, or None when sending again is right:
    the provider surely has no such message, or cannot be asked (then at-least-once)."""
    try:
        found = await route.channel.find_sent(outgoing_lookup(earlier))
    except ChannelError as error:
        raise _Refused(
            ChannelError(f"cannot confirm the last attempt: {error.reason}", permanent=False)
        ) from error
    if isinstance(found, Receipt):
        log.info("invitation %s: the provider had the last attempt", earlier.invitation_id)
        return found
    await Message.filter(id=earlier.id).update(status="failed", updated_at=datetime.now(UTC))
    return None


async def _after_refusal(route: Route, error: ChannelError) -> None:
    """Twilio's own opt-out list refused the number: the customer said STOP there."""
    if route.kind == "sms" and error.code == UNSUBSCRIBED:
        await opt_out(route.address, "phone", "twilio-21610", note=error.reason)


def _address_kind(route: Route) -> AddressKind:
    return "phone" if route.kind == "sms" else "email"


def _render(
    definition: JourneyDefinition, invitation: Invitation, route: Route, public_url: str
) -> OutgoingMessage:
    options = {
        "locale": invitation.locale,
        "variant": invitation.variant,
        "link": survey_url(public_url, invitation.token),
        "first_name": (invitation.customer.attributes or {}).get("first_name"),
    }
    key = invitation.touchpoint.key
    if route.kind == "sms":
        text = render_sms(definition, key, **options)
        return OutgoingMessage(invitation.id, route.address, text, locale=invitation.locale)
    leave = unsubscribe_url(public_url, invitation.token)
    email = render_email(definition, key, unsubscribe=leave, **options)
    return OutgoingMessage(
        invitation.id,
        route.address,
        email.text,
        email.subject,
        email.html,
        email.locale,
        headers=list_unsubscribe_headers(leave),
    )
