"""The review page's further sections, each loaded on its own: what customers wrote, the
quarter under way, the A/B results and the follow-ups.

Each loader returns the context its template (`console/review_<name>.html`) reads, or
nothing when there is nothing to show (a past quarter has no outlook; a month has no
follow-up figures, which are by quarter). Bad input a section meets (an unknown attribute
to compare by) is a `ReviewError`, answered 400 by the page like any filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journeys.periods import Period, period_containing
from surveys.comments import Comment
from surveys.experiment_results import attribute_comparison, experiment_results
from surveys.feedback_figures import comment_examples, emerging_terms_for, theme_figures
from surveys.followup_figures import period_figures
from surveys.outlook import quarter_outlook
from surveys.review import Review
from surveys.review_filters import ReviewError
from web.charts import ThemeBar, ThemeChart
from web.review_view import WHOLE_JOURNEY, touchpoint_names
from web.routes.dashboard import follow_up_lines

#: Themes drawn in the chart and listed per touchpoint; example comments per touchpoint.
TOP_THEMES = 8
EXAMPLES = 5


@dataclass(frozen=True)
class Section:
    template: str
    context: dict[str, Any]


def _chance(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.0f}%"


def _said(comment: Comment) -> dict[str, Any]:
    """An example comment with its scores in words; its group gives its mark on the page."""
    scores = []
    if comment.nps is not None:
        scores.append(f"NPS answer {comment.nps}")
    if comment.csat is not None:
        scores.append(f"CSAT {comment.csat} of 5")
    return {
        "text": comment.comment,
        "group": comment.group or "no-nps",
        "scores": ", ".join(scores),
        "sentiment": comment.sentiment or "not analysed",
        "themes": ", ".join(comment.themes),
        "language": comment.locale or "",
        "when": comment.answered_at.astimezone(UTC).strftime("%Y-%m-%d"),
    }


def _distinct(examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One of each text: the same words from five customers read once on the page (three
    times the examples are asked for, so the distinct ones still fill the list)."""
    seen: set[str] = set()
    found = []
    for example in examples:
        if example["text"] not in seen:
            seen.add(example["text"])
            found.append(example)
    return found


async def feedback(review: Review) -> Section | None:
    """Top themes (count, share, NPS) with their examples, emerging terms and example
    comments (detractors first), per touchpoint and for the whole journey."""
    themes = await theme_figures(review.journey, review.period, filters=review.filters)
    emerging = await emerging_terms_for(review.journey, review.period, filters=review.filters)
    examples = await comment_examples(
        review.journey, review.period, filters=review.filters, per_touchpoint=3 * EXAMPLES
    )
    if not any(themes.values()) and not any(examples.values()):
        return None
    names = touchpoint_names(review)
    blocks = []
    for key, name in [("*", WHOLE_JOURNEY), *((k, n) for k, n in names.items() if k != "*")]:
        found = themes.get(key, [])[:TOP_THEMES]
        said = examples.get(key, [])
        terms = emerging.get(key, [])
        if not found and not said and not terms:
            continue
        blocks.append(
            {
                "key": key,
                "name": name,
                "themes": [
                    {
                        "theme": t.theme,
                        "answers": t.answers,
                        "share": f"{t.share:g}%",
                        "nps": "—" if t.nps.score is None else f"{t.nps.score:+.0f}",
                        "nps_n": t.nps.n,
                        "negative": t.negative,
                        "examples": _distinct([_said(c) for c in t.examples if c.comment]),
                    }
                    for t in found
                ],
                "terms": terms,
                "examples": _distinct([_said(c) for c in said if c.comment])[:EXAMPLES],
            }
        )
    whole = themes.get("*", [])[:TOP_THEMES]
    chart = ThemeChart(
        "themes",
        f"Top themes, {review.period}",
        tuple(ThemeBar(t.theme, t.answers, t.nps.score) for t in whole),
    )
    return Section("parts/review_feedback.html", {"feedback": blocks, "themes_chart": chart})


async def outlook(review: Review, now: datetime) -> Section | None:
    """The quarter under way only: the chance of ending it on target, and the answers a
    touchpoint needs before a change of 5 points can be told from noise."""
    zone = ZoneInfo(review.timezone)
    if not isinstance(review.period, Period) or review.period != period_containing(now, zone):
        return None
    found = await quarter_outlook(review.journey, now, filters=review.filters)
    names = touchpoint_names(review)
    rows = []
    for key, name in names.items():
        item = found.get(key)
        if item is None:
            continue
        o = item.outlook
        rows.append(
            {
                "name": name,
                "so_far": o.answers_so_far,
                "expected": o.expected_answers,
                "chance_nps": _chance(o.chance_nps),
                "chance_csat": _chance(o.chance_csat),
                "projected_nps": "—" if o.projected_nps is None else f"{o.projected_nps:+.1f}",
                "projected_csat": "—" if o.projected_csat is None else f"{o.projected_csat:.1f}%",
                "nps_needed": item.nps_answers_needed,
                "csat_needed": item.csat_answers_needed,
                "delta": item.delta,
                "days_left": item.days_left,
            }
        )
    return Section("parts/review_outlook.html", {"outlook": rows})


async def experiments(review: Review, compare: str | None) -> Section | None:
    """Message experiments of the journey; with `compare`, the service experiment marked
    by that attribute (script: A|B) too."""
    results = await experiment_results(review.journey, review.period, filters=review.filters)
    compared = []
    if compare:
        try:
            compared = await attribute_comparison(
                review.journey, review.period, compare, filters=review.filters
            )
        except ReviewError as error:
            raise ReviewError("compare", error.message) from None
    answered = [
        result
        for result in [*results, *compared]
        if result.by == "variant" or any(v.answers for v in result.comparison.variants)
    ]
    return Section("parts/review_experiments.html", {"experiments": answered})


async def follow_ups(review: Review, now: datetime) -> Section | None:
    if not isinstance(review.period, Period):
        return None
    found = await period_figures(
        review.period, group_by="touchpoint", journey=review.journey, now=now
    )
    if not found.figures:
        return None
    return Section(
        "parts/review_followups.html",
        {
            "follow_ups": found,
            "follow_up_touchpoints": [(f, follow_up_lines(f)) for f in found.figures],
        },
    )
