"""When an invitation is sent: sampling, delay, staleness and the customer's send window.

Pure: values in, values out. Events are retried by the systems that send them, so every
decision here depends only on its inputs and a retried event decides the same way.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from journeys.policies import SendWindow
from journeys.schema import TouchpointDefinition
from journeys.windows import next_send_time


@dataclass(frozen=True)
class SendPlan:
    send_at: datetime
    stale: bool = False
    reason: str | None = None


def is_sampled(event_id: str, touchpoint_key: str, rate: float) -> bool:
    """Hash instead of random, so a redelivered event is sampled exactly as the first time."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"{event_id}\x1f{touchpoint_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def plan_invitation(
    occurred_at: datetime,
    now: datetime,
    touchpoint: TouchpointDefinition,
    window: SendWindow,
    tz: ZoneInfo,
) -> SendPlan:
    """Late events (an import of last month's orders) must not survey people about old news."""
    due = (occurred_at + touchpoint.delay).astimezone(UTC)
    if now > due + touchpoint.max_age:
        reason = f"stale: due {due:%Y-%m-%d %H:%M} UTC, more than {_spoken(touchpoint.max_age)} ago"
        return SendPlan(send_at=due, stale=True, reason=reason)
    return SendPlan(send_at=next_send_time(max(due, now), window, tz))


def customer_zone(customer_timezone: str | None, journey_timezone: str) -> ZoneInfo:
    """Business systems send whatever they hold; a zone we cannot read falls back quietly."""
    for name in (customer_timezone, journey_timezone):
        if name:
            try:
                return ZoneInfo(name.strip())
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
    return ZoneInfo("UTC")


def _spoken(span: timedelta) -> str:
    if span % timedelta(days=1) == timedelta(0):
        return _plural(span.days, "day")
    if span % timedelta(hours=1) == timedelta(0):
        return _plural(span // timedelta(hours=1), "hour")
    return _plural(span // timedelta(minutes=1), "minute")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
