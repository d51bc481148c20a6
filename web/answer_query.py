"""Which answers a reader asked for, read from a query string or the command line.

The responses API, the console's comments page, its CSV download and `touchpoint export`
narrow answers the same way, so one parser reads them all: the review's filters
(`touchpoint`, `channel`, `language`, `segment`, `variant`, `experiment`,
`attribute=name:value`, `count_by`) and `since`, `until` (a date such as 2026-07-01, a day
in the journey's time zone, or an ISO time), `period` (2026-Q3, 2026-10 or 2026-W42, in
place of since and until), `theme`, `sentiment`, `group` (detractors, passives, promoters)
and `comments=only`. Each bad value is a ReviewError naming its parameter.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journeys.periods import AnyPeriod, parse_any_period
from surveys.comments import SCORE_GROUPS, SENTIMENTS, start_of
from surveys.review_filters import ReviewError, ReviewFilters, filters_from_query

EXAMPLE_DAY = "2026-07-01"
EXAMPLE_TIME = "2026-07-01T09:00:00+08:00"


@dataclass(frozen=True)
class AnswerQuery:
    journey: str
    filters: ReviewFilters = field(default_factory=ReviewFilters)
    since: date | datetime | None = None
    until: date | datetime | None = None
    period: AnyPeriod | None = None
    theme: str | None = None
    sentiment: str | None = None
    group: str | None = None
    comments_only: bool = False

    def narrowing(self, timezone: ZoneInfo) -> dict[str, Any]:
        """Keyword arguments of `list_answers` and `stream_answers`."""
        since, until = self.since, self.until
        if self.period is not None:
            since, until = self.period.bounds(timezone)
        return {
            "since": since,
            "until": until,
            "filters": self.filters,
            "theme": self.theme,
            "sentiment": self.sentiment,
            "group": self.group,
            "comments_only": self.comments_only,
        }

    def as_query(self) -> dict[str, Any]:
        """The query again, for links that keep it (the next page, the CSV download)."""
        found: dict[str, Any] = {"journey": self.journey, **self.filters.as_query()}
        for name in ("since", "until", "period", "theme", "sentiment", "group"):
            value = getattr(self, name)
            if value is not None:
                found[name] = value.isoformat() if isinstance(value, date) else str(value)
        if self.comments_only:
            found["comments"] = "only"
        return found

    def bounds_text(self, timezone: ZoneInfo) -> str:
        """The range as a reader says it, for a file name: 2026-Q3, 2026-07-01_2026-09-30."""
        if self.period is not None:
            return str(self.period)
        if self.since is None and self.until is None:
            return "all"
        parts = (self.since, self.until)
        return "_".join(_day(part, timezone) if part else "" for part in parts)


def _day(value: date | datetime, timezone: ZoneInfo) -> str:
    if isinstance(value, datetime):
        return start_of(value, timezone).astimezone(timezone).strftime("%Y-%m-%dT%H%M")
    return value.isoformat()


def answer_query(journey: str, params: Mapping[str, Any] | Any) -> AnswerQuery:
    """Read the query (a starlette QueryParams or a plain mapping)."""
    since = moment_param(params.get("since"), "since")
    until = moment_param(params.get("until"), "until")
    period = None
    if text := _text(params.get("period")):
        if since is not None or until is not None:
            raise ReviewError("period", "give a period or since/until, not both")
        try:
            period = parse_any_period(text)
        except ValueError as error:
            raise ReviewError("period", str(error)) from None
    sentiment = _text(params.get("sentiment"))
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ReviewError("sentiment", f"one of {', '.join(SENTIMENTS)}, not {sentiment!r}")
    group = _text(params.get("group"))
    if group is not None and group not in SCORE_GROUPS:
        raise ReviewError("group", f"one of {', '.join(SCORE_GROUPS)}, not {group!r}")
    comments = _text(params.get("comments"))
    if comments not in (None, "only", "all"):
        raise ReviewError("comments", f"only (answers with a comment) or all, not {comments!r}")
    theme = _text(params.get("theme"))
    if theme is not None and len(theme) > 63:
        raise ReviewError("theme", "a theme's name is at most 63 characters")
    return AnswerQuery(
        journey=journey,
        filters=filters_from_query(params),
        since=since,
        until=until,
        period=period,
        theme=theme,
        sentiment=sentiment,
        group=group,
        comments_only=comments == "only",
    )


def moment_param(text: str | None, name: str) -> date | datetime | None:
    """A day (2026-07-01) or an ISO time, with or without its zone (then the journey's)."""
    text = _text(text)
    if text is None:
        return None
    try:
        if len(text) == len(EXAMPLE_DAY):
            found: date = date.fromisoformat(text)
        else:
            found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReviewError(
            name, f"a day such as {EXAMPLE_DAY} or a time such as {EXAMPLE_TIME}, not {text!r}"
        ) from None
    if not 1900 <= found.year <= 9000:
        raise ReviewError(name, f"a year from 1900 to 9000, not {found.year}")
    return found


def _text(value: Any) -> str | None:
    if value is None or not str(value).strip():
        return None
    return str(value).strip()
