"""A/B verdicts: which wording (or service script, store, team...) does better, said only
when the difference is larger than the noise, however often anyone has looked. Pure.

Why always-valid
----------------
The review is read every week while an experiment runs. A fixed-horizon test (a z-test at
95%) is only right if it is looked at once, at a sample size chosen in advance; checked
every week until it says "significant", it will say so for a difference that is not there
far more often than one time in twenty. So each difference is tested with an always-valid
p-value: the mixture sequential probability ratio test with a normal mixture (Johari,
Koomen, Pekelis and Walsh 2017, "Peeking at A/B tests"). With theta the difference of the
adjusted estimates, V its variance and tau the mixture's spread,

    Lambda = sqrt(V / (V + tau^2)) * exp(tau^2 theta^2 / (2 V (V + tau^2)))
    p = min(1, 1 / Lambda)

and the chance that p ever falls below alpha under no difference, at any look, is at most
alpha. We keep no record of earlier looks: 1 / Lambda at the current look is at least the
running minimum the paper takes, so the verdict is valid and a touch more cautious.

The estimates are the adjusted ones the intervals use (Agresti-Caffo for response rate and
CSAT: one more success and one more failure; adjusted-Wald for NPS), so that a variant at 0%
or 100% still has a variance. tau is the size of difference worth finding: 5 points for
response rate and CSAT, 10 for NPS (whose answers vary about twice as much).

The control is the first variant by name ("A"): the name the business gives the
current wording, and one that does not change as counts move (a control that switched
between looks would break the sequential guarantee). Every other variant is compared with
it on response rate (when sends are known), NPS and CSAT, and the 5% is split among all
those comparisons (Bonferroni), so a page of verdicts is wrong at most one time in twenty.

When a difference is not yet significant, "not yet" says how many more answers (sends, for
response rate) each variant needs before a difference the size of the one seen, or `delta`
points if that is smaller, would be, at the current variances.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from surveys.scoring import DEFAULT_MIN_SAMPLE, CsatScore, NpsScore, csat, nps, response_rate
from surveys.tallies import TallyLike, nps_n

Metric = Literal["response_rate", "nps", "csat"]
#: The family error rate the verdicts keep, whatever the number of looks and comparisons.
ALPHA = 0.05
#: The normal mixture's standard deviation per metric, in points: the size of difference
#: worth finding. NPS runs from -100 to 100 and one answer varies about twice as much as a
#: share does, so its differences worth finding are larger.
MIXTURE_SD: Mapping[str, float] = MappingProxyType({"response_rate": 5.0, "csat": 5.0, "nps": 10.0})
#: The smallest difference "not yet" counts the answers for, in points.
DELTA = 5.0

_LABELS: dict[Metric, str] = {"response_rate": "response rate", "nps": "NPS", "csat": "CSAT"}
_LARGEST = 10**9


@dataclass(frozen=True)
class VariantFigures:
    name: str
    answers: int
    sent: int | None
    responded: int | None
    response_rate: float | None
    #: Wilson interval of the response rate, in percent.
    response_low: float | None
    response_high: float | None
    nps: NpsScore
    csat: CsatScore

    def as_dict(self) -> dict[str, object]:
        return {
            "variant": self.name,
            "answers": self.answers,
            "sent": self.sent,
            "responded": self.responded,
            "response_rate": _round(self.response_rate),
            "response_rate_interval": _interval(self.response_low, self.response_high),
            "nps": _round(self.nps.score),
            "nps_interval": _interval(self.nps.low, self.nps.high),
            "nps_n": self.nps.n,
            "csat": _round(self.csat.score),
            "csat_interval": _interval(self.csat.low, self.csat.high),
            "csat_n": self.csat.n,
            "low_sample": self.nps.low_sample and self.csat.low_sample,
        }


@dataclass(frozen=True)
class Verdict:
    metric: Metric
    variant: str
    control: str
    #: The two scores in points (percent for rates), and their difference.
    value: float | None
    control_value: float | None
    difference: float | None
    #: The always-valid p-value of this comparison, before the Bonferroni split.
    p_value: float | None
    #: The p-value it must reach: alpha divided by the number of comparisons.
    threshold: float
    significant: bool
    #: More answers (sends, for response rate) each variant needs; None when significant or
    #: when there is nothing to compare yet.
    needed: int | None
    #: The difference, in points, `needed` is counted for.
    detect: float | None
    text: str

    def as_dict(self) -> dict[str, object]:
        return {
            "metric": self.metric,
            "variant": self.variant,
            "control": self.control,
            "value": _round(self.value),
            "control_value": _round(self.control_value),
            "difference": _round(self.difference),
            "p_value": None if self.p_value is None else round(self.p_value, 4),
            "threshold": round(self.threshold, 6),
            "significant": self.significant,
            "needed": self.needed,
            "detect": _round(self.detect),
            "text": self.text,
        }


@dataclass(frozen=True)
class Comparison:
    control: str | None
    variants: list[VariantFigures]
    verdicts: list[Verdict]
    #: How many comparisons the 5% is split among.
    comparisons: int

    def as_dict(self) -> dict[str, object]:
        return {
            "control": self.control,
            "comparisons": self.comparisons,
            "variants": [variant.as_dict() for variant in self.variants],
            "verdicts": [verdict.as_dict() for verdict in self.verdicts],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _interval(low: float | None, high: float | None) -> list[float] | None:
    return None if low is None or high is None else [round(low, 1), round(high, 1)]


def variant_figures(
    name: str, tally: TallyLike, *, min_sample: int = DEFAULT_MIN_SAMPLE
) -> VariantFigures:
    sent, responded = tally.sent, tally.responded
    rate = low = high = None
    if sent is not None and responded is not None and sent > 0:
        rate = response_rate(min(responded, sent), sent)
        wilson = csat(min(responded, sent), sent)
        low, high = wilson.low, wilson.high
    return VariantFigures(
        name=name,
        answers=max(nps_n(tally), tally.csat_n),
        sent=sent,
        responded=responded,
        response_rate=rate,
        response_low=low,
        response_high=high,
        nps=nps(tally.promoters, tally.passives, tally.detractors, min_sample=min_sample),
        csat=csat(tally.satisfied, tally.csat_n, min_sample=min_sample),
    )


def compare(
    tallies: Mapping[str, TallyLike],
    *,
    control: str | None = None,
    alpha: float = ALPHA,
    mixture_sd: Mapping[str, float] = MIXTURE_SD,
    delta: float = DELTA,
    min_sample: int = DEFAULT_MIN_SAMPLE,
) -> Comparison:
    """Each variant against the control (the first by name unless given), on every metric
    the variants have: figures for all, and a verdict per variant and metric."""
    names = sorted(tallies)
    if control is not None and control not in tallies:
        raise ValueError(f"unknown control {control!r} (variants: {', '.join(names) or 'none'})")
    figures = [variant_figures(name, tallies[name], min_sample=min_sample) for name in names]
    if len(names) < 2:
        return Comparison(
            control=names[0] if names else None, variants=figures, verdicts=[], comparisons=0
        )
    control = control or names[0]
    metrics: list[Metric] = []
    if all(tallies[name].sent is not None for name in names):
        metrics.append("response_rate")
    if any(nps_n(tallies[name]) for name in names):
        metrics.append("nps")
    if any(tallies[name].csat_n for name in names):
        metrics.append("csat")
    comparisons = (len(names) - 1) * len(metrics)
    threshold = alpha / comparisons if comparisons else alpha
    by_name = {figure.name: figure for figure in figures}
    verdicts = [
        _verdict(metric, by_name[name], by_name[control], alpha, threshold, mixture_sd, delta)
        for name in names
        if name != control
        for metric in metrics
    ]
    return Comparison(control=control, variants=figures, verdicts=verdicts, comparisons=comparisons)


@dataclass(frozen=True)
class _Estimate:
    """A metric of one variant: its plain value in points, its adjusted value and the
    variance of one observation (as fractions), and its number of observations."""

    value: float | None
    adjusted: float
    unit_variance: float
    n: int


def _estimate(metric: Metric, figures: VariantFigures) -> _Estimate | None:
    if metric == "response_rate":
        if not figures.sent or figures.responded is None:
            return None
        return _proportion(
            min(figures.responded, figures.sent), figures.sent, figures.response_rate
        )
    if metric == "csat":
        if not figures.csat.n:
            return None
        return _proportion(figures.csat.satisfied, figures.csat.n, figures.csat.score)
    score = figures.nps
    if not score.n or score.adjusted is None or score.variance is None:
        return None
    # NpsScore.variance is the estimate's: one answer's variance over n + 3.
    return _Estimate(score.score, score.adjusted, score.variance * (score.n + 3), score.n)


def _proportion(successes: int, n: int, value: float | None) -> _Estimate:
    share = (successes + 1) / (n + 2)
    return _Estimate(value, share, share * (1 - share), n)


def _verdict(
    metric: Metric,
    variant: VariantFigures,
    control: VariantFigures,
    alpha: float,
    threshold: float,
    mixture_sd: Mapping[str, float],
    delta: float,
) -> Verdict:
    label = _LABELS[metric]
    unit = "sends" if metric == "response_rate" else "answers"
    mine, theirs = _estimate(metric, variant), _estimate(metric, control)
    if mine is None or theirs is None:
        empty = variant.name if mine is None else control.name
        return Verdict(
            metric, variant.name, control.name,
            value=None if mine is None else mine.value,
            control_value=None if theirs is None else theirs.value,
            difference=None, p_value=None, threshold=threshold, significant=False,
            needed=None, detect=None,
            text=f"{variant.name} vs {control.name} on {label}: not yet, {empty} has no {unit}",
        )  # fmt: skip
    assert mine.value is not None and theirs.value is not None
    difference = mine.value - theirs.value
    variance = mine.unit_variance / (mine.n + _pad(metric)) + theirs.unit_variance / (
        theirs.n + _pad(metric)
    )
    tau = mixture_sd[metric] / 100
    p_value = always_valid_p(mine.adjusted - theirs.adjusted, variance, tau)
    significant = p_value <= threshold
    shown = _shown(metric, mine.value), _shown(metric, theirs.value)
    if significant:
        direction = "higher" if mine.adjusted > theirs.adjusted else "lower"
        text = (
            f"{variant.name}'s {label} is {direction} than {control.name}'s: "
            f"{shown[0]} vs {shown[1]}, difference {_points(difference)} points, "
            f"{100 * (1 - alpha):.0f}% always-valid"
        )
        return Verdict(
            metric, variant.name, control.name, mine.value, theirs.value, difference,
            p_value, threshold, True, needed=None, detect=None, text=text,
        )  # fmt: skip
    detect = max(abs(difference), delta)
    per_variant = observations_needed(
        mine.unit_variance + theirs.unit_variance, detect / 100, tau, threshold
    )
    needed = max(0, per_variant - min(mine.n, theirs.n))
    text = (
        f"{variant.name} vs {control.name} on {label}: {shown[0]} vs {shown[1]} "
        f"({_points(difference)} points), not yet told from noise: about {needed:,} more "
        f"{unit} per variant to tell {detect:.0f} points"
    )
    return Verdict(
        metric, variant.name, control.name, mine.value, theirs.value, difference,
        p_value, threshold, False, needed=needed, detect=detect, text=text,
    )  # fmt: skip


def _pad(metric: Metric) -> int:
    """The answers the adjusted estimate adds: 3 for adjusted-Wald, 2 for Agresti-Caffo."""
    return 3 if metric == "nps" else 2


def _shown(metric: Metric, value: float) -> str:
    return f"{value:.0f}" if metric == "nps" else f"{value:.0f}%"


def _points(difference: float) -> str:
    return f"{difference:+.0f}" if abs(difference) >= 1 else f"{difference:+.1f}"


def log_mixture_ratio(difference: float, variance: float, tau: float) -> float:
    """log Lambda of the normal-mixture SPRT for an estimated `difference` with `variance`."""
    if variance <= 0:
        raise ValueError("the variance of the difference must be above 0")
    spread = variance + tau * tau
    return 0.5 * math.log(variance / spread) + tau * tau * difference * difference / (
        2 * variance * spread
    )


def always_valid_p(difference: float, variance: float, tau: float) -> float:
    """min(1, 1 / Lambda): valid however many times the data is looked at."""
    return min(1.0, math.exp(-log_mixture_ratio(difference, variance, tau)))


def observations_needed(unit_variance: float, difference: float, tau: float, alpha: float) -> int:
    """The observations per variant at which a `difference` (a fraction) would reach an
    always-valid p of `alpha`, both variants' per-observation variances summing to
    `unit_variance`."""
    if difference <= 0 or unit_variance <= 0:
        return _LARGEST

    def enough(n: int) -> bool:
        return always_valid_p(difference, unit_variance / n, tau) <= alpha

    high = 1
    while not enough(high):
        high *= 2
        if high > _LARGEST:
            return _LARGEST
    low = high // 2  # not enough (or 0)
    while high - low > 1:
        middle = (low + high) // 2
        if enough(middle):
            high = middle
        else:
            low = middle
    return high
