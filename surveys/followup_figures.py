"""Follow-up figures by team, touchpoint or journey for a period: how fast and how well the
team closed the loop.

What is counted, for the cases opened in [start, end) (a calendar quarter of
`journeys.periods`, bounds in UTC), at the instant `now`:

- opened: cases opened in the period.
- first response: time from opening to the first response (the team reached the customer:
  a reply, a logged call); a case resolved without a recorded response counts its
  resolution as the first response. n = cases with a response so far.
- resolution: time from opening to resolution; n = cases resolved so far.
  Both are elapsed wall-clock time, waits on the customer included, whatever calendar the
  SLA counts in: how long the customer waited. The SLA shares below follow the SLA's own
  calendar, as the due times do.
- median and 90th percentile: nearest rank, the smallest time that at least 50% (90%) of
  the cases took no longer than; always a time some case took (for an even count the lower
  of the two middle times). None when n is 0.
- within SLA (first response, resolution): met = the clock stopped at or before its due
  time; missed = it stopped after it, or it still runs past its due at `now` (an open case
  past its due counts as missed without waiting for it to close). A clock still running
  before its due, or paused while the case waits on the customer, is not decided yet and
  not counted. n = met + missed.
- resolution satisfaction: the share of 4 and 5 among the resolution survey's answers
  (1-5), against the 90% target; met when at or above it, None with no answers.
- open now, overdue now: cases of the group still open or waiting at `now`, whenever they
  opened (the queue as it stands), and of those, the ones past a running due time.

The cases of a period are read as one list of value rows and summed here: percentiles are
not portable SQL across SQLite and PostgreSQL, and a quarter's cases are few.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from journeys.models import Journey
from journeys.periods import Period, current_period
from surveys.followups import ACTIVE, overdue_filter
from surveys.models import CaseStatus, FollowUpCase

GroupBy = Literal["team", "touchpoint", "journey"]
GROUPINGS: tuple[GroupBy, ...] = ("team", "touchpoint", "journey")
SATISFACTION_TARGET = 90.0
_FIELDS = (
    "journey_key",
    "team_key",
    "touchpoint__key",
    "status",
    "pause_while_waiting",
    "opened_at",
    "first_response_due_at",
    "first_responded_at",
    "resolution_due_at",
    "resolved_at",
    "resolution_score",
)


def nearest_rank(values: list[timedelta], percent: float) -> timedelta | None:
    """The `percent`th percentile by nearest rank: the value at rank ceil(p/100 x n)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def spoken_duration(value: timedelta | None) -> str:
    """A time as a person says it: 45m, 3h10m, 2d4h."""
    if value is None:
        return "-"
    minutes = round(value.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d{hours}h" if hours else f"{days}d"
    if hours:
        return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"
    return f"{minutes}m"


@dataclass(frozen=True)
class Times:
    """How long a clock took, over n cases."""

    median: timedelta | None
    p90: timedelta | None
    n: int

    @classmethod
    def of(cls, values: list[timedelta]) -> Times:
        return cls(nearest_rank(values, 50), nearest_rank(values, 90), len(values))

    def as_dict(self) -> dict[str, Any]:
        def seconds(value: timedelta | None) -> int | None:
            return None if value is None else round(value.total_seconds())

        return {
            "median_seconds": seconds(self.median),
            "p90_seconds": seconds(self.p90),
            "n": self.n,
        }


@dataclass(frozen=True)
class Share:
    """met out of n, as a percentage (None when n is 0)."""

    met: int
    n: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.n, 1) if self.n else None

    def as_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "met": self.met, "n": self.n}


@dataclass(frozen=True)
class CaseFigures:
    """The figures of one group: a team (None: cases with no team), a touchpoint of a
    journey, or a journey."""

    group_by: GroupBy
    key: str | None
    journey: str | None
    opened: int = 0
    first_response: Times = field(default_factory=lambda: Times.of([]))
    resolution: Times = field(default_factory=lambda: Times.of([]))
    first_response_within_sla: Share = Share(0, 0)
    resolution_within_sla: Share = Share(0, 0)
    satisfaction: Share = Share(0, 0)
    open_now: int = 0
    overdue_now: int = 0

    @property
    def satisfaction_target_met(self) -> bool | None:
        percent = self.satisfaction.percent
        return None if percent is None else percent >= SATISFACTION_TARGET

    @property
    def label(self) -> str:
        if self.key is None:
            return "no team"
        return f"{self.journey}/{self.key}" if self.group_by == "touchpoint" else self.key

    def as_dict(self) -> dict[str, Any]:
        return {
            self.group_by: self.key,
            **({"journey": self.journey} if self.group_by == "touchpoint" else {}),
            "opened": self.opened,
            "first_response": self.first_response.as_dict(),
            "resolution": self.resolution.as_dict(),
            "first_response_within_sla": self.first_response_within_sla.as_dict(),
            "resolution_within_sla": self.resolution_within_sla.as_dict(),
            "resolution_satisfaction": self.satisfaction.as_dict()
            | {"target": SATISFACTION_TARGET, "target_met": self.satisfaction_target_met},
            "open_now": self.open_now,
            "overdue_now": self.overdue_now,
        }


def _paused(case: dict[str, Any]) -> bool:
    return case["status"] == CaseStatus.WAITING and bool(case["pause_while_waiting"])


def _verdict(
    stopped: datetime | None, due: datetime | None, paused: bool, now: datetime
) -> bool | None:
    """True met, False missed, None not decided yet (see the module's docstring)."""
    if due is None:
        return None
    if stopped is not None:
        return stopped <= due
    if paused or now <= due:
        return None
    return False


def _share(verdicts: Iterable[bool | None]) -> Share:
    decided = [v for v in verdicts if v is not None]
    return Share(sum(decided), len(decided))


def summarise(
    group_by: GroupBy,
    key: str | None,
    journey: str | None,
    cases: list[dict[str, Any]],
    now: datetime,
) -> CaseFigures:
    """The figures of one group's cases opened in the period (pure: rows in, figures out)."""
    responded = [(c, c["first_responded_at"] or c["resolved_at"]) for c in cases]
    scores = [c["resolution_score"] for c in cases if c["resolution_score"] is not None]
    return CaseFigures(
        group_by,
        key,
        journey,
        opened=len(cases),
        first_response=Times.of([at - c["opened_at"] for c, at in responded if at is not None]),
        resolution=Times.of(
            [c["resolved_at"] - c["opened_at"] for c in cases if c["resolved_at"] is not None]
        ),
        first_response_within_sla=_share(
            _verdict(at, c["first_response_due_at"], _paused(c), now) for c, at in responded
        ),
        resolution_within_sla=_share(
            _verdict(c["resolved_at"], c["resolution_due_at"], _paused(c), now) for c in cases
        ),
        satisfaction=Share(sum(score >= 4 for score in scores), len(scores)),
    )


def _group_of(group_by: GroupBy, row: dict[str, Any]) -> tuple[str | None, str | None]:
    """(key, journey) of a case row."""
    if group_by == "team":
        return row["team_key"], None
    if group_by == "touchpoint":
        return row["touchpoint__key"], row["journey_key"]
    return row["journey_key"], None


async def case_figures(
    *,
    start: datetime,
    end: datetime,
    group_by: GroupBy,
    journey: str | None = None,
    now: datetime,
) -> list[CaseFigures]:
    """One `CaseFigures` per group with a case opened in [start, end) or open at `now`,
    sorted by key (cases with no team last)."""
    if group_by not in GROUPINGS:
        raise ValueError(f"group_by is one of {', '.join(GROUPINGS)}, not {group_by!r}")
    query = FollowUpCase.filter(journey_key=journey) if journey else FollowUpCase.all()
    opened = await query.filter(opened_at__gte=start, opened_at__lt=end).values(*_FIELDS)
    active = await query.filter(status__in=list(ACTIVE)).values(*_FIELDS[:3])
    overdue = await query.filter(overdue_filter(now)).values(*_FIELDS[:3])
    groups: dict[tuple[str | None, str | None], list[dict[str, Any]]] = {}
    for row in opened:
        groups.setdefault(_group_of(group_by, row), []).append(row)
    for row in active:
        groups.setdefault(_group_of(group_by, row), [])
    figures = [
        replace(
            summarise(group_by, key, in_journey, cases, now),
            open_now=sum(_group_of(group_by, r) == (key, in_journey) for r in active),
            overdue_now=sum(_group_of(group_by, r) == (key, in_journey) for r in overdue),
        )
        for (key, in_journey), cases in groups.items()
    ]
    return sorted(figures, key=lambda f: (f.key is None, f.journey or "", f.key or ""))


class UnknownJourney(LookupError):
    pass


@dataclass(frozen=True)
class FiguresReport:
    """The figures of one calendar quarter, as the API, the CLI and the dashboard show them.
    The quarter is read in the journey's time zone, or in UTC across journeys."""

    period: Period
    timezone: str
    group_by: GroupBy
    journey: str | None
    now: datetime
    figures: list[CaseFigures]

    def as_dict(self) -> dict[str, Any]:
        start, end = self.period.bounds(ZoneInfo(self.timezone))
        return {
            "period": str(self.period),
            "timezone": self.timezone,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "group_by": self.group_by,
            "journey": self.journey,
            "as_of": self.now.isoformat(),
            "satisfaction_target": SATISFACTION_TARGET,
            "figures": [figures.as_dict() for figures in self.figures],
        }


async def period_figures(
    period: Period | None, *, group_by: GroupBy, journey: str | None = None, now: datetime
) -> FiguresReport:
    """The figures of `period` (None: the current quarter) by `group_by`, of one journey or
    all. Raises UnknownJourney for a journey that does not exist."""
    timezone = "UTC"
    if journey is not None:
        found = await Journey.get_or_none(key=journey)
        if found is None:
            raise UnknownJourney(f"no journey with key {journey!r}")
        timezone = found.timezone
    zone = ZoneInfo(timezone)
    period = period or current_period(now, zone)
    start, end = period.bounds(zone)
    figures = await case_figures(start=start, end=end, group_by=group_by, journey=journey, now=now)
    return FiguresReport(period, timezone, group_by, journey, now, figures)
