"""SLA due times: a length of working time added to an instant, in wall-clock or business
hours (pure, no I/O).

Wall-clock time is plain elapsed time. Business time runs only on the business hours'
days, between their start and end in the journey's time zone, and never on a listed
holiday. (Business-hours arithmetic is filled in by the follow-up work; wall-clock is here.)
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from journeys.policies import BusinessHours


def due_after(
    start: datetime, length: timedelta, hours: BusinessHours | None, tz: ZoneInfo
) -> datetime:
    """The instant when `length` of working time has passed since `start` (aware, UTC out).
    `hours` None counts wall-clock time."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if hours is None:
        return start + length
    raise NotImplementedError("business hours")


def working_time_between(
    start: datetime, end: datetime, hours: BusinessHours | None, tz: ZoneInfo
) -> timedelta:
    """How much working time lies between two instants (zero when `end` is not later)."""
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    raise NotImplementedError("business hours")
