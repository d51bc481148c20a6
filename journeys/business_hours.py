"""SLA due times: a length of working time added to an instant, in wall-clock or business
hours (pure, no I/O).

Wall-clock time is plain elapsed time. Business time runs only on the business hours'
days, between their start and end in the journey's time zone, and never on a listed
holiday. The rules:

- Working hours are read off the local clock: 09:00-18:00 is nine working hours on every
  working day, DST days too; the arithmetic is done in local wall time and only the
  answer is turned back into a UTC instant (a wall time skipped by a DST gap becomes the
  end of the gap, a repeated one its first occurrence, as for the send window).
- A start outside the hours (a weekend, a holiday, the evening) starts counting at the
  next opening. An end of 24:00 runs to midnight.
- The hours are half open, like the send window: 18:00 is already closed. So a due time
  that falls exactly at closing is given as the next opening: no working time passes in
  between, and a case is not late before the team is back.
- `working_time_between` is the inverse: `due_after(s, working_time_between(s, e))` is
  `e` when `e` is inside the hours, else the next opening after `e`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journeys.policies import BusinessHours
from journeys.windows import first_instant_at

_DAY = timedelta(days=1)


def due_after(
    start: datetime, length: timedelta, hours: BusinessHours | None, tz: ZoneInfo
) -> datetime:
    """The instant when `length` of working time has passed since `start` (aware, UTC out).
    `hours` None counts wall-clock time."""
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    if hours is None:
        return (start + length).astimezone(UTC)
    remaining = max(length, timedelta(0))
    for opening, closing in _working_spans(_local(start, tz), hours):
        if opening + remaining < closing:
            return _instant(opening + remaining, tz)
        remaining -= closing - opening
    raise AssertionError("business hours never open")  # pragma: no cover


def working_time_between(
    start: datetime, end: datetime, hours: BusinessHours | None, tz: ZoneInfo
) -> timedelta:
    """How much working time lies between two instants (zero when `end` is not later)."""
    if end <= start:
        return timedelta(0)
    if hours is None:
        return end - start
    until = _local(end, tz)
    worked = timedelta(0)
    for opening, closing in _working_spans(_local(start, tz), hours):
        if opening >= until:
            break
        worked += min(closing, until) - opening
    return worked


def is_open(instant: datetime, hours: BusinessHours, tz: ZoneInfo) -> bool:
    """Whether the business hours are running at `instant`."""
    wall = _local(instant, tz)
    return any(opening <= wall for opening, _ in _spans_of(wall.date(), hours, wall))


def is_working_day(day: date, hours: BusinessHours) -> bool:
    return day.weekday() in hours.weekdays and day not in hours.holidays


def _working_spans(since: datetime, hours: BusinessHours) -> Iterator[tuple[datetime, datetime]]:
    """The working hours from `since` on, day by day, in local wall time; the first is cut
    to start at `since` when it is already open."""
    day = since.date()
    while True:
        yield from _spans_of(day, hours, since)
        day += _DAY


def _spans_of(day: date, hours: BusinessHours, since: datetime) -> list[tuple[datetime, datetime]]:
    """The day's working hours after `since`, if any (a list of none or one)."""
    if not is_working_day(day, hours):
        return []
    opening = max(datetime.combine(day, hours.start), since)
    closing = _closing(day, hours)
    return [(opening, closing)] if opening < closing else []


def _closing(day: date, hours: BusinessHours) -> datetime:
    if hours.end == time.max:  # "24:00": midnight at the end of the day
        return datetime.combine(day + _DAY, time.min)
    return datetime.combine(day, hours.end)


def _local(instant: datetime, tz: ZoneInfo) -> datetime:
    """The local wall time of an instant, without its zone."""
    return instant.astimezone(tz).replace(tzinfo=None)


def _instant(wall: datetime, tz: ZoneInfo) -> datetime:
    return first_instant_at(wall.date(), wall.time(), tz)
