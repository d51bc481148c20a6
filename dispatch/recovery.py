"""Resolving invitations stuck in `sending` because a worker stopped in the middle of a send.

The send task claims an invitation (scheduled -> sending), writes the Message row, calls the
provider, then stores the outcome. A worker killed anywhere in between leaves the invitation
in `sending` for good. Sending it again could send it twice, and never sending it loses it,
so each one is resolved by what can be known:

- no Message row: the provider was never called; back to `scheduled` and on the queue at once;
- the latest row says `sent`: only the invitation's own update was lost; it becomes `sent`;
- otherwise the channel is asked (`Channel.find_sent`; Twilio lists messages by recipient
  and time): found -> `sent` with the provider's id; surely not there -> `scheduled` for a
  normal retry (the claim already counted the attempt);
- and when the channel cannot tell (console, email): a row still `sending` means the
  provider may have the message, so the invitation ends `unknown`, a final state with its
  reason, because guessing either way breaks a guarantee; a row that recorded a failure is
  the last the provider heard of it (the worker stopped before rescheduling), so it is
  retried.

An invitation that has used all its attempts (`ctx["max_send_attempts"]`) is not retried
again but ends `failed`, so an invitation that stops its worker every time cannot loop.

A channel that cannot be reached right now is asked again on the next run, for a day, then
the invitation ends `unknown`.

Every change is one conditional UPDATE on "still sending and not touched since the grace
period", so a slow worker that finishes after all, or another resolver, never acts on the
same invitation twice. The grace period is far longer than the worker's job timeout, after
which arq has cancelled the send anyway.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from dispatch.channels.base import ChannelError, NotSent, OutgoingLookup, Receipt
from dispatch.channels.registry import Channels
from dispatch.metrics import count_ended
from dispatch.models import Message
from dispatch.queue import enqueue_invitations
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.dispatch.recovery")

#: How long an unreachable provider is asked again before the invitation ends `unknown`.
GIVE_UP = timedelta(days=1)
PAGE = 200

#: What became of one stuck invitation: settled, left for a later run, or to be retried.
Outcome = Literal["resolved", "requeued", "left", "retry"]

CANNOT_ASK = "worker stopped during the send; the provider cannot be asked"
RETRYING = "worker stopped during the send; the provider never got the message; retrying"


async def resolve_stuck_sends(ctx: dict[str, Any]) -> int:
    """An arq cron job: resolve every invitation stuck in `sending`; returns how many."""
    channels: Channels = ctx["channels"]
    now = datetime.now(UTC)
    cutoff = now - ctx["stuck_send_grace"]
    lifetime = ctx["link_lifetime"]
    resolved, last_id = 0, 0
    while True:
        stuck = (
            await Invitation.filter(
                status=InvitationStatus.SENDING, updated_at__lt=cutoff, id__gt=last_id
            )
            .order_by("id")
            .limit(PAGE)
        )
        if not stuck:
            return resolved
        requeued = []
        for invitation in stuck:
            outcome = await _resolve(invitation, channels, cutoff, now, lifetime)
            if outcome == "retry":
                outcome = await _retry(invitation, ctx.get("max_send_attempts"), cutoff, now)
            resolved += outcome in ("resolved", "requeued")
            if outcome == "requeued":
                requeued.append((invitation.id, now))
        if requeued and ctx.get("redis") is not None:
            # At once rather than at the next sweep, a minute later; a job of the stopped
            # worker still on the queue makes this a no-op, and the sweeper stays the net.
            await enqueue_invitations(ctx["redis"], requeued)
        last_id = stuck[-1].id


async def _resolve(
    invitation: Invitation, channels: Channels, cutoff: datetime, now: datetime, lifetime: timedelta
) -> Outcome:
    message = (
        await Message.filter(invitation_id=invitation.id, reminder=False).order_by("-id").first()
    )
    if message is None:
        return "retry"
    if message.status == "sent":
        receipt = Receipt(message.provider_message_id)
        return await _mark_sent(invitation.id, message, receipt, cutoff, now, lifetime)
    channel = channels.running(message.channel)
    found: Receipt | NotSent | None = None
    if channel is not None:
        lookup = outgoing_lookup(message)
        try:
            found = await channel.find_sent(lookup)
        except ChannelError as error:
            reason = f"{CANNOT_ASK}: {error.reason}"
            if error.permanent or invitation.updated_at < now - GIVE_UP:
                return await _mark_unknown(invitation.id, message, reason, cutoff, now)
            log.warning(
                "invitation %s stuck in sending; asked again later: %s", invitation.id, reason
            )
            return "left"
    if isinstance(found, Receipt):
        return await _mark_sent(invitation.id, message, found, cutoff, now, lifetime)
    if isinstance(found, NotSent) or message.status != "sending":
        return "retry"
    return await _mark_unknown(invitation.id, message, CANNOT_ASK, cutoff, now)


def outgoing_lookup(message: Message) -> OutgoingLookup:
    """What to ask the provider about a message that may or may not have reached it."""
    return OutgoingLookup(
        message.invitation_id,  # type: ignore[attr-defined]
        message.recipient,
        message.body,
        message.created_at,
    )


def _still_stuck(invitation_id: int, cutoff: datetime) -> Any:
    return Invitation.filter(
        id=invitation_id, status=InvitationStatus.SENDING, updated_at__lt=cutoff
    )


async def _mark_sent(
    invitation_id: int,
    message: Message,
    receipt: Receipt,
    cutoff: datetime,
    now: datetime,
    lifetime: timedelta,
) -> Outcome:
    """Sent when the message row was written; its link lasts a lifetime from then (no
    reminder: the worker that would have planned one is gone)."""
    changed = await _still_stuck(invitation_id, cutoff).update(
        status=InvitationStatus.SENT,
        sent_at=message.created_at,
        expires_at=message.created_at + lifetime,
        channel=message.requested_channel or message.channel,
        reason=None,
        updated_at=now,
    )
    if not changed:
        return "left"
    await Message.filter(id=message.id).update(
        status="sent", provider_message_id=receipt.provider_message_id, updated_at=now
    )
    log.info("invitation %s was sent before its worker stopped", invitation_id)
    return "resolved"


async def _retry(
    invitation: Invitation, max_attempts: int | None, cutoff: datetime, now: datetime
) -> Outcome:
    if max_attempts is not None and invitation.attempts >= max_attempts:
        reason = f"worker stopped during the send, {invitation.attempts} attempts used"
        status = InvitationStatus.FAILED
        update = {"status": status, "reason": reason, "updated_at": now}
    else:
        reason, status = RETRYING, InvitationStatus.SCHEDULED
        update = {"status": status, "send_at": now, "reason": reason, "updated_at": now}
    if not await _still_stuck(invitation.id, cutoff).update(**update):
        return "left"
    await Message.filter(invitation_id=invitation.id, status="sending").update(
        status="failed", error="never reached the provider", updated_at=now
    )
    log.info("invitation %s %s: %s", invitation.id, status.value, reason)
    return "requeued" if status == InvitationStatus.SCHEDULED else "resolved"


async def _mark_unknown(
    invitation_id: int, message: Message, reason: str, cutoff: datetime, now: datetime
) -> Outcome:
    changed = await _still_stuck(invitation_id, cutoff).update(
        status=InvitationStatus.UNKNOWN, reason=reason[:300], updated_at=now
    )
    if not changed:
        return "left"
    count_ended(InvitationStatus.UNKNOWN.value, reason)
    await _close_message(message, "unknown", reason, now)
    log.warning("invitation %s unknown: %s", invitation_id, reason)
    return "resolved"


async def _close_message(message: Message, status: str, error: str, now: datetime) -> None:
    """Only a row still `sending` is changed: a recorded outcome is never rewritten."""
    await Message.filter(id=message.id, status="sending").update(
        status=status, error=error, updated_at=now
    )
