"""The send window: when a customer may be messaged, in their own wall-clock time.

Pure date arithmetic, no I/O. The window is checked in local wall time, so "09:00-20:00" means
what the customer's clock shows, on DST days too:

- a start that does not exist (02:30 on a spring-forward night) opens the window at the first
  instant after the gap, when the clock already shows a later time;
- a start that happens twice (01:30 on a fall-back night) opens it at the first occurrence;
- a window that the repeated fall-back hour would open a second time is not searched for:
  the next opening after a closed window is the start of a following day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from journeys.policies import SendWindow

# A window opens on at least one weekday, so two weeks always find it; a day back covers zones
# whose clocks go back across midnight.
_DAYS_SEARCHED = range(-1, 15)


def in_send_window(instant: datetime, window: SendWindow, tz: ZoneInfo) -> bool:
    local = instant.astimezone(tz)
    if local.weekday() not in window.weekdays:
        return False
    clock = local.time()
    return window.start <= clock and (clock < window.end or window.end == time.max)


def next_send_time(earliest: datetime, window: SendWindow, tz: ZoneInfo) -> datetime:
    """The first instant at or after `earliest` inside the window, in UTC.

    A message is never sent early to fit a window: it waits for the next opening.
    """
    if earliest.tzinfo is None:
        raise ValueError("earliest must be an aware datetime")
    earliest = earliest.astimezone(UTC)
    if in_send_window(earliest, window, tz):
        return earliest
    first_day = earliest.astimezone(tz).date()
    for offset in _DAYS_SEARCHED:
        day = first_day + timedelta(days=offset)
        if day.weekday() not in window.weekdays:
            continue
        for fold in (0, 1):
            opening = first_instant_at(day, window.start, tz, fold=fold)
            if opening >= earliest and in_send_window(opening, window, tz):
                return opening
    raise AssertionError(f"send window {window} never opens")  # pragma: no cover


def first_instant_at(day: date, clock: time, tz: ZoneInfo, *, fold: int = 0) -> datetime:
    """The UTC instant when the local clock reads `clock` on `day`.

    fold=0 is the first of a repeated time, fold=1 the second. A time skipped by a DST gap
    gives the end of the gap, the first instant the clock has passed `clock`.
    """
    wall = datetime.combine(day, clock, tzinfo=tz).replace(fold=fold)
    instant = wall.astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) == wall.replace(tzinfo=None):
        return instant
    before = wall.replace(fold=1).astimezone(UTC)  # zoneinfo reads a gap time with the new offset
    after = wall.replace(fold=0).astimezone(UTC)  # ... or with the old one, landing past the gap
    return _transition_between(before, after, tz)


def _transition_between(before: datetime, after: datetime, tz: ZoneInfo) -> datetime:
    """Bisect to the whole second where the UTC offset changes; zoneinfo does not expose it."""
    low, high = int(before.timestamp()), int(after.timestamp())
    later_offset = after.astimezone(tz).utcoffset()
    while high - low > 1:
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, tz).utcoffset() == later_offset:
            high = middle
        else:
            low = middle
    return datetime.fromtimestamp(high, UTC)
