"""Reporting periods: calendar quarters such as 2026-Q3, read in the journey's time zone.

A quarter of a Shanghai journey starts at midnight in Shanghai, so its bounds in UTC are
eight hours earlier than a London journey's. Bounds are half-open, [start, end), so an
answer at the stroke of midnight belongs to exactly one quarter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

_PERIOD = re.compile(r"(?P<year>\d{4})-[Qq](?P<quarter>\d)")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

    kind = "quarter"

    def __post_init__(self) -> None:
        if not 1 <= self.quarter <= 4:
            raise ValueError(f"a quarter is 1 to 4, not {self.quarter}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"a year is 1 to 9999, not {self.year}")

    def __str__(self) -> str:
        return f"{self.year:04d}-Q{self.quarter}"

    def previous(self) -> Period:
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def next(self) -> Period:
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """The quarter's [start, end) in UTC, for comparing with stored UTC times."""
        start = datetime(self.year, 3 * self.quarter - 2, 1, tzinfo=tz)
        if self.quarter == 4:
            end = datetime(self.year + 1, 1, 1, tzinfo=tz)
        else:
            end = datetime(self.year, 3 * self.quarter + 1, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def parse_period(text: str) -> Period:
    """Read "2026-Q3" (the form in URLs and on the command line)."""
    if not isinstance(text, str):
        raise ValueError(f"a period is written like 2026-Q3, not {text!r}")
    match = _PERIOD.fullmatch(text.strip())
    if not match:
        raise ValueError(f"a period is written like 2026-Q3 (year, dash, Q1 to Q4), not {text!r}")
    quarter = int(match["quarter"])
    if not 1 <= quarter <= 4:
        raise ValueError(f"a year has quarters Q1 to Q4, not Q{quarter} (in {text!r})")
    return Period(int(match["year"]), quarter)


def current_period(now: datetime, tz: ZoneInfo) -> Period:
    """The quarter `now` falls in, as seen in `tz` (a journey's time zone)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must carry a time zone, or the quarter could be off by a day")
    local = now.astimezone(tz)
    return Period(local.year, (local.month - 1) // 3 + 1)


# Months and weeks: the review's finer periods, with the quarter's interface (`bounds`,
# `previous`, `next`, `str`), so figures are computed the same way for any of the three.


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    kind = "month"

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"a month is 1 to 12, not {self.month}")
        if not 1 <= self.year <= 9999:
            raise ValueError(f"a year is 1 to 9999, not {self.year}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        following = self.next()
        start = datetime(self.year, self.month, 1, tzinfo=tz)
        end = datetime(following.year, following.month, 1, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week (Monday to Sunday), written 2026-W42."""

    year: int
    week: int

    kind = "week"

    def __post_init__(self) -> None:
        if not 1 <= self.year <= 9998:
            raise ValueError(f"a year is 1 to 9998, not {self.year}")
        weeks = date(self.year, 12, 28).isocalendar().week  # 28 December is in the last week
        if not 1 <= self.week <= weeks:
            raise ValueError(f"{self.year} has weeks W01 to W{weeks}, not W{self.week:02d}")

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def previous(self) -> Week:
        return week_of(self.monday() - timedelta(days=7))

    def next(self) -> Week:
        return week_of(self.monday() + timedelta(days=7))

    def bounds(self, tz: ZoneInfo) -> tuple[datetime, datetime]:
        monday = self.monday()
        start = datetime(monday.year, monday.month, monday.day, tzinfo=tz)
        following = monday + timedelta(days=7)
        end = datetime(following.year, following.month, following.day, tzinfo=tz)
        return start.astimezone(UTC), end.astimezone(UTC)


def week_of(day: date) -> Week:
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


#: A quarter, a month or an ISO week.
AnyPeriod = Period | Month | Week
PERIOD_KINDS = ("quarter", "month", "week")
_MONTH = re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})")
_WEEK = re.compile(r"(?P<year>\d{4})-[Ww](?P<week>\d{1,2})")


def parse_any_period(text: str) -> AnyPeriod:
    """Read a quarter (2026-Q3), a month (2026-10) or an ISO week (2026-W42)."""
    if not isinstance(text, str):
        raise ValueError(f"a period is written like 2026-Q3, 2026-10 or 2026-W42, not {text!r}")
    value = text.strip()
    if _PERIOD.fullmatch(value):
        return parse_period(value)
    try:
        if found := _MONTH.fullmatch(value):
            return Month(int(found["year"]), int(found["month"]))
        if found := _WEEK.fullmatch(value):
            return Week(int(found["year"]), int(found["week"]))
    except ValueError as error:
        raise ValueError(f"{error} (in {text!r})") from None
    raise ValueError(
        f"a period is written like 2026-Q3 (quarter), 2026-10 (month) or 2026-W42 (ISO week), "
        f"not {text!r}"
    )


def period_containing(now: datetime, tz: ZoneInfo, kind: str = "quarter") -> AnyPeriod:
    """The quarter, month or week `now` falls in, as seen in `tz`."""
    if kind == "quarter":
        return current_period(now, tz)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must carry a time zone, or the period could be off by a day")
    local = now.astimezone(tz)
    if kind == "month":
        return Month(local.year, local.month)
    if kind == "week":
        return week_of(local.date())
    raise ValueError(f"a period is a quarter, a month or a week, not {kind!r}")


def periods_ending(last: AnyPeriod, count: int) -> list[AnyPeriod]:
    """`count` periods of `last`'s kind, oldest first, ending with `last` (for trends)."""
    found = [last]
    while len(found) < count:
        found.append(found[-1].previous())
    return found[::-1]
