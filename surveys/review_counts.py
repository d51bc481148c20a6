"""The review's counts, summed by the database: one grouped query for answers, one for
invitations, however many touchpoints, periods and breakdown values there are.

Periods are buckets of one query: a CASE on the periods' bounds numbers each row's period,
so eight quarters of a trend cost one scan of the index on (touchpoint, time), not eight.
Every sum is a SUM(CASE WHEN ...), which SQLite and PostgreSQL read alike, and the rows that
come back are one per touchpoint x period x breakdown value: memory follows the number of
cells, never the number of answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

from surveys.review_filters import DIMENSION_COLUMNS, ReviewFilters, answer_conditions
from surveys.sql import fetch_all

#: The breakdown value of answers that do not carry the dimension (no segment, no `store`).
NOT_SET = "(none)"

#: The invitation's own column for each built-in dimension; segment is the customer's (as it
#: is now: an answer keeps the segment of when it was given, an invitation has none).
INVITATION_COLUMNS = {
    "channel": "i.channel",
    "language": "i.locale",
    "segment": "c.segment",
    "variant": "i.variant",
    "experiment": "i.experiment",
}


@dataclass(frozen=True)
class Counts:
    """What the database summed for one cell (a touchpoint, a period, a breakdown value)."""

    answers: int = 0
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    #: Answers with a CSAT, the satisfied among them (4 or 5), and their sum for the mean.
    csat_n: int = 0
    satisfied: int = 0
    csat_sum: int = 0
    #: Invitations sent in the period and how many of them were answered; None where the
    #: cell is narrowed by an attribute, which invitations do not carry.
    sent: int | None = 0
    responded: int | None = 0

    def __add__(self, other: Counts) -> Counts:
        def plus(a: int | None, b: int | None) -> int | None:
            return None if a is None or b is None else a + b

        return Counts(*(plus(getattr(self, f.name), getattr(other, f.name)) for f in fields(self)))


#: (touchpoint id, period index, breakdown value or "") -> counts
Cells = dict[tuple[int, int, str], Counts]


def period_buckets(bounds: Sequence[tuple[datetime, datetime]]) -> tuple[list[datetime], list[int]]:
    """The ends of consecutive intervals from the first start to the last end, and the index
    of the period each interval is (-1 for a gap between periods), for `bucket_sql`."""
    order = sorted(range(len(bounds)), key=lambda i: bounds[i][0])
    ends: list[datetime] = []
    indexes: list[int] = []
    for i in order:
        start, end = bounds[i]
        if ends and start < ends[-1]:
            raise ValueError("the periods of one review overlap: give periods of one kind")
        if ends and start > ends[-1]:
            ends.append(start)
            indexes.append(-1)
        ends.append(end)
        indexes.append(i)
    return ends, indexes


def bucket_sql(moment: str, ends: Sequence[datetime], indexes: Sequence[int]) -> tuple[str, list]:
    """CASE numbering a row by the period its `moment` falls in. Rows before the first start
    and from the last end on are left out by the WHERE clause, so each interval needs only
    its end; the CASEs nest as a binary search, a few comparisons a row for any number of
    periods (a trend of 60 months reads as fast as one of 8 quarters)."""

    def tree(low: int, high: int) -> tuple[str, list]:
        if low == high:
            return str(indexes[low]), []
        middle = (low + high) // 2
        before, before_params = tree(low, middle)
        after, after_params = tree(middle + 1, high)
        sql = f"CASE WHEN {moment} < ? THEN {before} ELSE {after} END"
        return sql, [ends[middle], *before_params, *after_params]

    return tree(0, len(ends) - 1)


def _group(value: Any) -> str:
    return NOT_SET if value is None or value == "" else str(value)


async def answer_counts(
    touchpoint_ids: Sequence[int],
    bounds: Sequence[tuple[datetime, datetime]],
    filters: ReviewFilters,
    by: str | None,
) -> Cells:
    """Answers per touchpoint x period x breakdown value (`by`: a built-in dimension or an
    attribute's name; answers without it fall under NOT_SET)."""
    if not touchpoint_ids or not bounds:
        return {}
    ends, indexes = period_buckets(bounds)
    moment = "a.answered_at" if filters.count_by == "answered" else "a.interaction_at"
    bucket, bucket_params = bucket_sql(moment, ends, indexes)
    join, join_params, group = "", [], "''"
    if by in DIMENSION_COLUMNS:
        group = DIMENSION_COLUMNS[by]
    elif by is not None:
        join = "LEFT JOIN answer_attribute g ON g.answer_id = a.id AND g.name = ?"
        join_params, group = [by], "g.value"
    where, where_params = answer_conditions(
        filters, touchpoint_ids, min(s for s, _ in bounds), ends[-1]
    )
    rows = await fetch_all(
        f"SELECT a.touchpoint_id, {bucket}, {group}, COUNT(*),"
        " SUM(CASE WHEN a.nps >= 9 AND a.nps <= 10 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.nps >= 7 AND a.nps <= 8 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.nps >= 0 AND a.nps <= 6 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.csat >= 1 AND a.csat <= 5 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.csat >= 4 AND a.csat <= 5 THEN 1 ELSE 0 END),"
        " SUM(CASE WHEN a.csat >= 1 AND a.csat <= 5 THEN a.csat ELSE 0 END)"
        f" FROM answer a {join} WHERE {where} GROUP BY 1, 2, 3",
        [*bucket_params, *join_params, *where_params],
    )
    cells: Cells = {}
    for touchpoint_id, index, value, *sums in rows:
        if index >= 0:
            found = Counts(*(int(s or 0) for s in sums), sent=0, responded=0)
            cells[(touchpoint_id, index, _group(value) if by else "")] = found
    return cells


def invitations_countable(filters: ReviewFilters, by: str | None) -> bool:
    """Invitations carry channel, language, variant and experiment, and reach the segment
    through their customer; an attribute is only on the answer."""
    return not filters.attributes and (by is None or by in INVITATION_COLUMNS)


async def invitation_counts(
    touchpoint_ids: Sequence[int],
    bounds: Sequence[tuple[datetime, datetime]],
    filters: ReviewFilters,
    by: str | None,
) -> dict[tuple[int, int, str], tuple[int, int]]:
    """Invitations sent per touchpoint x period x breakdown value, and how many of them were
    answered (whenever: a late answer lifts the rate of the period its invitation went in)."""
    if not touchpoint_ids or not bounds or not invitations_countable(filters, by):
        return {}
    ends, indexes = period_buckets(bounds)
    bucket, bucket_params = bucket_sql("i.sent_at", ends, indexes)
    marks = ", ".join("?" for _ in touchpoint_ids)
    where = [f"i.touchpoint_id IN ({marks})", "i.sent_at >= ?", "i.sent_at < ?"]
    params: list[Any] = [*touchpoint_ids, min(s for s, _ in bounds), ends[-1]]
    for name, column in INVITATION_COLUMNS.items():
        if (value := getattr(filters, name)) is not None:
            where.append(f"{column} = ?")
            params.append(value)
    needs_customer = filters.segment is not None or by == "segment"
    join = "JOIN customer c ON c.id = i.customer_id" if needs_customer else ""
    group = INVITATION_COLUMNS[by] if by else "''"
    rows = await fetch_all(
        f"SELECT i.touchpoint_id, {bucket}, {group}, COUNT(*),"
        " SUM(CASE WHEN i.status = 'answered' THEN 1 ELSE 0 END)"
        f" FROM invitation i {join} WHERE {' AND '.join(where)} GROUP BY 1, 2, 3",
        [*bucket_params, *params],
    )
    return {
        (touchpoint_id, index, _group(value) if by else ""): (int(sent), int(responded or 0))
        for touchpoint_id, index, value, sent, responded in rows
        if index >= 0
    }


async def cell_counts(
    touchpoint_ids: Sequence[int],
    bounds: Sequence[tuple[datetime, datetime]],
    filters: ReviewFilters,
    by: str | None,
) -> Cells:
    """Answers and invitations together, per touchpoint x period x breakdown value. A cell
    with invitations and no answers is there too (sent 40, answers 0)."""
    answers = await answer_counts(touchpoint_ids, bounds, filters, by)
    if not invitations_countable(filters, by):
        return {key: replace(found, sent=None, responded=None) for key, found in answers.items()}
    invitations = await invitation_counts(touchpoint_ids, bounds, filters, by)
    cells: Cells = {}
    for key in answers.keys() | invitations.keys():
        sent, responded = invitations.get(key, (0, 0))
        cells[key] = replace(answers.get(key, Counts()), sent=sent, responded=responded)
    return cells


async def distinct_values(
    column: str, touchpoint_ids: Sequence[int], *, limit: int = 21
) -> list[str]:
    """Up to `limit` values an answer of these touchpoints has in `column` (for a message
    listing what exists)."""
    if not touchpoint_ids:
        return []
    marks = ", ".join("?" for _ in touchpoint_ids)
    rows = await fetch_all(
        f"SELECT DISTINCT {column} FROM answer a WHERE a.touchpoint_id IN ({marks})"
        f" AND {column} IS NOT NULL ORDER BY 1 LIMIT ?",
        [*touchpoint_ids, limit],
    )
    return [str(row[0]) for row in rows]


async def has_value(column: str, value: str, touchpoint_ids: Sequence[int]) -> bool:
    if not touchpoint_ids:
        return False
    marks = ", ".join("?" for _ in touchpoint_ids)
    rows = await fetch_all(
        f"SELECT 1 FROM answer a WHERE a.touchpoint_id IN ({marks}) AND {column} = ? LIMIT 1",
        [*touchpoint_ids, value],
    )
    return bool(rows)


async def attribute_names(touchpoint_ids: Sequence[int], *, limit: int = 21) -> list[str]:
    if not touchpoint_ids:
        return []
    marks = ", ".join("?" for _ in touchpoint_ids)
    rows = await fetch_all(
        "SELECT DISTINCT f.name FROM answer_attribute f JOIN answer a ON a.id = f.answer_id"
        f" WHERE a.touchpoint_id IN ({marks}) ORDER BY 1 LIMIT ?",
        [*touchpoint_ids, limit],
    )
    return [str(row[0]) for row in rows]


async def attribute_values(
    name: str, touchpoint_ids: Sequence[int], *, limit: int = 21
) -> list[str]:
    if not touchpoint_ids:
        return []
    marks = ", ".join("?" for _ in touchpoint_ids)
    rows = await fetch_all(
        "SELECT DISTINCT f.value FROM answer_attribute f JOIN answer a ON a.id = f.answer_id"
        f" WHERE f.name = ? AND a.touchpoint_id IN ({marks}) ORDER BY 1 LIMIT ?",
        [name, *touchpoint_ids, limit],
    )
    return [str(row[0]) for row in rows]


async def has_attribute(name: str, value: str | None, touchpoint_ids: Sequence[int]) -> bool:
    if not touchpoint_ids:
        return False
    marks = ", ".join("?" for _ in touchpoint_ids)
    sql = (
        "SELECT 1 FROM answer_attribute f JOIN answer a ON a.id = f.answer_id"
        f" WHERE f.name = ? AND a.touchpoint_id IN ({marks})"
    )
    params: list[Any] = [name, *touchpoint_ids]
    if value is not None:
        sql += " AND f.value = ?"
        params.append(value)
    return bool(await fetch_all(sql + " LIMIT 1", params))
