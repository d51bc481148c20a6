"""One attempt to deliver a message: write its row, call the channel, record the outcome.

Invitations (`dispatch.tasks`) and their reminders (`dispatch.reminders`) both go through
`deliver`, so both keep the same promises:

- the Message row is written before the provider is called, naming the channel that
  carries it and the channel the touchpoint asked for, so a worker that stops mid-send
  leaves a trace the stuck-send resolver can follow;
- when the last attempt on this channel ended `unconfirmed` (a timeout after the request
  left), the provider is asked first, and a message it already has is not sent again;
- a refusal is stored on the row (`failed`, or `unconfirmed` when the provider may have
  the message after all), and an opt-out with the provider itself (Twilio's 21610) is
  recorded as ours, so no other survey goes there either;
- a send that only waited for its turn (the sender is busy) leaves no row: nothing was tried.

What an attempt means for the invitation or the reminder (a retry, the next channel, a
final state) is the caller's to decide from the `Attempt` returned.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from dispatch.channels.base import ChannelError, Draft, OutgoingMessage, Receipt
from dispatch.metrics import count_message
from dispatch.models import Message
from dispatch.optouts import opt_out
from dispatch.ratelimit import SenderBusy
from dispatch.recovery import outgoing_lookup
from dispatch.rendering import unsubscribe_url
from dispatch.routing import Route
from journeys.schema import JourneyDefinition
from surveys.links import survey_url
from surveys.models import Invitation
from surveys.statements import execute, select

log = logging.getLogger("touchpoint.dispatch")


@dataclass(frozen=True)
class Sent:
    """The provider took the message (or had it already, from an unconfirmed attempt)."""

    message: Message
    receipt: Receipt


@dataclass(frozen=True)
class Refused:
    error: ChannelError


@dataclass(frozen=True)
class Busy:
    """The sender's turn is too far away; nothing was tried."""

    wait_seconds: float
    reason: str


Attempt = Sent | Refused | Busy

#: A new message's columns, its id returned.
_NEW_MESSAGE = (
    "invitation_id", "channel", "requested_channel", "reminder", "case_id", "purpose",
    "recipient", "subject", "body", "status", "created_at", "updated_at",
)  # fmt: skip
_INSERT = (
    f"INSERT INTO message ({', '.join(_NEW_MESSAGE)})"
    f" VALUES ({', '.join('?' * len(_NEW_MESSAGE))}) RETURNING id"
)
#: The message taken by the provider (written SQL: once per send, see `surveys.statements`).
_SENT = (
    "UPDATE message SET status = ?, provider_message_id = ?, error = NULL, updated_at = ?"
    " WHERE id = ?"
)


def draft_for(
    definition: JourneyDefinition,
    invitation: Invitation,
    route: Route,
    public_url: str,
    *,
    reminder: bool = False,
) -> Draft:
    """What the message says, before the requested channel words it. `invitation` must
    have its customer and touchpoint loaded."""
    return Draft(
        definition=definition,
        touchpoint=invitation.touchpoint.key,
        invitation_id=invitation.id,
        to=route.address,
        link=survey_url(public_url, invitation.token),
        locale=invitation.locale,
        variant=invitation.variant,
        first_name=(invitation.customer.attributes or {}).get("first_name"),
        unsubscribe=unsubscribe_url(public_url, invitation.token),
        reminder=reminder,
    )


async def deliver(
    invitation_id: int,
    route: Route,
    outgoing: OutgoingMessage,
    *,
    reminder: bool = False,
    case_id: int | None = None,
    purpose: str | None = None,
    earlier_attempts: bool = True,
) -> Attempt:
    """Send `outgoing` along `route` once, with its row written first and its outcome after.

    A follow-up case's messages (an agent's reply, the resolution survey) go the same way,
    under the case's invitation, with their `purpose` and `case_id`. `earlier_attempts`:
    False when the caller knows this is the first, so there is no unconfirmed one to ask
    the provider about (and no query to make)."""
    earlier = None
    if earlier_attempts:
        earlier = await _unconfirmed(invitation_id, route, reminder, purpose)
    if earlier is not None:
        try:
            found = await _ask_provider(route, earlier)
        except ChannelError as error:
            reason = f"cannot confirm the last attempt: {error.reason}"
            return Refused(ChannelError(reason, permanent=False))
        if found is not None:
            return await _record_sent(earlier, found)
    message = await _written(
        Message(
            invitation_id=invitation_id,
            channel=route.carrier.name,
            requested_channel=route.name,
            reminder=reminder,
            case_id=case_id,
            purpose=purpose,
            recipient=route.address,
            subject=outgoing.subject,
            body=outgoing.text,
        )
    )
    try:
        receipt = await route.carrier.send(outgoing)
    except SenderBusy as busy:
        await message.delete()
        return Busy(busy.wait_seconds, busy.reason)
    except ChannelError as error:
        await _record_refusal(message, route, error)
        return Refused(error)
    return await _record_sent(message, receipt)


async def _written(message: Message) -> Message:
    """The new message row, INSERTed as written SQL (once per send: `surveys.statements`)."""
    message.created_at = message.updated_at = datetime.now(UTC)
    values = [getattr(message, field) for field in _NEW_MESSAGE]
    [row] = await select(Message, _INSERT, values)
    message.id = row["id"]
    message._saved_in_db = True
    return message


async def _unconfirmed(
    invitation_id: int, route: Route, reminder: bool, purpose: str | None
) -> Message | None:
    latest = (
        await Message.filter(
            invitation_id=invitation_id,
            channel=route.carrier.name,
            reminder=reminder,
            purpose=purpose,
        )
        .order_by("-id")
        .first()
    )
    return latest if latest is not None and latest.status == "unconfirmed" else None


async def _ask_provider(route: Route, earlier: Message) -> Receipt | None:
    """The provider's receipt for the earlier message, or None when sending again is right:
    the provider surely has no such message, or cannot be asked (then at-least-once)."""
    found = await route.carrier.find_sent(outgoing_lookup(earlier))
    if isinstance(found, Receipt):
        log.info("invitation %s: the provider had the last attempt", earlier.invitation_id)  # type: ignore[attr-defined]
        return found
    await Message.filter(id=earlier.id).update(status="failed", updated_at=datetime.now(UTC))
    return None


async def _record_sent(message: Message, receipt: Receipt) -> Sent:
    # One write: a status callback finds a message by its provider id, which only this
    # write stores, so no callback can have moved the message on before it.
    values = ["sent", receipt.provider_message_id, datetime.now(UTC), message.id]
    await execute(Message, _SENT, values)
    count_message(message.channel, "sent")
    return Sent(message, receipt)


async def _record_refusal(message: Message, route: Route, error: ChannelError) -> None:
    """`unconfirmed` when the provider may have the message after all: the next attempt
    asks. The provider's own opt-out list refusing the address: the customer said STOP
    there, so it holds here too."""
    status = "unconfirmed" if error.ambiguous else "failed"
    await Message.filter(id=message.id).update(
        status=status, error=error.reason, updated_at=datetime.now(UTC)
    )
    count_message(message.channel, status)
    source = route.carrier.opt_out_source(error)
    if source is not None:
        await opt_out(route.address, route.requested.address_kind, source, note=error.reason)


async def carriers(invitation_ids: list[int]) -> dict[int, str]:
    """The channel that carried each of these invitations that went out: the one whose
    message the provider took (the console's, when it stood in for the channel asked for)."""
    rows = await (
        Message.filter(
            invitation_id__in=invitation_ids,
            reminder=False,
            purpose=None,
            provider_message_id__isnull=False,
        )
        .order_by("id")
        .values_list("invitation_id", "channel")
    )
    return {invitation_id: channel for invitation_id, channel in rows}
