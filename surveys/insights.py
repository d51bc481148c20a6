"""The monthly insight report: what a CX owner reads on the first working day of a month.

Per journey, for one calendar month in the journey's time zone:

- fell: touchpoints whose NPS or CSAT fell on the previous month by more than the noise
  (the two-sided 95% test of `surveys.scoring.change`). The month is not compared with its
  own quarter: the quarter holds the month's answers, so the two samples overlap and the
  test, which assumes independent samples, would not hold.
- missed: touchpoints with answers whose NPS or CSAT is below its target.
- movers: the largest absolute changes of NPS or CSAT on the previous month, with the
  verdict, whether or not they are larger than the noise (a big move within the noise is
  worth knowing as such).
- themes, emerging terms and example comments, from `surveys.feedback_figures`.
- follow-up figures for the journey, when it had cases.
- response rates per touchpoint.

Plain data only: `web.insights` renders it as HTML and Markdown.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from journeys.models import Journey
from journeys.periods import Month
from surveys.comments import Comment
from surveys.feedback_figures import comment_examples, emerging_terms_for, theme_figures
from surveys.followup_figures import case_figures
from surveys.review import Figures, TouchpointFigures, review_figures

UTC_ZONE = ZoneInfo("UTC")
#: How many movers, themes, terms and examples a journey's section shows.
MOVERS = 5
THEMES = 5
TERMS = 5
EXAMPLES = 2


@dataclass(frozen=True)
class Score:
    """One score of a touchpoint in the month, beside its target and the previous month."""

    value: float | None
    n: int
    target: float | None
    met: bool | None
    previous: float | None
    change: float | None
    #: Whether the change is larger than the noise (95%, two-sided).
    significant: bool


@dataclass(frozen=True)
class TouchpointLine:
    key: str
    name: str
    stage: str
    answers: int
    sent: int | None
    responded: int | None
    response_rate: float | None
    low_sample: bool
    nps: Score
    csat: Score

    @property
    def fell(self) -> list[str]:
        """The scores that fell by more than the noise: "NPS", "CSAT"."""
        return [
            label
            for label, score in (("NPS", self.nps), ("CSAT", self.csat))
            if score.significant and score.change is not None and score.change < 0
        ]

    @property
    def missed(self) -> list[str]:
        return [
            label for label, score in (("NPS", self.nps), ("CSAT", self.csat)) if score.met is False
        ]


@dataclass(frozen=True)
class Mover:
    touchpoint: str
    name: str
    score: str  # "NPS" or "CSAT"
    previous: float
    value: float
    change: float
    significant: bool

    @property
    def verdict(self) -> str:
        direction = "rose" if self.change > 0 else "fell" if self.change < 0 else "held"
        noise = "larger than the noise" if self.significant else "within the noise"
        return f"{direction}, {noise}"


@dataclass(frozen=True)
class Example:
    """A comment quoted in the report."""

    touchpoint: str
    nps: int | None
    csat: int | None
    comment: str
    answered_at: datetime


@dataclass(frozen=True)
class ThemeLine:
    theme: str
    answers: int
    share: float
    nps: float | None
    negative: int
    examples: list[Example]


@dataclass(frozen=True)
class TermLine:
    term: str
    detractors: int
    promoters: int
    z: float
    examples: list[Example]


@dataclass(frozen=True)
class FollowUpLine:
    opened: int
    first_response_median_minutes: float | None
    resolution_median_minutes: float | None
    first_response_within_sla: float | None
    resolution_within_sla: float | None
    satisfaction: float | None
    open_now: int
    overdue_now: int


@dataclass(frozen=True)
class JourneyInsights:
    key: str
    name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    whole: TouchpointLine
    touchpoints: list[TouchpointLine]
    movers: list[Mover]
    themes: list[ThemeLine]
    emerging: list[TermLine]
    examples: list[Example]
    follow_up: FollowUpLine | None

    @property
    def answers(self) -> int:
        return self.whole.answers

    @property
    def fell(self) -> list[TouchpointLine]:
        return [line for line in self.touchpoints if line.fell]

    @property
    def missed(self) -> list[TouchpointLine]:
        return [line for line in self.touchpoints if line.missed]


@dataclass(frozen=True)
class Insights:
    month: Month
    generated_at: datetime
    journeys: list[JourneyInsights] = field(default_factory=list)

    @property
    def answers(self) -> int:
        return sum(journey.answers for journey in self.journeys)

    @property
    def empty(self) -> bool:
        return self.answers == 0

    @property
    def title(self) -> str:
        return f"Insights for {month_name(self.month)}"

    def as_dict(self) -> dict[str, Any]:
        journeys = []
        for journey in self.journeys:
            data = _plain(asdict(journey))
            data["answers"] = journey.answers
            data["fell"] = [line.key for line in journey.fell]
            data["missed"] = [line.key for line in journey.missed]
            for mover, plain in zip(journey.movers, data["movers"], strict=True):
                plain["verdict"] = mover.verdict
            journeys.append(data)
        return {
            "month": str(self.month),
            "title": self.title,
            "generated_at": self.generated_at.isoformat(),
            "answers": self.answers,
            "empty": self.empty,
            "journeys": journeys,
        }


def month_name(month: Month) -> str:
    return datetime(month.year, month.month, 1).strftime("%B %Y")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# --- pure: from the figures to the lines of the report -----------------------------------


def score_of(
    value: float | None,
    n: int,
    target: float | None,
    met: bool | None,
    previous: float | None,
    change: Any,
) -> Score:
    return Score(
        value=value,
        n=n,
        target=target,
        met=met,
        previous=previous,
        change=None if change is None else change.delta,
        significant=bool(change is not None and change.significant),
    )


def line_of(touchpoint: TouchpointFigures) -> TouchpointLine:
    figures: Figures = touchpoint.figures
    previous = figures.previous
    return TouchpointLine(
        key=touchpoint.key,
        name=touchpoint.name,
        stage=touchpoint.stage,
        answers=figures.counts.answers,
        sent=figures.counts.sent,
        responded=figures.counts.responded,
        response_rate=figures.response_rate,
        low_sample=figures.low_sample,
        nps=score_of(
            figures.nps.score,
            figures.nps.n,
            figures.targets.nps,
            figures.nps_met,
            previous.nps.score if previous else None,
            figures.nps_change,
        ),
        csat=score_of(
            figures.csat.score,
            figures.csat.n,
            figures.targets.csat,
            figures.csat_met,
            previous.csat.score if previous else None,
            figures.csat_change,
        ),
    )


def movers_of(lines: list[TouchpointLine], limit: int = MOVERS) -> list[Mover]:
    """The largest absolute changes on the previous month, NPS and CSAT alike, biggest
    first; ties keep the journey's order."""
    found = [
        Mover(
            line.key, line.name, label, score.previous, score.value, score.change, score.significant
        )
        for line in lines
        for label, score in (("NPS", line.nps), ("CSAT", line.csat))
        if score.change is not None and score.previous is not None and score.value is not None
    ]
    found.sort(key=lambda mover: -abs(mover.change))
    return [mover for mover in found if mover.change != 0][:limit]


def example_of(comment: Comment, zone: ZoneInfo = UTC_ZONE) -> Example:
    """A comment as quoted, its time in the journey's time zone."""
    return Example(
        touchpoint=comment.touchpoint,
        nps=comment.nps,
        csat=comment.csat,
        comment=comment.comment or "",
        answered_at=comment.answered_at.astimezone(zone),
    )


def term_examples(
    term: str, comments: list[Comment], zone: ZoneInfo = UTC_ZONE, limit: int = EXAMPLES
) -> list[Example]:
    """Comments that use the term, in the order given (unhappy customers first)."""
    wanted = term.casefold()
    return distinct(
        [
            example_of(comment, zone)
            for comment in comments
            if wanted in (comment.comment or "").casefold()
        ],
        limit,
    )


def distinct(examples: list[Example], limit: int) -> list[Example]:
    """The first `limit` examples with different text: the same words twice teach nothing."""
    seen: set[str] = set()
    kept = []
    for example in examples:
        text = " ".join(example.comment.casefold().split())
        if text and text not in seen:
            seen.add(text)
            kept.append(example)
    return kept[:limit]


# --- the database ------------------------------------------------------------------------


async def monthly_insights(
    month: Month, *, journeys: list[str] | None = None, now: datetime | None = None
) -> Insights:
    """The report of `month` for the journeys named (default: every active journey).
    Raises LookupError naming a journey that does not exist."""
    now = now or datetime.now(UTC)
    if journeys:
        found = {journey.key: journey for journey in await Journey.filter(key__in=journeys)}
        unknown = [key for key in journeys if key not in found]
        if unknown:
            raise LookupError(f"no journey with key {unknown[0]!r}")
        chosen = [found[key] for key in dict.fromkeys(journeys)]
    else:
        chosen = await Journey.filter(active=True).order_by("id")
    sections = [await journey_insights(journey, month, now) for journey in chosen]
    return Insights(month=month, generated_at=now, journeys=sections)


async def journey_insights(journey: Journey, month: Month, now: datetime) -> JourneyInsights:
    zone = ZoneInfo(journey.timezone)
    start, end = month.bounds(zone)
    review = await review_figures(journey.key, month)
    lines = [line_of(touchpoint) for touchpoint in review.touchpoints]
    whole = line_of(review.whole)
    themes: list[ThemeLine] = []
    emerging: list[TermLine] = []
    examples: list[Example] = []
    if whole.answers:
        # Unhappy customers first, across the journey ("*").
        every = (await comment_examples(journey.key, month, per_touchpoint=20)).get("*", [])
        by_theme = await theme_figures(journey.key, month, examples=3 * EXAMPLES)
        themes = [
            ThemeLine(
                theme=figures.theme,
                answers=figures.answers,
                share=figures.share,
                nps=figures.nps.score,
                negative=figures.negative,
                examples=distinct(
                    [example_of(comment, zone) for comment in figures.examples], EXAMPLES
                ),
            )
            for figures in sorted(by_theme.get("*", []), key=lambda f: -f.answers)[:THEMES]
        ]
        terms = await emerging_terms_for(journey.key, month, limit=TERMS)
        emerging = [
            TermLine(
                term.term,
                term.detractors,
                term.promoters,
                term.z,
                term_examples(term.term, every, zone),
            )
            for term in terms.get("*", [])[:TERMS]
        ]
        examples = distinct([example_of(comment, zone) for comment in every], 5)
    return JourneyInsights(
        key=journey.key,
        name=journey.name,
        timezone=journey.timezone,
        starts_at=start,
        ends_at=end,
        whole=whole,
        touchpoints=lines,
        movers=movers_of(lines),
        themes=themes,
        emerging=emerging,
        examples=examples,
        follow_up=await follow_up_of(journey.key, start, end, now),
    )


async def follow_up_of(
    journey: str, start: datetime, end: datetime, now: datetime
) -> FollowUpLine | None:
    """The journey's follow-up figures for the month; None when it had no cases."""
    figures = await case_figures(start=start, end=end, group_by="journey", journey=journey, now=now)
    mine = next((found for found in figures if found.key == journey), None)
    if mine is None or not mine.opened:
        return None
    return FollowUpLine(
        opened=mine.opened,
        first_response_median_minutes=_minutes(mine.first_response.median),
        resolution_median_minutes=_minutes(mine.resolution.median),
        first_response_within_sla=mine.first_response_within_sla.percent,
        resolution_within_sla=mine.resolution_within_sla.percent,
        satisfaction=mine.satisfaction.percent,
        open_now=mine.open_now,
        overdue_now=mine.overdue_now,
    )


def _minutes(value: Any) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)
