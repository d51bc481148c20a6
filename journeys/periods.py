"""Reporting periods: calendar quarters such as 2026-Q3, read in the journey's time zone.

A quarter of a Shanghai journey starts at midnight in Shanghai, so its bounds in UTC are
eight hours earlier than a London journey's. Bounds are half-open, [start, end), so an
answer at the stroke of midnight belongs to exactly one quarter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

_PERIOD = re.compile(r"(?P<year>\d{4})-[Qq](?P<quarter>\d)")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int

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
