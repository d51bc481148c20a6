"""Where the period under way is heading: the chance of ending it on target, and how many
more answers a touchpoint needs before a change of a given size shows. Pure arithmetic.

The chance of ending on target
------------------------------
What we do not know is how the answers still to come will fall. The answers so far tell us
the touchpoint's shares (promoters, passives, detractors; satisfied or not); a weak prior
centred on the previous periods' shares keeps a handful of answers from deciding alone:

- NPS: the shares are Dirichlet(w * prior share + counts), w = 3 pseudo-answers, the prior
  shares being the previous periods' counts smoothed by one answer each ((c + 1) / (N + 3));
  with no history that is Dirichlet(1 + p, 1 + passives, 1 + d).
- CSAT: the satisfied share is Beta(w * s + satisfied, w * (1 - s) + unsatisfied), w = 2,
  s = (satisfied + 1) / (N + 2) over the previous periods; with no history Beta(1 + s, 1 + u).

The remaining answers (the usual volume for the days left, taken as known) are then a
Dirichlet-multinomial (beta-binomial for CSAT) draw, and the chance is the probability that
the final score meets the target as the review judges it: NPS strictly above, CSAT at or
above. CSAT is summed exactly. NPS is summed exactly up to `EXACT_LIMIT` remaining answers
and by a normal approximation of the final score beyond (mean and variance of the
Dirichlet-multinomial, with a continuity correction), where it is accurate to well under a
percentage point. Nothing is random, so the same counts always give the same chance.

When nothing remains (the period is over, or no more answers are expected) the chance is 1
or 0: the score met the target or it did not.

Answers needed
--------------
A change of `delta` points between this period and the previous one is told from noise at
95% (two-sided) with 80% power when (z_0.975 + z_0.8) x sqrt(v / n_now + v / n_before) <=
delta, v being the variance of one answer's score (NPS: p + d - (p - d)^2; CSAT: s (1 - s)),
estimated on the adjusted shares the intervals use so it is never zero. Solving for n_now
gives the answers this period needs; the answers needed are what is still missing (0 when
there are enough). None when even endless answers this period would not do, because the
previous period is too small to compare with (or empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

from surveys.tallies import TallyLike, nps_n

#: Pseudo-answers of the NPS prior (3: one per category when there is no history).
NPS_PRIOR_WEIGHT = 3.0
#: Pseudo-answers of the CSAT prior (2: one satisfied, one not, when there is no history).
CSAT_PRIOR_WEIGHT = 2.0
#: Above this many remaining NPS answers the chance is a normal approximation.
EXACT_LIMIT = 400
#: z of 95% two-sided plus z of 80% power: 1.959964 + 0.841621.
Z_SIGNIFICANCE = NormalDist().inv_cdf(0.975)
Z_POWER = NormalDist().inv_cdf(0.80)


@dataclass(frozen=True)
class Outlook:
    """Where a touchpoint's period is heading. Chances are fractions (0..1); None where the
    touchpoint has no target for the score, or nothing to judge it by."""

    chance_nps: float | None
    chance_csat: float | None
    #: Answers the period has (the larger of its NPS and CSAT answers).
    answers_so_far: int
    #: Answers it is expected to have at its end: so far plus the usual volume for the rest.
    expected_answers: int
    nps_so_far: float | None
    csat_so_far: float | None
    #: The expected final score under the posterior, in points.
    projected_nps: float | None
    projected_csat: float | None
    #: How the NPS chance was found: "exact", "normal", or "settled" (nothing remains).
    nps_method: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "chance_nps": _round(self.chance_nps, 4),
            "chance_csat": _round(self.chance_csat, 4),
            "answers_so_far": self.answers_so_far,
            "expected_answers": self.expected_answers,
            "nps_so_far": _round(self.nps_so_far, 1),
            "csat_so_far": _round(self.csat_so_far, 1),
            "projected_nps": _round(self.projected_nps, 1),
            "projected_csat": _round(self.projected_csat, 1),
            "nps_method": self.nps_method,
        }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def expected_remaining(answers_before: int, days_before: float, days_left: float) -> int:
    """The usual volume for the days left: the previous periods' answers per day times the
    days left, rounded to whole answers."""
    if answers_before < 0 or days_before < 0 or days_left < 0:
        raise ValueError("answers and days must be at least 0")
    if days_before == 0 or days_left == 0:
        return 0
    return round(answers_before / days_before * days_left)


def outlook(
    so_far: TallyLike,
    *,
    remaining_nps: int,
    remaining_csat: int,
    nps_target: float | None,
    csat_target: float | None,
    history: TallyLike | None = None,
    exact_limit: int = EXACT_LIMIT,
) -> Outlook:
    """The chance of ending the period on target given `so_far` and the answers still
    expected (`remaining_*`); `history` (the previous periods summed) centres the prior."""
    if remaining_nps < 0 or remaining_csat < 0:
        raise ValueError("the remaining answers must be at least 0")
    n, c = nps_n(so_far), so_far.csat_n
    alphas = _nps_prior(history)
    posterior = (
        alphas[0] + so_far.promoters,
        alphas[1] + so_far.passives,
        alphas[2] + so_far.detractors,
    )
    a, b = _csat_prior(history)
    a, b = a + so_far.satisfied, b + (c - so_far.satisfied)
    nps_now = 100 * (so_far.promoters - so_far.detractors) / n if n else None
    csat_now = 100 * so_far.satisfied / c if c else None
    chance_nps, method = _nps_chance(so_far, remaining_nps, nps_target, posterior, exact_limit)
    chance_csat = _csat_chance(so_far, remaining_csat, csat_target, a, b)
    total = sum(posterior)
    mean_nps = (posterior[0] - posterior[2]) / total
    projected_nps = (
        100
        * (so_far.promoters - so_far.detractors + remaining_nps * mean_nps)
        / (n + remaining_nps)
        if n + remaining_nps
        else None
    )
    projected_csat = (
        100 * (so_far.satisfied + remaining_csat * a / (a + b)) / (c + remaining_csat)
        if c + remaining_csat
        else None
    )
    return Outlook(
        chance_nps=chance_nps,
        chance_csat=chance_csat,
        answers_so_far=max(n, c),
        expected_answers=max(n + remaining_nps, c + remaining_csat),
        nps_so_far=nps_now,
        csat_so_far=csat_now,
        projected_nps=projected_nps,
        projected_csat=projected_csat,
        nps_method=method,
    )


def _nps_prior(history: TallyLike | None) -> tuple[float, float, float]:
    counts = (
        (0, 0, 0)
        if history is None
        else (
            history.promoters,
            history.passives,
            history.detractors,
        )
    )
    total = sum(counts) + 3
    return tuple(NPS_PRIOR_WEIGHT * (count + 1) / total for count in counts)  # type: ignore[return-value]


def _csat_prior(history: TallyLike | None) -> tuple[float, float]:
    satisfied, n = (0, 0) if history is None else (history.satisfied, history.csat_n)
    share = (satisfied + 1) / (n + 2)
    return CSAT_PRIOR_WEIGHT * share, CSAT_PRIOR_WEIGHT * (1 - share)


def _nps_meets(net: int, n: int, target: float) -> bool:
    return 100 * net / n > target


def _nps_chance(
    so_far: TallyLike,
    m: int,
    target: float | None,
    posterior: tuple[float, float, float],
    exact_limit: int,
) -> tuple[float | None, str | None]:
    n = nps_n(so_far)
    net = so_far.promoters - so_far.detractors
    if target is None or n + m == 0:
        return None, None
    if m == 0:
        return (1.0 if _nps_meets(net, n, target) else 0.0), "settled"
    ap, aq, ad = posterior
    if m > exact_limit:
        return _nps_normal(net, n, m, target, posterior), "normal"
    chance = 0.0
    for x in range(m + 1):  # promoters among the remaining
        weight_x = math.exp(_log_beta_binomial(x, m, ap, aq + ad))
        rest = m - x
        for y in range(rest + 1):  # detractors among the rest
            if _nps_meets(net + x - y, n + m, target):
                chance += weight_x * math.exp(_log_beta_binomial(y, rest, ad, aq))
            else:
                break  # more detractors only lowers the score
    return min(1.0, max(0.0, chance)), "exact"


def _nps_normal(
    net: int, n: int, m: int, target: float, posterior: tuple[float, float, float]
) -> float:
    ap, aq, ad = posterior
    total = ap + aq + ad
    p, d = ap / total, ad / total
    mean = m * (p - d)
    variance = m * (m + total) / (1 + total) * (p + d - (p - d) ** 2)
    # The remaining promoters minus detractors, Z, must make 100 (net + Z) / (n + m) > target:
    # Z > target (n + m) / 100 - net, i.e. Z >= floor(that) + 1 for a whole Z.
    least = math.floor(target * (n + m) / 100 - net) + 1
    if variance == 0:
        return 1.0 if mean >= least else 0.0
    return 1 - NormalDist(mean, math.sqrt(variance)).cdf(least - 0.5)


def _csat_chance(
    so_far: TallyLike, m: int, target: float | None, a: float, b: float
) -> float | None:
    c = so_far.csat_n
    if target is None or c + m == 0:
        return None
    if m == 0:
        return 1.0 if 100 * so_far.satisfied / c >= target else 0.0
    chance = sum(
        math.exp(_log_beta_binomial(x, m, a, b))
        for x in range(m + 1)
        if 100 * (so_far.satisfied + x) / (c + m) >= target
    )
    return min(1.0, max(0.0, chance))


def _log_beta_binomial(k: int, n: int, a: float, b: float) -> float:
    """log P(k successes in n) when the success share is Beta(a, b)."""
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + math.lgamma(k + a)
        + math.lgamma(n - k + b)
        - math.lgamma(n + a + b)
        + math.lgamma(a + b)
        - math.lgamma(a)
        - math.lgamma(b)
    )


def nps_variance(promoters: int, passives: int, detractors: int) -> float | None:
    """The variance of one answer's NPS (+1, 0, -1) on the adjusted-Wald shares
    ((count + 0.75) / (n + 3)), so that all promoters still leave room for doubt."""
    n = promoters + passives + detractors
    if n == 0:
        return None
    p = (promoters + 0.75) / (n + 3)
    d = (detractors + 0.75) / (n + 3)
    return p + d - (p - d) ** 2


def csat_variance(satisfied: int, n: int) -> float | None:
    """The variance of one answer being satisfied, on the Agresti-Caffo share
    ((satisfied + 1) / (n + 2))."""
    if n == 0:
        return None
    share = (satisfied + 1) / (n + 2)
    return share * (1 - share)


def answers_needed(
    variance: float | None, answers_now: int, answers_before: int, *, delta: float = 5.0
) -> int | None:
    """More answers this period needs before a change of `delta` points on the previous
    period can be told from noise (95%, 80% power); 0 when it has enough, None when no
    number of answers would do (no variance known, or too few answers before)."""
    if delta <= 0:
        raise ValueError(f"the change to detect must be above 0 points, not {delta}")
    if answers_now < 0 or answers_before < 0:
        raise ValueError("answer counts must be at least 0")
    if variance is None or variance <= 0 or answers_before == 0:
        return None
    # (z_a + z_b)^2 v (1/n_now + 1/n_before) <= (delta/100)^2
    #   <=> 1/n_now <= (delta / 100 / (z_a + z_b))^2 / v - 1/n_before
    room = (delta / 100 / (Z_SIGNIFICANCE + Z_POWER)) ** 2 / variance - 1 / answers_before
    if room <= 0:
        return None
    needed_in_all = math.ceil(1 / room - 1e-9)
    return max(0, needed_in_all - answers_now)
