"""NPS, CSAT and response rate from answer counts, with 95% intervals: pure arithmetic.

The definitions are the ones the quarterly review is judged by (DESIGN.md, "Definitions"):

- NPS: answers 0-10; promoters 9-10, passives 7-8, detractors 0-6. The score shown is the
  plain NPS; its interval is the adjusted-Wald interval (Rocks 2016), which stays sensible
  at small n and at the ends of the scale, where the plain Wald interval collapses to zero.
- CSAT: answers 1-5; the share of 4 and 5 in percent, with a Wilson interval.

Scores are in points (-100..100 for NPS, 0..100 for CSAT). With no answers a score is None,
and so are its interval and margin: there is nothing to show, not a zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, overload

from surveys.settings import SurveysSettings

#: Two-sided 95%.
Z_95 = 1.96
#: TOUCHPOINT_MIN_SAMPLE's default, for callers that pass none (tables in tests, mostly).
DEFAULT_MIN_SAMPLE: int = SurveysSettings.model_fields["min_sample"].default

NpsCategory = Literal["promoter", "passive", "detractor"]


@dataclass(frozen=True)
class NpsScore:
    n: int
    promoters: int
    passives: int
    detractors: int
    score: float | None
    low: float | None
    high: float | None
    #: Half-width of the adjusted-Wald interval before clipping: the "±" shown beside the score.
    margin: float | None
    low_sample: bool
    #: Variance of the adjusted estimate p' - d' (as a fraction), kept for `change`.
    variance: float | None = None
    #: The adjusted estimate p' - d' (as a fraction) the interval is centred on.
    adjusted: float | None = None


@dataclass(frozen=True)
class CsatScore:
    n: int
    satisfied: int
    score: float | None
    low: float | None
    high: float | None
    #: Half the width of the Wilson interval, which is not symmetric around the score.
    margin: float | None
    low_sample: bool


@dataclass(frozen=True)
class Change:
    """Change on the previous period, in points; `significant` when larger than the noise."""

    delta: float
    significant: bool
    #: 1.96 standard errors of the difference, in points.
    margin: float | None = None


def check_nps_answer(answer: int) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) or not 0 <= answer <= 10:
        raise ValueError(f"an NPS answer is a whole number from 0 to 10, not {answer!r}")
    return answer


def check_csat_answer(answer: int) -> int:
    if isinstance(answer, bool) or not isinstance(answer, int) or not 1 <= answer <= 5:
        raise ValueError(f"a CSAT answer is a whole number from 1 to 5, not {answer!r}")
    return answer


def classify_nps(answer: int) -> NpsCategory:
    check_nps_answer(answer)
    if answer >= 9:
        return "promoter"
    if answer >= 7:
        return "passive"
    return "detractor"


def _check_counts(**counts: int) -> None:
    for name, value in counts.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be a whole number of at least 0, not {value!r}")


def nps(
    promoters: int, passives: int, detractors: int, *, min_sample: int = DEFAULT_MIN_SAMPLE
) -> NpsScore:
    _check_counts(promoters=promoters, passives=passives, detractors=detractors)
    n = promoters + passives + detractors
    if n == 0:
        return NpsScore(0, 0, 0, 0, None, None, None, None, low_sample=True)
    adjusted_n = n + 3
    p = (promoters + 0.75) / adjusted_n
    d = (detractors + 0.75) / adjusted_n
    centre = p - d
    variance = (p + d - centre**2) / adjusted_n
    half = Z_95 * math.sqrt(variance)
    score = 100 * (promoters - detractors) / n
    # The interval is centred on the adjusted estimate, which at a few answers all of one
    # kind sits far from the score (one promoter: 25 for a score of 100); widened to hold
    # the score, so a figure is never shown outside its own interval.
    return NpsScore(
        n=n,
        promoters=promoters,
        passives=passives,
        detractors=detractors,
        score=score,
        low=min(score, max(-100.0, 100 * (centre - half))),
        high=max(score, min(100.0, 100 * (centre + half))),
        margin=100 * half,
        low_sample=n < min_sample,
        variance=variance,
        adjusted=centre,
    )


def csat(satisfied: int, n: int, *, min_sample: int = DEFAULT_MIN_SAMPLE) -> CsatScore:
    _check_counts(satisfied=satisfied, n=n)
    if satisfied > n:
        raise ValueError(f"satisfied ({satisfied}) cannot exceed the number of answers ({n})")
    if n == 0:
        return CsatScore(0, 0, None, None, None, None, low_sample=True)
    share = satisfied / n
    z2 = Z_95**2
    denominator = 1 + z2 / n
    centre = (share + z2 / (2 * n)) / denominator
    half = Z_95 * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n)) / denominator
    # Widened to hold the share itself: at 100% the rounding of centre + half falls short.
    low, high = min(share, max(0.0, centre - half)), max(share, min(1.0, centre + half))
    return CsatScore(
        n=n,
        satisfied=satisfied,
        score=100 * share,
        low=100 * low,
        high=100 * high,
        margin=100 * (high - low) / 2,
        low_sample=n < min_sample,
    )


@overload
def change(current: NpsScore, previous: NpsScore) -> Change | None: ...
@overload
def change(current: CsatScore, previous: CsatScore) -> Change | None: ...
def change(current: NpsScore | CsatScore, previous: NpsScore | CsatScore) -> Change | None:
    """Change from `previous` to `current` and whether it is larger than the noise.

    `delta` is the difference of the plain scores, in points. Whether it is larger than the
    noise is a two-sided test at 95% on the adjusted estimates, so that it behaves at small
    n and at 0% or 100%, where the plain standard error is zero:

    - NPS: the adjusted-Wald difference (p'1 - d'1) - (p'2 - d'2), with standard error
      sqrt(var1 + var2), each var = (p' + d' - (p' - d')^2) / n' as in the interval.
    - CSAT: the difference of two proportions by Agresti-Caffo (add one satisfied and one
      unsatisfied answer to each period), standard error sqrt(sum p~(1 - p~) / (n + 2)).

    The change is significant when |adjusted difference| > 1.96 x standard error, i.e. the
    95% interval of the difference excludes zero. None when either period has no answers.
    """
    if isinstance(current, NpsScore) and isinstance(previous, NpsScore):
        if current.score is None or previous.score is None:
            return None
        assert current.adjusted is not None and previous.adjusted is not None
        assert current.variance is not None and previous.variance is not None
        difference = current.adjusted - previous.adjusted
        error = math.sqrt(current.variance + previous.variance)
        return _change(current.score - previous.score, difference, error)
    if isinstance(current, CsatScore) and isinstance(previous, CsatScore):
        if current.score is None or previous.score is None:
            return None
        p1 = (current.satisfied + 1) / (current.n + 2)
        p2 = (previous.satisfied + 1) / (previous.n + 2)
        error = math.sqrt(p1 * (1 - p1) / (current.n + 2) + p2 * (1 - p2) / (previous.n + 2))
        return _change(current.score - previous.score, p1 - p2, error)
    raise TypeError(
        f"cannot compare {type(current).__name__} with {type(previous).__name__}: "
        "both periods must be NPS or both CSAT"
    )


def _change(delta: float, difference: float, error: float) -> Change:
    return Change(
        delta=delta,
        significant=abs(difference) > Z_95 * error,
        margin=100 * Z_95 * error,
    )


def response_rate(responses: int, sent: int) -> float | None:
    """Responses per invitation sent, in percent; None when nothing was sent."""
    _check_counts(responses=responses, sent=sent)
    if responses > sent:
        raise ValueError(f"responses ({responses}) cannot exceed invitations sent ({sent})")
    if sent == 0:
        return None
    return 100 * responses / sent
