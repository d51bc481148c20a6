"""Example comments for the review: per touchpoint, and per theme, unhappy customers first.

A room reading the review wants to hear the customers who are unhappy before the ones who
are pleased, and this quarter's newest words before older ones. The database ranks each
group's answers (ROW_NUMBER over the group) and hands back only the first few of each, so
the examples cost one query per kind whatever the number of answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from journeys.periods import AnyPeriod
from surveys.comments import Comment, moment, themes_of
from surveys.feedback_scope import (
    ANALYSED,
    COMMENTED,
    NO_FILTERS,
    UNHAPPY_FIRST,
    WHOLE,
    FeedbackScope,
    feedback_scope,
)
from surveys.review_filters import ReviewFilters
from surveys.sql import fetch_all

_NEWEST = "a.answered_at DESC, a.id DESC"


async def comment_examples(
    journey_key: str,
    period: AnyPeriod,
    *,
    filters: ReviewFilters = NO_FILTERS,
    per_touchpoint: int = 5,
) -> dict[str, list[Comment]]:
    """Per touchpoint key and "*": detractors first, then low CSAT (1 to 3), then the
    newest."""
    scope = await feedback_scope(journey_key, filters)
    where, params = scope.conditions(filters, period)
    order = f"{UNHAPPY_FIRST}, {_NEWEST}"
    ranked = await _ranked(f"{where} AND {COMMENTED}", params, order, per_touchpoint, scope, "")
    found = {key: ids for (key, _), ids in ranked.items()}
    comments = await comments_by_id([i for ids in found.values() for i in ids])
    return {key: [comments[i] for i in found.get(key, [])] for key in scope.keys}


async def theme_examples(
    scope: FeedbackScope, filters: ReviewFilters, period: AnyPeriod, per_theme: int
) -> dict[tuple[str, str], list[Comment]]:
    """Per (touchpoint key or "*", theme): detractors first, then the newest."""
    where, params = scope.conditions(filters, period)
    order = f"CASE WHEN a.nps <= 6 THEN 0 ELSE 1 END, {_NEWEST}"
    found = await _ranked(f"{where} AND {ANALYSED}", params, order, per_theme, scope, "th.theme")
    comments = await comments_by_id([i for ids in found.values() for i in ids])
    return {group: [comments[i] for i in ids] for group, ids in found.items()}


async def _ranked(
    where: str, params: list[Any], order: str, size: int, scope: FeedbackScope, by: str
) -> dict[tuple[str, str], list[int]]:
    """The first `size` answer ids of each group, per touchpoint and for the whole journey;
    grouped further by `by` (a column of `answer_theme th`) unless it is empty."""
    join = " JOIN answer_theme th ON th.answer_id = a.id" if by else ""
    extra = f", {by}" if by else ", ''"
    found: dict[tuple[str, str], list[int]] = {}
    for partition, whole in (("a.touchpoint_id", False), ("", True)):
        groups = ", ".join(p for p in (partition, by) if p)
        over = f"PARTITION BY {groups} ORDER BY {order}" if groups else f"ORDER BY {order}"
        rows = await fetch_all(
            f"SELECT id, touchpoint_id, grp FROM (SELECT a.id, a.touchpoint_id{extra} AS grp,"
            f" ROW_NUMBER() OVER ({over}) AS place FROM answer a{join} WHERE {where}) ranked"
            " WHERE place <= ? ORDER BY grp, place",
            [*params, size],
        )
        for answer_id, touchpoint_id, group in rows:
            key = WHOLE if whole else scope.touchpoints[touchpoint_id]
            found.setdefault((key, group), []).append(answer_id)
    return found


async def comments_by_id(ids: Sequence[int]) -> dict[int, Comment]:
    """The answers as the comments page shows them."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    themes = await themes_of(ids)
    rows = await fetch_all(
        "SELECT a.id, t.key, a.answered_at, a.nps, a.csat, a.comment, a.sentiment, a.locale,"
        " a.channel, a.segment, a.variant, a.experiment, a.source, a.interaction_at"
        f" FROM answer a JOIN touchpoint t ON t.id = a.touchpoint_id WHERE a.id IN ({marks})",
        list(ids),
    )
    return {row[0]: _comment(row, themes.get(row[0], [])) for row in rows}


def _comment(row: tuple[Any, ...], themes: list[str]) -> Comment:
    id, key, answered_at, nps, csat, text, sentiment, locale, *rest = row
    channel, segment, variant, experiment, source, interaction_at = rest
    return Comment(
        answer_id=id,
        touchpoint=key,
        answered_at=moment(answered_at),
        nps=nps,
        csat=csat,
        comment=text or None,
        sentiment=sentiment,
        themes=themes,
        locale=locale,
        channel=channel,
        segment=segment,
        variant=variant,
        experiment=experiment,
        source=source,
        interaction_at=moment(interaction_at) if interaction_at is not None else None,
    )
