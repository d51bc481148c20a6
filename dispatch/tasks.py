"""The worker's job: send one invitation, exactly once.

The invitation is claimed (scheduled -> sending) before anything is sent, the message row
is written before the provider is called, and the outcome is stored after. A transient
failure puts the invitation back on the schedule with a backoff; anything else ends it with
its reason.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import Retry

from dispatch.channels.base import ChannelError, OutgoingMessage, Receipt
from dispatch.claims import claim_invitation
from dispatch.models import Message
from dispatch.optouts import active_opt_out, suppression_reason
from dispatch.reminders import follow_up_times
from dispatch.rendering import list_unsubscribe_headers, render_email, render_sms, unsubscribe_url
from dispatch.retries import backoff_seconds
from dispatch.routing import Channels, Route, choose_route
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from surveys.links import survey_url
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch")


async def send_invitation(ctx: dict[str, Any], invitation_id: int) -> str:
    now = datetime.now(UTC)
    if not await claim_invitation(invitation_id, now):
        return "skipped: not due, or taken by another worker"
    invitation = await Invitation.get(id=invitation_id).prefetch_related(
        "customer", "touchpoint__journey"
    )
    definition = await journey_definition(invitation.touchpoint.journey, invitation.journey_version)
    settings = definition.touchpoint(invitation.touchpoint.key)
    channels: Channels = ctx["channels"]
    customer = invitation.customer
    route = choose_route(settings.channels, customer.phone, customer.email, channels)
    if route is None:
        wanted = ", ".join(settings.channels)
        return await _finish(invitation, InvitationStatus.SUPPRESSED, f"no address for {wanted}")
    if stopped := await _opted_out(route):
        return await _finish(invitation, InvitationStatus.SUPPRESSED, stopped)
    outgoing = _render(definition, invitation, route, ctx["public_url"])
    message = await Message.create(
        invitation=invitation,
        channel=route.channel.name,
        recipient=route.address,
        subject=outgoing.subject,
        body=outgoing.text,
    )
    try:
        receipt = await route.channel.send(outgoing)
    except ChannelError as error:
        return await _failed(ctx, invitation, message, route, error)
    return await _sent(ctx, definition, invitation, message, route, receipt)


async def _opted_out(route: Route) -> str | None:
    """Checked at send time, whenever the invitation was scheduled, so a STOP sent
    yesterday holds for an invitation queued last week."""
    found = await active_opt_out(route.address, "phone" if route.kind == "sms" else "email")
    return suppression_reason(found) if found else None


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


async def _sent(
    ctx: dict[str, Any],
    definition: JourneyDefinition,
    invitation: Invitation,
    message: Message,
    route: Route,
    receipt: Receipt,
) -> str:
    now = datetime.now(UTC)
    follow_up = follow_up_times(definition, invitation, route.kind, now, ctx.get("link_lifetime"))
    message.status = "sent"
    message.provider_message_id = receipt.provider_message_id
    await message.save()
    await Invitation.filter(id=invitation.id, status=InvitationStatus.SENDING).update(
        status=InvitationStatus.SENT, sent_at=now, channel=route.kind, updated_at=now, **follow_up
    )
    log.info("invitation %s sent by %s to %s", invitation.id, route.channel.name, route.address)
    return f"sent by {route.channel.name}"


async def _failed(
    ctx: dict[str, Any], invitation: Invitation, message: Message, route: Route, error: ChannelError
) -> str:
    message.status = "failed"
    message.error = error.reason
    await message.save()
    reason = f"{route.kind}: {error.reason}" + (f" (code {error.code})" if error.code else "")
    if error.permanent or invitation.attempts >= ctx["max_send_attempts"]:
        return await _finish(invitation, InvitationStatus.FAILED, reason)
    wait = backoff_seconds(invitation.attempts)
    retry_at = datetime.now(UTC) + timedelta(seconds=wait)
    await Invitation.filter(id=invitation.id, status=InvitationStatus.SENDING).update(
        status=InvitationStatus.SCHEDULED, send_at=retry_at, reason=reason, updated_at=retry_at
    )
    log.warning("invitation %s: %s; retrying in %.0f s", invitation.id, reason, wait)
    raise Retry(defer=timedelta(seconds=wait))


async def _finish(invitation: Invitation, status: InvitationStatus, reason: str) -> str:
    await Invitation.filter(id=invitation.id, status=InvitationStatus.SENDING).update(
        status=status, reason=reason, updated_at=datetime.now(UTC)
    )
    log.info("invitation %s %s: %s", invitation.id, status.value, reason)
    return f"{status.value}: {reason}"
