"""What customers wrote, in figures: themes with their scores, the terms unhappy customers
use markedly more than happy ones, and the sentiment of the comments.

Per touchpoint and for the whole journey ("*"), for one period in the journey's time zone,
under the review's filters (`surveys.review_filters`). The database groups and counts;
`surveys.scoring` turns counts into NPS and CSAT, and `surveys.feedback` ranks the terms.

- A theme's answers: analysed comments of the period tagged with it; its share is of all
  the analysed comments of the same touchpoint (or journey), in percent; its NPS and CSAT
  are those answers' scores; negative counts its negative comments.
- Emerging terms: the terms of detractors against those of promoters, each term counted
  once per answer. A touchpoint that asks no NPS question compares CSAT 1 to 3 with CSAT 5.
  The terms column is streamed in batches, so memory grows with the vocabulary, never with
  the number of answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from journeys.periods import AnyPeriod
from surveys import scoring
from surveys.comments import Comment
from surveys.feedback import EmergingTerm, emerging_terms
from surveys.feedback_examples import comment_examples, theme_examples
from surveys.feedback_scope import (
    ANALYSED,
    NO_FILTERS,
    SCORE_COLUMNS,
    WHOLE,
    FeedbackScope,
    feedback_scope,
)
from surveys.review_filters import ReviewFilters
from surveys.scoring import CsatScore, NpsScore
from surveys.sql import fetch_all, fetch_batches

__all__ = [
    "ThemeFigures",
    "comment_examples",
    "emerging_terms_for",
    "sentiment_counts",
    "theme_figures",
    "themes_trend",
]
SENTIMENTS = ("positive", "neutral", "negative")
_UNHAPPY = "a.nps <= 6 OR (a.nps IS NULL AND a.csat <= 3)"
_HAPPY = "a.nps >= 9 OR (a.nps IS NULL AND a.csat = 5)"


@dataclass(frozen=True)
class ThemeFigures:
    theme: str
    answers: int
    #: Percent of the analysed comments of the touchpoint (or journey) about this theme.
    share: float
    nps: NpsScore
    csat: CsatScore
    negative: int
    examples: list[Comment] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "theme": self.theme,
            "answers": self.answers,
            "share": self.share,
            "nps": self.nps.score,
            "nps_n": self.nps.n,
            "csat": self.csat.score,
            "csat_n": self.csat.n,
            "negative": self.negative,
            "examples": [example.as_dict() for example in self.examples],
        }


async def theme_figures(
    journey_key: str,
    period: AnyPeriod,
    *,
    filters: ReviewFilters = NO_FILTERS,
    examples: int = 3,
) -> dict[str, list[ThemeFigures]]:
    """Per touchpoint key and "*": the themes of the period, most answers first."""
    scope = await feedback_scope(journey_key, filters)
    where, params = scope.conditions(filters, period)
    counts: dict[str, dict[str, list[int]]] = {key: {} for key in scope.keys}
    for touchpoint_id, theme, *sums in await fetch_all(
        f"SELECT a.touchpoint_id, th.theme, {SCORE_COLUMNS} FROM answer a"
        f" JOIN answer_theme th ON th.answer_id = a.id WHERE {where} AND {ANALYSED}"
        " GROUP BY a.touchpoint_id, th.theme",
        params,
    ):
        for key in (scope.touchpoints[touchpoint_id], WHOLE):
            found = counts[key].setdefault(theme, [0] * len(sums))
            counts[key][theme] = [a + int(b) for a, b in zip(found, sums, strict=True)]
    commented = await _commented(scope, where, params)
    shown = await theme_examples(scope, filters, period, examples) if examples else {}
    return {
        key: sorted(
            (
                _theme(theme, sums, commented.get(key, 0), shown.get((key, theme), []))
                for theme, sums in themes.items()
            ),
            key=lambda figures: (-figures.answers, figures.theme),
        )
        for key, themes in counts.items()
    }


def _theme(theme: str, sums: list[int], commented: int, examples: list[Comment]) -> ThemeFigures:
    answers, promoters, passives, detractors, csat_n, satisfied, negative = sums
    return ThemeFigures(
        theme=theme,
        answers=answers,
        share=round(100 * answers / commented, 1) if commented else 0.0,
        nps=scoring.nps(promoters, passives, detractors),
        csat=scoring.csat(satisfied, csat_n),
        negative=negative,
        examples=examples,
    )


async def _commented(scope: FeedbackScope, where: str, params: list[Any]) -> dict[str, int]:
    """Analysed comments per touchpoint key and "*"."""
    found: Counter[str] = Counter()
    for touchpoint_id, count in await fetch_all(
        f"SELECT a.touchpoint_id, COUNT(*) FROM answer a WHERE {where} AND {ANALYSED}"
        " GROUP BY a.touchpoint_id",
        params,
    ):
        found[scope.touchpoints[touchpoint_id]] += count
        found[WHOLE] += count
    return dict(found)


async def emerging_terms_for(
    journey_key: str, period: AnyPeriod, *, filters: ReviewFilters = NO_FILTERS, limit: int = 10
) -> dict[str, list[EmergingTerm]]:
    """Per touchpoint key and "*": the terms unhappy customers use markedly more."""
    scope = await feedback_scope(journey_key, filters)
    where, params = scope.conditions(filters, period)
    unhappy = {key: Counter[str]() for key in scope.keys}
    happy = {key: Counter[str]() for key in scope.keys}
    async for rows in fetch_batches(
        f"SELECT a.id, a.touchpoint_id, CASE WHEN {_UNHAPPY} THEN 1 ELSE 0 END, a.terms"
        f" FROM answer a WHERE {where} AND {ANALYSED} AND a.terms IS NOT NULL"
        f" AND (({_UNHAPPY}) OR ({_HAPPY})) AND a.id > ? ORDER BY a.id LIMIT ?",
        params,
    ):
        for _, touchpoint_id, is_unhappy, terms in rows:
            counters = unhappy if is_unhappy else happy
            words = set(terms.split())
            counters[scope.touchpoints[touchpoint_id]].update(words)
            counters[WHOLE].update(words)
    return {key: emerging_terms(unhappy[key], happy[key], limit=limit) for key in scope.keys}


async def sentiment_counts(
    journey_key: str, period: AnyPeriod, *, filters: ReviewFilters = NO_FILTERS
) -> dict[str, dict[str, int]]:
    """Per touchpoint key and "*": analysed comments by sentiment, every sentiment named."""
    scope = await feedback_scope(journey_key, filters)
    where, params = scope.conditions(filters, period)
    found = {key: dict.fromkeys(SENTIMENTS, 0) for key in scope.keys}
    for touchpoint_id, sentiment, count in await fetch_all(
        f"SELECT a.touchpoint_id, a.sentiment, COUNT(*) FROM answer a WHERE {where}"
        f" AND {ANALYSED} AND a.sentiment IS NOT NULL GROUP BY a.touchpoint_id, a.sentiment",
        params,
    ):
        for key in (scope.touchpoints[touchpoint_id], WHOLE):
            found[key][sentiment] = found[key].get(sentiment, 0) + count
    return found


async def themes_trend(
    journey_key: str, periods: Sequence[AnyPeriod], *, filters: ReviewFilters = NO_FILTERS
) -> dict[str, list[tuple[AnyPeriod, int]]]:
    """The whole journey's answers per theme in each period (oldest first, as given), the
    themes most talked about over the periods first: which themes are moving."""
    scope = await feedback_scope(journey_key, filters)
    counts: dict[str, list[int]] = {}
    for place, period in enumerate(periods):
        where, params = scope.conditions(filters, period)
        for theme, count in await fetch_all(
            "SELECT th.theme, COUNT(*) FROM answer a JOIN answer_theme th"
            f" ON th.answer_id = a.id WHERE {where} AND {ANALYSED} GROUP BY th.theme",
            params,
        ):
            counts.setdefault(theme, [0] * len(periods))[place] = count
    ranked = sorted(counts.items(), key=lambda item: (-sum(item[1]), item[0]))
    return {theme: list(zip(periods, row, strict=True)) for theme, row in ranked}
