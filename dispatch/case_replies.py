"""Replies to the customer from a follow-up case: an agent writes, the customer gets an SMS or
an email, and the reply is kept on the case's timeline.

A reply is sent in the agent's request, not by a job: the agent is in a conversation and
must see at once whether the customer got it ("sent", or "the number is invalid"), not
learn minutes later that a retry went out while they had moved on; one message to one
provider takes well under a second. So nothing is retried behind the agent's back: a
refusal is shown and the agent decides (the text is kept in the form).

A reply goes only where the customer may be written to: a channel the customer declined
(`Customer.consent[channel]` is False), an address that opted out, or an address the
customer never gave is refused with a `CaseError` that names why, before anything is
written. Otherwise the Message (purpose "case-reply", on the case and its invitation) is
written before the provider is called and updated after (`dispatch.delivery.deliver`, as
every message to a customer), and once the provider took it the reply becomes a `reply`
note on the case and the case's first response is stamped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from dispatch.channels.base import OutgoingMessage
from dispatch.channels.registry import Channels, channel_named
from dispatch.delivery import Attempt, Busy, Refused, Sent, deliver
from dispatch.optouts import active_opt_out, suppression_reason
from dispatch.routing import Route, customer_addresses, usable_routes
from journeys.models import Customer
from journeys.schema import normalise_locale
from surveys.followups import ACTIVE, SYSTEM, Actor, CaseConflict, CaseError, add_note, clean_text
from surveys.models import CaseNote, FollowUpCase, Invitation
from surveys.responses import invitation_survey

log = logging.getLogger("touchpoint.dispatch.case_replies")

PURPOSE = "case-reply"
#: Twilio takes at most 1600 characters in one SMS body (ten segments or so).
LIMITS = {"phone": 1600, "email": 5000}
ADDRESS_WORDS = {"phone": "phone number", "email": "email address"}
#: An emailed reply's subject, in the customer's language.
SUBJECTS = {
    "en": "Your feedback on your {touchpoint} - {brand}",
    "zh-CN": "关于您对{touchpoint}的反馈 - {brand}",
}


class ReplyNotSent(CaseError):
    """The provider did not take the reply (or the sender is busy): nothing reached the
    customer that we know of; the agent may try again."""

    status = 502


@dataclass(frozen=True)
class CaseReply:
    note: CaseNote
    message_id: int
    #: What carried it: the channel asked for, or the console standing in for it.
    carrier: str


async def send_case_reply(
    channels: Channels,
    case: FollowUpCase,
    body: str,
    channel: str,
    actor: Actor,
    *,
    now: datetime | None = None,
) -> CaseReply:
    """Send `body` to the case's customer by `channel` and keep it on the case."""
    route = await reply_route(channels, case, channel)
    text = clean_text(body, "body", LIMITS[route.requested.address_kind])
    outgoing = await _outgoing(case, route, text)
    attempt = await _deliver(case, route, outgoing)
    if isinstance(attempt, Sent) and attempt.message.body != text:
        # The provider had an earlier reply after all (its send was unconfirmed): keep it on
        # the case, in the system's name as the message does not say who wrote it, then
        # send this one.
        earlier = attempt.message
        await add_note(
            case,
            earlier.body,
            SYSTEM,
            kind="reply",
            channel=channel,
            responded=True,
            now=earlier.created_at,
        )
        attempt = await _deliver(case, route, outgoing)
    if isinstance(attempt, Busy):
        seconds = max(1, round(attempt.wait_seconds))
        raise ReplyNotSent(f"{attempt.reason}; try again in {seconds} s", field="body")
    if isinstance(attempt, Refused):
        raise ReplyNotSent(_refusal(attempt), field=_field_of(attempt))
    note = await add_note(
        case,
        text,
        actor,
        kind="reply",
        channel=channel,
        responded=True,
        now=now or datetime.now(UTC),
    )
    log.info("case %s: reply by %s to %s", case.id, route.carrier.name, route.address)
    return CaseReply(note, attempt.message.id, route.carrier.name)


async def _deliver(case: FollowUpCase, route: Route, outgoing: OutgoingMessage) -> Attempt:
    invitation_id: int = case.invitation_id  # type: ignore[attr-defined]
    return await deliver(invitation_id, route, outgoing, case_id=case.id, purpose=PURPOSE)


async def reply_route(channels: Channels, case: FollowUpCase, channel: str) -> Route:
    """Where a reply by `channel` goes, or a CaseError saying why it may not go."""
    if case.status not in ACTIVE:
        raise CaseConflict(f"case {case.id} is {case.status.value}; replies go to open cases")
    kind = channel_named(channel)
    if kind is None:
        raise CaseError(f"{channel!r} is not a channel we send by", field="channel")
    customer = await Customer.get(id=case.customer_id)  # type: ignore[attr-defined]
    if (customer.consent or {}).get(channel) is False:
        raise CaseError(f"the customer declined {channel} messages", field="channel")
    routes = usable_routes([channel], customer_addresses(customer), channels)
    if not routes:
        words = ADDRESS_WORDS[kind.address_kind]
        raise CaseError(f"the customer has no {words} for {channel}", field="channel")
    route = routes[0]
    opted_out = await active_opt_out(route.address, kind.address_kind)
    if opted_out is not None:
        why = suppression_reason(opted_out)
        raise CaseError(f"{route.address} {why}: no {channel} goes there", field="channel")
    return route


async def _outgoing(case: FollowUpCase, route: Route, text: str) -> OutgoingMessage:
    invitation = await Invitation.get(id=case.invitation_id)  # type: ignore[attr-defined]
    subject = None
    if route.requested.address_kind == "email":
        asked = await invitation_survey(invitation)
        language = "zh-CN" if normalise_locale(invitation.locale) == "zh-CN" else "en"
        subject = SUBJECTS[language].format(
            touchpoint=asked.touchpoint_name(language), brand=asked.brand
        )
    return OutgoingMessage(invitation.id, route.address, text, subject, locale=invitation.locale)


def _refusal(attempt: Refused) -> str:
    """What the agent reads; an unconfirmed send may have reached the customer after all
    (the next reply on this channel asks the provider before it goes)."""
    if attempt.error.ambiguous:
        return (
            f"{attempt.error.reason}; the customer may have it after all, so look before you resend"
        )
    return attempt.error.reason


def _field_of(attempt: Refused) -> str:
    return "channel" if attempt.error.permanent else "body"
