"""What customers wrote, readable: answers with their comments, themes and sentiment.

The console's comments page, the responses API, the answers export and `touchpoint comments`
all read answers through here, narrowed by the review's filters (`surveys.review_filters`)
and a few of their own: a theme, a sentiment, a score group, comments only.

Two ways to read:
- `list_answers` returns one page, newest first (answer id descending). The next page is
  asked for with `after_id`, the id of the last answer of the page before: it holds the
  answers with smaller ids. Paging by id never skips nor repeats an answer, however many
  share a timestamp, and an answer stored meanwhile does not shift the pages.
- `stream_answers` yields every answer of the range oldest first (id ascending), in batches
  read by keyset paging (`surveys.sql.fetch_batches`), so an export of a year holds one
  batch in memory at a time. Themes are read once per batch, never per answer.

`since` and `until` are dates or datetimes. A date is a day in the journey's time zone:
`since` from its midnight, `until` to the end of that day (so 2026-07-01 to 2026-09-30 is the
third quarter). A datetime without a time zone is read in the journey's time zone too; with
one, as given. `until` as a datetime is exclusive. An erased customer's answers keep their
scores and have no comment (erasure empties it), so they are listed as scores.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from journeys.models import Journey, Touchpoint
from surveys.review import check_filters
from surveys.review_filters import ReviewError, ReviewFilters, answer_conditions
from surveys.sql import dialect, fetch_all, fetch_batches

SENTIMENTS = ("positive", "neutral", "negative")
#: Score groups by the NPS answer: detractors 0-6, passives 7-8, promoters 9-10.
SCORE_GROUPS: dict[str, tuple[int, int]] = {
    "detractors": (0, 6),
    "passives": (7, 8),
    "promoters": (9, 10),
}
ScoreGroup = Literal["detractors", "passives", "promoters"]
NO_FILTERS = ReviewFilters()
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
#: Answers read per batch when streaming.
BATCH_SIZE = 1000
#: Bounds standing in for "no bound", so the SQL is the same with or without a period.
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
_LATEST = datetime(9999, 12, 30, tzinfo=UTC)

_COLUMNS = (
    "a.id, a.touchpoint_id, a.answered_at, a.nps, a.csat, a.comment, a.sentiment, a.locale, "
    "a.channel, a.segment, a.variant, a.experiment, a.source, a.interaction_at"
)


@dataclass(frozen=True)
class Comment:
    """One answer as a reader sees it: scores, what the customer wrote, and its labels."""

    answer_id: int
    touchpoint: str
    answered_at: datetime
    nps: int | None
    csat: int | None
    comment: str | None
    sentiment: str | None
    themes: list[str]
    locale: str | None
    channel: str | None
    segment: str | None
    variant: str | None = None
    experiment: str | None = None
    #: How the answer came: "web" (the survey page) or "sms" (a reply).
    source: str | None = None
    interaction_at: datetime | None = None

    @property
    def group(self) -> str | None:
        """detractor, passive or promoter; None without an NPS answer."""
        return score_group(self.nps)

    def as_dict(self) -> dict[str, Any]:
        return {
            "answer_id": self.answer_id,
            "touchpoint": self.touchpoint,
            "answered_at": self.answered_at.astimezone(UTC).isoformat(),
            "nps": self.nps,
            "csat": self.csat,
            "group": self.group,
            "comment": self.comment,
            "sentiment": self.sentiment,
            "themes": list(self.themes),
            "language": self.locale,
            "channel": self.channel,
            "segment": self.segment,
            "variant": self.variant,
            "experiment": self.experiment,
            "source": self.source,
            "interaction_at": (
                self.interaction_at.astimezone(UTC).isoformat() if self.interaction_at else None
            ),
        }


def score_group(nps: int | None) -> str | None:
    """detractor, passive or promoter (singular: what one answer is)."""
    if nps is None:
        return None
    return "promoter" if nps >= 9 else "passive" if nps >= 7 else "detractor"


# Cursors: the API hands back an opaque token rather than an id, so that paging can change
# its key later without breaking clients that keep tokens.


def encode_cursor(answer_id: int) -> str:
    return base64.urlsafe_b64encode(f"a{answer_id}".encode()).decode().rstrip("=")


def decode_cursor(text: str) -> int:
    """The answer id of a cursor; a ReviewError naming `cursor` for anything else."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if len(raw) < 2 or raw[0] != "a" or not raw[1:].isdigit() or len(raw) > 19:
        raise ReviewError("cursor", "not a cursor this API handed out; start without one")
    return int(raw[1:])


# Periods: since/until as the reader writes them, as UTC bounds.


def start_of(since: date | datetime | None, tz: ZoneInfo) -> datetime:
    if since is None:
        return _EARLIEST
    if isinstance(since, datetime):
        return _aware(since, tz)
    return datetime.combine(since, time(), tzinfo=tz).astimezone(UTC)


def end_of(until: date | datetime | None, tz: ZoneInfo) -> datetime:
    """A date's day is included; a datetime is the exclusive end."""
    if until is None:
        return _LATEST
    if isinstance(until, datetime):
        return _aware(until, tz)
    if until >= date.max:
        return _LATEST
    return datetime.combine(until + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)


def _aware(moment: datetime, tz: ZoneInfo) -> datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=tz)).astimezone(UTC)


@dataclass(frozen=True)
class _Scope:
    """A journey's touchpoints and time zone, read once per listing."""

    timezone: ZoneInfo
    keys: dict[int, str]  # touchpoint id -> key


async def journey_scope(journey_key: str) -> tuple[Journey, dict[int, str]]:
    """The journey and its touchpoints' keys by id; LookupError for an unknown journey."""
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey with key {journey_key!r}")
    rows = await Touchpoint.filter(journey_id=journey.id).values_list("id", "key")
    return journey, {int(id): str(key) for id, key in rows}


async def _where(
    journey_key: str,
    *,
    since: date | datetime | None,
    until: date | datetime | None,
    filters: ReviewFilters,
    theme: str | None,
    sentiment: str | None,
    comments_only: bool,
    group: str | None,
) -> tuple[_Scope, str, list[Any]]:
    journey, keys = await journey_scope(journey_key)
    await check_filters(journey_key, filters, None)
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise ReviewError("sentiment", f"one of {', '.join(SENTIMENTS)}, not {sentiment!r}")
    if group is not None and group not in SCORE_GROUPS:
        raise ReviewError("group", f"one of {', '.join(SCORE_GROUPS)}, not {group!r}")
    # check_filters has refused a touchpoint the journey does not have.
    ids = sorted(id for id, key in keys.items() if filters.touchpoint in (None, key))
    tz = ZoneInfo(journey.timezone)
    start, end = start_of(since, tz), end_of(until, tz)
    if start >= end:
        raise ReviewError("until", "the end of the range comes before its start")
    sql, params = answer_conditions(filters, ids, start, end)
    conditions = [sql]
    if comments_only:
        conditions.append("a.comment IS NOT NULL AND a.comment <> ''")
    if sentiment is not None:
        conditions.append("a.sentiment = ?")
        params.append(sentiment)
    if theme is not None:
        conditions.append(
            "EXISTS (SELECT 1 FROM answer_theme t WHERE t.answer_id = a.id AND t.theme = ?)"
        )
        params.append(theme)
    if group is not None:
        low, high = SCORE_GROUPS[group]
        conditions.append("a.nps BETWEEN ? AND ?")
        params += [low, high]
    return _Scope(tz, keys), " AND ".join(conditions), params


async def list_answers(
    journey_key: str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    filters: ReviewFilters = NO_FILTERS,
    theme: str | None = None,
    sentiment: str | None = None,
    comments_only: bool = False,
    after_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    group: str | None = None,
) -> list[Comment]:
    """One page of answers, newest first; pass the last one's id as `after_id` for the next."""
    page, _ = await page_answers(
        journey_key,
        since=since,
        until=until,
        filters=filters,
        theme=theme,
        sentiment=sentiment,
        comments_only=comments_only,
        after_id=after_id,
        limit=limit,
        group=group,
    )
    return page


async def page_answers(
    journey_key: str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    filters: ReviewFilters = NO_FILTERS,
    theme: str | None = None,
    sentiment: str | None = None,
    comments_only: bool = False,
    after_id: int | None = None,
    limit: int = DEFAULT_LIMIT,
    group: str | None = None,
) -> tuple[list[Comment], int | None]:
    """A page and the `after_id` of the next, None on the last page (one more answer is read
    to know, so a reader is never sent to an empty page)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise ReviewError("limit", f"from 1 to {MAX_LIMIT}, not {limit}")
    scope, where, params = await _where(
        journey_key,
        since=since,
        until=until,
        filters=filters,
        theme=theme,
        sentiment=sentiment,
        comments_only=comments_only,
        group=group,
    )
    if after_id is not None:
        where += " AND a.id < ?"
        params.append(after_id)
    rows = await fetch_all(
        f"SELECT {_COLUMNS} FROM answer a WHERE {where} ORDER BY a.id DESC LIMIT ?",
        [*params, limit + 1],
    )
    page = await _comments(rows[:limit], scope)
    return page, (page[-1].answer_id if len(rows) > limit else None)


async def stream_answers(
    journey_key: str,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    filters: ReviewFilters = NO_FILTERS,
    theme: str | None = None,
    sentiment: str | None = None,
    comments_only: bool = False,
    group: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> AsyncIterator[list[Comment]]:
    """Every answer of the range, oldest first, one batch at a time (flat memory).

    The filters are checked before the first batch is read, so a bad one raises at the first
    `__anext__`: a caller that must answer 400 before streaming reads one batch first."""
    scope, where, params = await _where(
        journey_key,
        since=since,
        until=until,
        filters=filters,
        theme=theme,
        sentiment=sentiment,
        comments_only=comments_only,
        group=group,
    )
    ((last,),) = await fetch_all(f"SELECT MAX(a.id) FROM answer a WHERE {where}", params)
    if last is None:
        return
    # Batches walk the primary key up to the range's last answer. SQLite without statistics
    # would rather read the touchpoint index and sort the whole rest of the range for every
    # batch (quadratic over a year of answers); NOT INDEXED keeps it on the key.
    table = "answer a NOT INDEXED" if dialect() == "sqlite" else "answer a"
    sql = (
        f"SELECT {_COLUMNS} FROM {table} WHERE {where} AND a.id <= ? "
        "AND a.id > ? ORDER BY a.id LIMIT ?"
    )
    async for rows in fetch_batches(sql, [*params, last], key_index=0, size=batch_size):
        yield await _comments(rows, scope)


async def _comments(rows: Sequence[tuple[Any, ...]], scope: _Scope) -> list[Comment]:
    themes = await themes_of([int(row[0]) for row in rows])
    return [
        Comment(
            answer_id=int(id),
            touchpoint=scope.keys.get(int(touchpoint_id), str(touchpoint_id)),
            answered_at=moment(answered_at),
            nps=nps,
            csat=csat,
            comment=comment or None,
            sentiment=sentiment,
            themes=themes.get(int(id), []),
            locale=locale,
            channel=channel,
            segment=segment,
            variant=variant,
            experiment=experiment,
            source=source,
            interaction_at=moment(interaction_at) if interaction_at is not None else None,
        )
        for (
            id,
            touchpoint_id,
            answered_at,
            nps,
            csat,
            comment,
            sentiment,
            locale,
            channel,
            segment,
            variant,
            experiment,
            source,
            interaction_at,
        ) in rows
    ]


async def themes_of(answer_ids: Sequence[int]) -> dict[int, list[str]]:
    """The themes of many answers in one statement, each answer's sorted by name."""
    if not answer_ids:
        return {}
    marks = ", ".join("?" for _ in answer_ids)
    rows = await fetch_all(
        f"SELECT answer_id, theme FROM answer_theme WHERE answer_id IN ({marks}) "
        "ORDER BY answer_id, theme",
        list(answer_ids),
    )
    found: dict[int, list[str]] = {}
    for answer_id, theme in rows:
        found.setdefault(int(answer_id), []).append(str(theme))
    return found


def moment(value: datetime | str) -> datetime:
    """A stored time as an aware UTC datetime (SQLite hands back its ISO text)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
