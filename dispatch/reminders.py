"""Reminders: one nudge, some days after sending, to whoever has neither answered nor opted out.

When an invitation is sent, `follow_up_times` stores when its link expires and when its
reminder is due (the touchpoint's `reminder` for that channel, moved into the customer's send
window; none when the link would have expired by then). A cron enqueues the due reminders
every minute, each as a job whose id names the invitation, and `send_reminder` claims the
reminder with one conditional UPDATE that sets `reminded_at`: so two crons, two workers or a
retried job still send it at most once.

A reminder is a courtesy. Whatever happens to it (no address any more, an opt-out, a
provider error) is logged and written on its message row; it never changes the status of
the invitation, and a failed one is not retried.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from tortoise.expressions import Q

from dispatch.channels.base import ChannelError, OutgoingMessage
from dispatch.models import Message
from dispatch.optouts import is_opted_out
from dispatch.ratelimit import SenderBusy
from dispatch.rendering import list_unsubscribe_headers, render_email, render_sms, unsubscribe_url
from dispatch.retries import backoff_seconds
from dispatch.routing import Channels
from journeys.scheduling import customer_zone
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from journeys.windows import in_send_window, next_send_time
from surveys.expiry import expire_invitations
from surveys.links import survey_url
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch.reminders")

SEND_REMINDER = "send_reminder"
DEFAULT_LINK_LIFETIME = timedelta(days=30)
#: Only these may be reminded: sent and not answered, expired, failed or unknown.
REMINDABLE = (InvitationStatus.SENT, InvitationStatus.DELIVERED)
PAGE = 1000


def reminder_job_id(invitation_id: int) -> str:
    return f"reminder:{invitation_id}"


def follow_up_times(
    definition: JourneyDefinition,
    invitation: Invitation,
    kind: str,
    sent_at: datetime,
    lifetime: timedelta | None = None,
) -> dict[str, datetime | None]:
    """`expires_at` and `reminder_due_at` for an invitation sent now over `kind`.

    `invitation` must have its customer and touchpoint loaded."""
    expires_at = sent_at + (lifetime or DEFAULT_LINK_LIFETIME)
    wait = definition.touchpoint(invitation.touchpoint.key).reminder.after(kind)
    due = None
    if wait is not None:
        zone = customer_zone(invitation.customer.timezone, definition.timezone)
        due = next_send_time(sent_at + wait, definition.send_window, zone)
        due = due if due < expires_at else None
    return {"expires_at": expires_at, "reminder_due_at": due}


def _due(now: datetime) -> Q:
    return Q(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        reminder_due_at__lte=now,
        reminded_at__isnull=True,
        status__in=REMINDABLE,
    )


async def enqueue_due_reminders(ctx: dict[str, Any]) -> int:
    """Cron: put every due reminder on the queue; a reminder already queued keeps its job."""
    redis: ArqRedis = ctx["redis"]
    now, queued, last_id = datetime.now(UTC), 0, 0
    while True:
        due = await (
            Invitation.filter(_due(now), id__gt=last_id)
            .order_by("id")
            .limit(PAGE)
            .values_list("id", flat=True)
        )
        for invitation_id in due:
            job = await redis.enqueue_job(
                SEND_REMINDER, invitation_id, _job_id=reminder_job_id(invitation_id)
            )
            queued += job is not None
        if len(due) < PAGE:
            return queued
        last_id = due[-1]


async def expire_due_invitations(ctx: dict[str, Any]) -> int:
    """Cron: close the links whose time has passed."""
    lifetime = ctx.get("link_lifetime") or DEFAULT_LINK_LIFETIME
    return await expire_invitations(datetime.now(UTC), lifetime)


async def send_reminder(ctx: dict[str, Any], invitation_id: int) -> str:
    now = datetime.now(UTC)
    invitation = await Invitation.get_or_none(id=invitation_id).prefetch_related(
        "customer", "touchpoint__journey"
    )
    if invitation is None:
        return "skipped: no such invitation"
    definition = await journey_definition(invitation.touchpoint.journey, invitation.journey_version)
    zone = customer_zone(invitation.customer.timezone, definition.timezone)
    if not in_send_window(now, definition.send_window, zone):
        later = next_send_time(now, definition.send_window, zone)
        if await Invitation.filter(_due(now), id=invitation_id).update(reminder_due_at=later):
            return f"deferred to {later:%Y-%m-%d %H:%M} UTC, the next send window"
    if not await Invitation.filter(_due(now), id=invitation_id).update(reminded_at=now):
        return "skipped: not due, answered, closed or reminded already"
    kind = invitation.channel if invitation.channel in ("sms", "email") else "email"
    customer = invitation.customer
    address = customer.phone if kind == "sms" else customer.email
    if not address:
        return _skipped(invitation_id, f"the customer has no {kind} address any more")
    if await is_opted_out(address, "email" if kind == "email" else "phone"):
        return _skipped(invitation_id, f"{address} opted out")
    channels: Channels = ctx["channels"]
    channel = channels.for_kind(kind)  # type: ignore[arg-type]
    outgoing = _render(definition, invitation, kind, address, ctx["public_url"])
    message = await Message.create(
        invitation=invitation,
        channel=channel.name,
        recipient=address,
        subject=outgoing.subject,
        body=outgoing.text,
    )
    try:
        receipt = await channel.send(outgoing)
    except ChannelError as error:
        return await _not_sent(invitation_id, message, error, now)
    message.status, message.provider_message_id = "sent", receipt.provider_message_id
    await message.save()
    log.info("reminder for invitation %s sent by %s to %s", invitation_id, channel.name, address)
    return f"reminder sent by {channel.name}"


async def _not_sent(
    invitation_id: int, message: Message, error: ChannelError, now: datetime
) -> str:
    """A busy sender or a transient failure puts the reminder back for a later run of the
    cron; a permanent or unconfirmed one is the reminder's end (one reminder, never two)."""
    if isinstance(error, SenderBusy) or not (error.permanent or error.ambiguous):
        await message.delete()
        wait = error.wait_seconds if isinstance(error, SenderBusy) else backoff_seconds(1)
        await Invitation.filter(id=invitation_id, reminded_at=now).update(
            reminded_at=None, reminder_due_at=now + timedelta(seconds=wait)
        )
        log.info("reminder for invitation %s put back: %s", invitation_id, error.reason)
        return f"reminder put back: {error.reason}"
    await Message.filter(id=message.id).update(status="failed", error=error.reason)
    log.warning("reminder for invitation %s not sent: %s", invitation_id, error.reason)
    return f"reminder failed: {error.reason}"


def _skipped(invitation_id: int, why: str) -> str:
    log.info("no reminder for invitation %s: %s", invitation_id, why)
    return f"skipped: {why}"


def _render(
    definition: JourneyDefinition, invitation: Invitation, kind: str, address: str, public: str
) -> OutgoingMessage:
    options: dict[str, Any] = {
        "locale": invitation.locale,
        "variant": invitation.variant,
        "link": survey_url(public, invitation.token),
        "first_name": (invitation.customer.attributes or {}).get("first_name"),
        "reminder": True,
    }
    key = invitation.touchpoint.key
    if kind == "sms":
        text = render_sms(definition, key, **options)
        return OutgoingMessage(invitation.id, address, text, locale=invitation.locale)
    leave = unsubscribe_url(public, invitation.token)
    email = render_email(definition, key, unsubscribe=leave, **options)
    return OutgoingMessage(
        invitation.id,
        address,
        email.text,
        email.subject,
        email.html,
        email.locale,
        headers=list_unsubscribe_headers(leave),
    )
