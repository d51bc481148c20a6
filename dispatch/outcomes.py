"""Storing how one send attempt ended, on the invitation and its message.

Every change to the invitation is conditional on its still being `sending`, the state the
claim put it in, so a late outcome never overwrites what another path decided since (the
stuck-send resolver, an early status callback).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from arq import Retry
from tortoise.expressions import F

from dispatch.channels.base import ChannelError
from dispatch.metrics import count_ended, observe_send_delay
from dispatch.models import Message
from dispatch.retries import backoff_seconds
from dispatch.routing import Route
from surveys.models import Invitation, InvitationStatus
from surveys.statements import execute

log = logging.getLogger("touchpoint.dispatch")


@lru_cache(maxsize=8)
def _sent_sql(columns: tuple[str, ...]) -> str:
    """The sent write, written SQL (once per send: see `surveys.statements`); `columns`
    are the invitation's own (the follow-up times' names are fields)."""
    unknown = set(columns) - set(Invitation._meta.db_fields)
    if unknown:
        raise ValueError(f"not columns of invitation: {sorted(unknown)}")
    assigned = "".join(f", {column} = ?" for column in columns)
    return f"UPDATE invitation SET status = ?, reason = NULL{assigned} WHERE id = ? AND status = ?"


def _sending(invitation_id: int) -> Any:
    return Invitation.filter(id=invitation_id, status=InvitationStatus.SENDING)


async def finish(invitation: Invitation, status: InvitationStatus, reason: str) -> str:
    """A final state with its reason."""
    if await _sending(invitation.id).update(
        status=status, reason=reason[:300], updated_at=datetime.now(UTC)
    ):
        count_ended(status.value, reason)
    log.info("invitation %s %s: %s", invitation.id, status.value, reason)
    return f"{status.value}: {reason}"


async def defer(invitation: Invitation, until: datetime, reason: str) -> str:
    """Back on the schedule for `until`, without counting an attempt: nothing was tried.

    Raises arq's Retry, so the same job runs again at that time; if Redis loses it, the
    sweeper enqueues the invitation when it is due.
    """
    now = datetime.now(UTC)
    await _sending(invitation.id).update(
        status=InvitationStatus.SCHEDULED,
        send_at=until,
        reason=reason[:300],
        attempts=F("attempts") - 1,
        updated_at=now,
    )
    log.info("invitation %s deferred to %s: %s", invitation.id, until.isoformat(), reason)
    raise Retry(defer=max(until - now, timedelta(0)))


async def sent(
    invitation: Invitation, route: Route, sent_at: datetime, follow_up: dict[str, datetime | None]
) -> str:
    """The invitation went out; its message row holds the provider's id already."""
    columns = ("sent_at", "channel", *follow_up, "updated_at")
    values = [sent_at, route.name, *follow_up.values(), datetime.now(UTC)]
    sending = InvitationStatus.SENDING.value
    await execute(
        Invitation,
        _sent_sql(columns),
        [InvitationStatus.SENT.value, *values, invitation.id, sending],
    )
    observe_send_delay(route.carrier.name, (sent_at - invitation.send_at).total_seconds())
    log.info("invitation %s sent by %s to %s", invitation.id, route.carrier.name, route.address)
    return f"sent by {route.carrier.name}"


def failure_reason(route: Route, error: ChannelError) -> str:
    return f"{route.name}: {error.reason}" + (f" (code {error.code})" if error.code else "")


async def retry_later(
    invitation: Invitation,
    max_attempts: int,
    route: Route,
    error: ChannelError,
    first_wait: float,
) -> str:
    """A transient failure: back on the schedule after a backoff, or `failed` when the
    attempts are used up."""
    reason = failure_reason(route, error)
    if invitation.attempts >= max_attempts:
        spent = f"{reason}; gave up after {invitation.attempts} attempts"
        if await _maybe_delivered(invitation.id):
            # The provider may have the last message: neither failed nor sent is the truth.
            unsure = f"{spent}; the last attempt may have reached the provider"
            return await finish(invitation, InvitationStatus.UNKNOWN, unsure)
        return await finish(invitation, InvitationStatus.FAILED, spent)
    now = datetime.now(UTC)
    wait = backoff_seconds(invitation.attempts, first_wait=first_wait)
    retry_at = now + timedelta(seconds=wait)
    await _sending(invitation.id).update(
        status=InvitationStatus.SCHEDULED, send_at=retry_at, reason=reason, updated_at=now
    )
    log.warning("invitation %s: %s; retrying in %.0f s", invitation.id, reason, wait)
    raise Retry(defer=timedelta(seconds=wait))


async def _maybe_delivered(invitation_id: int) -> bool:
    return await Message.filter(invitation_id=invitation_id, status="unconfirmed").exists()
