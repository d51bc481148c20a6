"""Reminders: one nudge, some days after sending, to whoever has neither answered nor opted out.

When an invitation is sent, `follow_up_times` stores when its link expires and when its
reminder is due (the touchpoint's `reminder` for that channel, moved into the customer's send
window; none when the link would have expired by then). A cron enqueues the due reminders
every minute, each as a job whose id names the invitation, and `send_reminder` claims the
reminder with one conditional UPDATE that sets `reminded_at`: so two crons, two workers or a
retried job still send it at most once.

A reminder goes over the channel the touchpoint asked for when the invitation went out, by
the same write-then-send path as the invitation (`dispatch.delivery`), with the same
outcomes: its message row written first; a busy sender or a transient failure puts it back
after a backoff, until `max_send_attempts` attempts are spent; an unconfirmed attempt is
asked about before it is sent again; a permanent refusal is its end, and Twilio's 21610
records an opt-out. A reminder is a courtesy: whatever happens to it (no address any more,
an opt-out, consent to its channel withdrawn, a refusal) is logged and written on its
message row, and never changes the status of the invitation.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from arq.connections import ArqRedis
from tortoise.expressions import Q

from dispatch.delivery import Busy, Refused, Sent, deliver, draft_for
from dispatch.log_context import about_invitation
from dispatch.models import Message
from dispatch.optouts import is_opted_out
from dispatch.retries import backoff_seconds
from dispatch.routing import customer_addresses, declined, usable_routes
from journeys.scheduling import customer_zone
from journeys.schema import JourneyDefinition
from journeys.store import journey_definition
from journeys.windows import in_send_window, next_send_time
from surveys.expiry import expire_invitations
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch.reminders")

SEND_REMINDER = "send_reminder"
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
    lifetime: timedelta,
) -> dict[str, datetime | None]:
    """`expires_at` and `reminder_due_at` for an invitation sent now over `kind`.

    `invitation` must have its customer and touchpoint loaded."""
    expires_at = sent_at + lifetime
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
    return await expire_invitations(datetime.now(UTC), ctx["link_lifetime"])


async def send_reminder(ctx: dict[str, Any], invitation_id: int) -> str:
    about_invitation(invitation_id)
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
    asked = invitation.channel or ""
    if declined(invitation.customer.consent, asked):
        return _skipped(invitation_id, f"the customer has not consented to {asked}")
    routes = usable_routes([asked], customer_addresses(invitation.customer), ctx["channels"])
    if not routes:
        return _skipped(invitation_id, f"the customer has no {asked} address any more")
    route = routes[0]
    if await is_opted_out(route.address, route.requested.address_kind):
        return _skipped(invitation_id, f"{route.address} opted out")
    draft = draft_for(definition, invitation, route, ctx["public_url"], reminder=True)
    attempt = await deliver(invitation_id, route, route.requested.render(draft), reminder=True)
    if isinstance(attempt, Sent):
        log.info(
            "reminder for invitation %s sent by %s to %s",
            invitation_id,
            route.carrier.name,
            route.address,
        )
        return f"reminder sent by {route.carrier.name}"
    return await _not_sent(invitation_id, attempt, now, ctx["max_send_attempts"])


async def _not_sent(
    invitation_id: int, attempt: Refused | Busy, now: datetime, max_attempts: int
) -> str:
    """As for an invitation: a busy sender puts the reminder back without counting an
    attempt, a transient failure after a backoff until the attempts are spent; a permanent
    refusal is the reminder's end (one reminder, never two)."""
    if isinstance(attempt, Busy):
        return await _put_back(invitation_id, now, attempt.wait_seconds, attempt.reason)
    reason = attempt.error.reason
    if not attempt.error.permanent:
        tried = await Message.filter(invitation_id=invitation_id, reminder=True).count()
        if tried < max_attempts:
            return await _put_back(invitation_id, now, backoff_seconds(tried), reason)
        reason = f"{reason}; gave up after {tried} attempts"
    log.warning("reminder for invitation %s not sent: %s", invitation_id, reason)
    return f"reminder failed: {reason}"


async def _put_back(invitation_id: int, now: datetime, wait: float, reason: str) -> str:
    """Due again after `wait`, for a later run of the cron."""
    await Invitation.filter(id=invitation_id, reminded_at=now).update(
        reminded_at=None, reminder_due_at=now + timedelta(seconds=wait)
    )
    log.info("reminder for invitation %s put back: %s", invitation_id, reason)
    return f"reminder put back: {reason}"


def _skipped(invitation_id: int, why: str) -> str:
    log.info("no reminder for invitation %s: %s", invitation_id, why)
    return f"skipped: {why}"
