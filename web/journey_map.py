"""A journey drawn as a map: its stages left to right, each touchpoint a card with its score.

Pure: a definition and this quarter's report rows in, stages and cards out, so the page and
the dashboard say "met", "missed", "low sample" and "no answers yet" by the same rules, and
tests read them as tables. The colour of a card is never the only sign: each card carries its
state in words and every figure with its n.

A card's state, first match wins:

- no answers yet: no NPS or CSAT answer this quarter;
- missed: a score with a target does not meet it (NPS above its target, CSAT at or above);
- low sample: fewer answers than the minimum sample, none missed (the figures are shown, but
  read them with care);
- met: every score that has a target meets it;
- no target: scores, but neither NPS nor CSAT has a target to be judged by.

A missed target outranks a low sample: the CX owner is told where to look even when the
sample is still small, and the card says how small.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from journeys.schema import JourneyDefinition, Targets, TouchpointDefinition
from surveys import scoring
from surveys.reports import TouchpointRow
from surveys.scoring import CsatScore, NpsScore
from web.routes.console import describe_delay

State = Literal["no-answers", "missed", "low-sample", "met", "no-target"]

STATE_LABELS: dict[State, str] = {
    "no-answers": "no answers yet",
    "missed": "target missed",
    "low-sample": "low sample",
    "met": "target met",
    "no-target": "no target set",
}


@dataclass(frozen=True)
class Figure:
    """One score as the card writes it: "NPS +42.0 ± 8.1 (n=35), target above 40: met"."""

    label: str
    value: str
    n: int
    target: str
    verdict: str

    def __str__(self) -> str:
        target = f", target {self.target}" if self.target else ""
        return f"{self.label} {self.value} (n={self.n}){target}: {self.verdict}"


@dataclass(frozen=True)
class Card:
    key: str
    name: str
    stage: str
    trigger: str
    delay: str
    channels: tuple[str, ...]
    survey: str
    sample: str
    targets: str
    state: State
    figures: tuple[Figure, ...]

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Stage:
    name: str
    cards: tuple[Card, ...]


def journey_map(
    definition: JourneyDefinition, rows: Sequence[TouchpointRow], min_sample: int
) -> list[Stage]:
    """The stages in the order the touchpoints first use them, each with its cards."""
    by_key = {row.touchpoint: row for row in rows}
    stages: dict[str, list[Card]] = {}
    for touchpoint in definition.touchpoints:
        row = by_key.get(touchpoint.key)
        targets = definition.targets_for(touchpoint)
        card = touchpoint_card(touchpoint, targets, row, min_sample)
        stages.setdefault(touchpoint.stage, []).append(card)
    return [Stage(name, tuple(cards)) for name, cards in stages.items()]


def touchpoint_card(
    touchpoint: TouchpointDefinition,
    targets: Targets,
    row: TouchpointRow | None,
    min_sample: int,
) -> Card:
    nps = row.nps if row else scoring.nps(0, 0, 0, min_sample=min_sample)
    csat = row.csat if row else scoring.csat(0, 0, min_sample=min_sample)
    nps_met = row.nps_target_met if row else None
    csat_met = row.csat_target_met if row else None
    return Card(
        key=touchpoint.key,
        name=touchpoint.display_name("en"),
        stage=touchpoint.stage,
        trigger=touchpoint.trigger,
        delay=describe_delay(touchpoint.delay),
        channels=tuple(touchpoint.channels),
        survey=touchpoint.survey,
        sample=f"{touchpoint.sample * 100:g}%",
        targets=describe_targets(targets),
        state=card_state(nps, csat, targets, nps_met, csat_met),
        figures=(
            nps_figure(nps, targets.nps, nps_met),
            csat_figure(csat, targets.csat, csat_met),
        ),
    )


def card_state(
    nps: NpsScore,
    csat: CsatScore,
    targets: Targets,
    nps_met: bool | None,
    csat_met: bool | None,
) -> State:
    if nps.n == 0 and csat.n == 0:
        return "no-answers"
    if nps_met is False or csat_met is False:
        return "missed"
    if (nps.n and nps.low_sample) or (csat.n and csat.low_sample):
        return "low-sample"
    if nps_met or csat_met:
        return "met"
    return "no-target"


def describe_targets(targets: Targets) -> str:
    parts = []
    if targets.nps is not None:
        parts.append(f"NPS above {targets.nps:g}")
    if targets.csat is not None:
        parts.append(f"CSAT {targets.csat:g}% or more")
    return ", ".join(parts) or "none"


def nps_figure(score: NpsScore, target: float | None, met: bool | None) -> Figure:
    value = "—"
    if score.score is not None:
        value = f"{score.score:+.1f}" + (f" ± {score.margin:.1f}" if score.margin else "")
    wanted = "" if target is None else f"above {target:g}"
    return Figure("NPS", value, score.n, wanted, _verdict(score.n, score.low_sample, met))


def csat_figure(score: CsatScore, target: float | None, met: bool | None) -> Figure:
    value = "—" if score.score is None else f"{score.score:.1f}%"
    wanted = "" if target is None else f"{target:g}% or more"
    return Figure("CSAT", value, score.n, wanted, _verdict(score.n, score.low_sample, met))


def _verdict(n: int, low_sample: bool, met: bool | None) -> str:
    if n == 0:
        return "no answers yet"
    said = "no target" if met is None else "met" if met else "missed"
    return f"{said}, low sample" if low_sample else said


@dataclass(frozen=True)
class JourneyScores:
    """The whole journey's quarter so far: every touchpoint's answers together."""

    nps: NpsScore
    csat: CsatScore
    nps_met: bool | None
    csat_met: bool | None
    states: dict[State, int]
    targets: Targets

    @property
    def figures(self) -> tuple[Figure, Figure]:
        return (
            nps_figure(self.nps, self.targets.nps, self.nps_met),
            csat_figure(self.csat, self.targets.csat, self.csat_met),
        )


def journey_scores(
    definition: JourneyDefinition, rows: Sequence[TouchpointRow], min_sample: int
) -> JourneyScores:
    """Counts summed over the touchpoints and scored again, judged by the journey's targets
    (the rules of `surveys.reports`: NPS above its target, CSAT at or above)."""
    nps = scoring.nps(
        sum(r.nps.promoters for r in rows),
        sum(r.nps.passives for r in rows),
        sum(r.nps.detractors for r in rows),
        min_sample=min_sample,
    )
    csat = scoring.csat(
        sum(r.csat.satisfied for r in rows), sum(r.csat.n for r in rows), min_sample=min_sample
    )
    targets = definition.targets
    states: dict[State, int] = {}
    for stage in journey_map(definition, rows, min_sample):
        for card in stage.cards:
            states[card.state] = states.get(card.state, 0) + 1
    return JourneyScores(
        nps=nps,
        csat=csat,
        nps_met=_met(nps.score, targets.nps, strictly=True),
        csat_met=_met(csat.score, targets.csat, strictly=False),
        states=states,
        targets=targets,
    )


def _met(score: float | None, target: float | None, *, strictly: bool) -> bool | None:
    if score is None or target is None:
        return None
    return score > target if strictly else score >= target
