"""Expiry: a survey link takes answers for a while after it was sent, then the invitation
ends as `expired`.

`expires_at` is stored on the invitation when it is sent, so changing the lifetime setting
later does not shorten or lengthen links already out. An invitation left `unknown` by a
crash (perhaps sent, never stamped) has no `expires_at`: it expires a lifetime after it was
due. The marking is one conditional UPDATE on the status, so an answer that lands first
wins and an expired invitation cannot be answered (`surveys.responses.check_open`).
The count it returns is the count of invitations it ended, so
`touchpoint_invitations_ended_total{state="expired"}` adds exactly those.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from tortoise.expressions import Q

from surveys.metrics import count_ended
from surveys.models import Invitation, InvitationStatus

log = logging.getLogger("touchpoint.surveys")

#: Sent and unanswered: the statuses a link can expire from.
EXPIRABLE = (InvitationStatus.SENT, InvitationStatus.DELIVERED, InvitationStatus.UNKNOWN)


def is_expired(invitation: Invitation, now: datetime) -> bool:
    expires_at = invitation.expires_at
    return expires_at is not None and expires_at <= now


def expiry_reason(lifetime: timedelta) -> str:
    days = lifetime.days
    return f"no answer within {days} day{'' if days == 1 else 's'}"


async def expire_invitations(now: datetime, lifetime: timedelta) -> int:
    """Mark every unanswered invitation whose link has expired; returns how many.

    `lifetime` words the reason, and dates `unknown` invitations that were never stamped."""
    stamped = Q(expires_at__lte=now, status__in=EXPIRABLE)
    unstamped = Q(
        expires_at__isnull=True, status=InvitationStatus.UNKNOWN, send_at__lte=now - lifetime
    )
    reason = expiry_reason(lifetime)
    expired = await Invitation.filter(stamped | unstamped).update(
        status=InvitationStatus.EXPIRED, reason=reason, updated_at=now
    )
    count_ended(InvitationStatus.EXPIRED.value, reason, expired)
    if expired:
        log.info("%s invitations expired unanswered", expired)
    return expired
