"""Sending the resolution survey: once, by the channel of the original survey, in the window.

Resolving a case schedules its survey (`surveys.followups.resolve`: status `scheduled`,
a token, `send_at` now). Every minute `send_due_resolution_surveys` queues one job per due
case, its id naming the case, so a case is never queued twice. The job claims the survey
with one conditional UPDATE (scheduled -> sending), so two workers or a retried job never
both send it, then:

- outside the customer's send window (the journey's window, in the customer's time zone or
  else the journey's), it goes back to `scheduled` at the next opening;
- a customer with no address on the original survey's channel, who declined that channel
  (`Customer.consent[channel]` is False), whose data was erased, or whose address opted
  out, is not asked: `suppressed`, with the reason;
- otherwise `dispatch.delivery` sends it (row first, outcome after, `purpose`
  resolution-survey, the case's id): `sent`; a busy sender or a transient failure puts it
  back on the schedule after a backoff until `max_send_attempts` are spent (`failed`); a
  permanent refusal is `failed` with its reason.

The contact policy (days between surveys, surveys per quarter) does not hold it back: it
answers the customer's own complaint, and it goes once.

A worker that stops mid-send leaves the survey `sending`; `resolve_stuck_resolution_surveys`
settles it after the stuck-send grace period by what can be known, as the invitations'
resolver does: no message row -> `scheduled` again (the provider never heard of it); the
row says sent -> `sent`; the provider, asked, has it -> `sent`, surely not -> `scheduled`;
it cannot tell -> `unknown`, never sent twice (the page still takes an answer). A provider
that cannot be reached is asked again on later runs, for a day.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from arq.connections import ArqRedis

from dispatch.channels.base import ChannelError, NotSent, Receipt
from dispatch.channels.registry import Channels
from dispatch.delivery import Busy, Refused, deliver
from dispatch.log_context import about_case, about_invitation
from dispatch.models import Message
from dispatch.optouts import active_opt_out, suppression_reason
from dispatch.recovery import GIVE_UP, outgoing_lookup
from dispatch.rendering import unsubscribe_url
from dispatch.resolution_wording import (
    NoWording,
    ResolutionDraft,
    resolution_url,
    word_resolution_survey,
)
from dispatch.retries import backoff_seconds
from dispatch.routing import Route, customer_addresses, usable_routes
from journeys.scheduling import customer_zone
from journeys.store import journey_definition
from journeys.windows import in_send_window, next_send_time
from surveys.models import FollowUpCase, Invitation

log = logging.getLogger("touchpoint.dispatch.resolution")

SEND_RESOLUTION_SURVEY = "send_resolution_survey"
PURPOSE = "resolution-survey"
PAGE = 500


def job_id(case_id: int) -> str:
    return f"resolution-survey:{case_id}"


async def enqueue_resolution_survey(redis: ArqRedis, case_id: int) -> bool:
    """Queue the case's survey now (after a resolve, say); False when it is queued already."""
    job = await redis.enqueue_job(SEND_RESOLUTION_SURVEY, case_id, _job_id=job_id(case_id))
    return job is not None


async def send_due_resolution_surveys(ctx: dict[str, Any]) -> int:
    """Cron: queue every resolution survey that is due; returns how many were new."""
    now, queued, last_id = datetime.now(UTC), 0, 0
    while True:
        due = await (
            FollowUpCase.filter(
                resolution_survey_status="scheduled",
                resolution_survey_send_at__lte=now,
                id__gt=last_id,
            )
            .order_by("id")
            .limit(PAGE)
            .values_list("id", flat=True)
        )
        for case_id in due:
            queued += await enqueue_resolution_survey(ctx["redis"], case_id)
        if len(due) < PAGE:
            return queued
        last_id = due[-1]


def _survey(case_id: int, *statuses: str) -> Any:
    return FollowUpCase.filter(id=case_id, resolution_survey_status__in=list(statuses))


async def _settle(case_id: int, status: str, reason: str | None = None, **more: Any) -> str:
    """From sending to `status`, with its reason."""
    now = datetime.now(UTC)
    await _survey(case_id, "sending").update(
        resolution_survey_status=status, resolution_survey_reason=reason, updated_at=now, **more
    )
    log.info("resolution survey of case %s %s%s", case_id, status, f": {reason}" if reason else "")
    return f"{status}: {reason}" if reason else status


async def _put_back(case_id: int, when: datetime, reason: str) -> str:
    await _survey(case_id, "sending").update(
        resolution_survey_status="scheduled",
        resolution_survey_send_at=when,
        resolution_survey_reason=reason,
        updated_at=datetime.now(UTC),
    )
    return f"deferred to {when:%Y-%m-%d %H:%M} UTC: {reason}"


async def send_resolution_survey(ctx: dict[str, Any], case_id: int) -> str:
    about_case(case_id)
    now = datetime.now(UTC)
    claimed = await FollowUpCase.filter(
        id=case_id, resolution_survey_status="scheduled", resolution_survey_send_at__lte=now
    ).update(resolution_survey_status="sending", updated_at=now)
    if not claimed:
        return "skipped: not due, or taken by another worker"
    case = await FollowUpCase.get(id=case_id)
    about_invitation(case.invitation_id)  # type: ignore[attr-defined]
    invitation = await Invitation.get(id=case.invitation_id).prefetch_related(  # type: ignore[attr-defined]
        "customer", "touchpoint__journey"
    )
    definition = await journey_definition(invitation.touchpoint.journey, invitation.journey_version)
    customer = invitation.customer
    zone = customer_zone(customer.timezone, definition.timezone)
    if not in_send_window(now, definition.send_window, zone):
        later = next_send_time(now, definition.send_window, zone)
        return await _put_back(case_id, later, "outside the send window")
    route_or_reason = await _route(ctx["channels"], invitation)
    if isinstance(route_or_reason, str):
        return await _settle(case_id, "suppressed", route_or_reason)
    return await _send(ctx, case, invitation, definition, route_or_reason)


async def _route(channels: Channels, invitation: Invitation) -> Route | str:
    """The original survey's channel to this customer, or why the customer is not asked."""
    channel, customer = invitation.channel, invitation.customer
    if not channel:
        return "the original survey went out on no channel"
    if customer.erased_at is not None:
        return "the customer's personal data was erased"
    if (customer.consent or {}).get(channel) is False:
        return f"the customer declined {channel}"
    routes = usable_routes([channel], customer_addresses(customer), channels)
    if not routes:
        return f"no {channel} address"
    route = routes[0]
    found = await active_opt_out(route.address, route.requested.address_kind)
    return suppression_reason(found) if found is not None else route


async def _send(
    ctx: dict[str, Any], case: FollowUpCase, invitation: Invitation, definition: Any, route: Route
) -> str:
    public_url = ctx["public_url"]
    draft = ResolutionDraft(
        definition=definition,
        touchpoint=invitation.touchpoint.key,
        invitation_id=invitation.id,
        locale=invitation.locale,
        link=resolution_url(public_url, case.resolution_survey_token or ""),
        first_name=(invitation.customer.attributes or {}).get("first_name"),
        unsubscribe=unsubscribe_url(public_url, invitation.token),
    )
    try:
        outgoing = word_resolution_survey(route, draft)
    except NoWording as error:
        return await _settle(case.id, "failed", str(error))
    attempt = await deliver(invitation.id, route, outgoing, case_id=case.id, purpose=PURPOSE)
    now = datetime.now(UTC)
    if isinstance(attempt, Busy):
        return await _put_back(
            case.id, now + timedelta(seconds=attempt.wait_seconds), attempt.reason
        )
    if isinstance(attempt, Refused):
        return await _refused(ctx, case.id, route, attempt.error, now)
    return await _settle(
        case.id, "sent", resolution_survey_sent_at=now, resolution_survey_channel=route.name
    )


async def _refused(
    ctx: dict[str, Any], case_id: int, route: Route, error: ChannelError, now: datetime
) -> str:
    reason = f"{route.name}: {error.reason}" + (f" (code {error.code})" if error.code else "")
    if error.permanent:
        return await _settle(case_id, "failed", reason)
    tried = await Message.filter(case_id=case_id, purpose=PURPOSE).count()
    if tried < ctx["max_send_attempts"]:
        return await _put_back(case_id, now + timedelta(seconds=backoff_seconds(tried)), reason)
    return await _settle(case_id, "failed", f"{reason}; gave up after {tried} attempts")


# -- a worker stopped mid-send ---------------------------------------------------------


async def resolve_stuck_resolution_surveys(ctx: dict[str, Any]) -> int:
    """Cron: settle every resolution survey left `sending` past the grace period."""
    now = datetime.now(UTC)
    cutoff = now - ctx["stuck_send_grace"]
    stuck = await FollowUpCase.filter(
        resolution_survey_status="sending", updated_at__lt=cutoff
    ).order_by("id")
    settled = 0
    for case in stuck:
        settled += await _resolve_stuck(ctx["channels"], case, cutoff)
    return settled


async def _resolve_stuck(channels: Channels, case: FollowUpCase, cutoff: datetime) -> bool:
    message = await Message.filter(case_id=case.id, purpose=PURPOSE).order_by("-id").first()
    now = datetime.now(UTC)
    again = {"resolution_survey_status": "scheduled", "resolution_survey_send_at": now}
    message_update: dict[str, Any] = {}
    if message is None or message.status in ("failed", "unconfirmed"):
        # The provider never took it (or the next attempt asks it first): send it again.
        reason, changes = "worker stopped during the send; retrying", again
    elif message.status == "sent":
        reason, changes = None, _sent(message)
    else:
        found = await _ask(channels, message, case, now)
        if found == "later":
            return False
        if isinstance(found, Receipt):
            reason, changes = None, _sent(message)
            message_update = {"status": "sent", "provider_message_id": found.provider_message_id}
        elif isinstance(found, NotSent):
            reason, changes = "worker stopped during the send; the provider never got it", again
            message_update = {"status": "failed", "error": "never reached the provider"}
        else:
            reason = "worker stopped during the send; the provider cannot be asked"
            changes = {"resolution_survey_status": "unknown"}
            message_update = {"status": "unknown", "error": reason}
    done = await FollowUpCase.filter(
        id=case.id, resolution_survey_status="sending", updated_at__lt=cutoff
    ).update(resolution_survey_reason=reason, updated_at=now, **changes)
    if done and message is not None and message_update:
        await Message.filter(id=message.id, status="sending").update(
            updated_at=now, **message_update
        )
    if done:
        status = changes["resolution_survey_status"]
        log.info("stuck resolution survey of case %s: %s", case.id, status)
    return bool(done)


def _sent(message: Message) -> dict[str, Any]:
    return {
        "resolution_survey_status": "sent",
        "resolution_survey_sent_at": message.created_at,
        "resolution_survey_channel": message.requested_channel or message.channel,
    }


async def _ask(
    channels: Channels, message: Message, case: FollowUpCase, now: datetime
) -> Receipt | NotSent | Literal["later"] | None:
    """The provider's word on a message that may have reached it; None when it cannot say.
    A provider that cannot be reached is asked again on later runs, for a day."""
    channel = channels.running(message.channel)
    if channel is None:
        return None
    try:
        return await channel.find_sent(outgoing_lookup(message))
    except ChannelError as error:
        if error.permanent or case.updated_at < now - GIVE_UP:
            return None
        log.warning("stuck resolution survey of case %s: asked again later", case.id)
        return "later"
