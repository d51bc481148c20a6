"""Emerging terms: the words detractors use markedly more than promoters.

A new problem shows in the words of unhappy customers before anyone has named it as a
theme. Raw frequency ranks "the" and "order" first, and a plain ratio ranks a word said
once by one detractor first; the weighted log-odds ratio with an informative Dirichlet
prior (Monroe, Colaresi & Quinn 2008, "Fightin' Words", section 3.5) avoids both:

    prior         a_w = a_0 * y_w / n           (y_w: both groups' count of w, n: their total)
    log-odds      l_w(i) = log((y_w(i) + a_w) / (n(i) + a_0 - y_w(i) - a_w))
    difference    d_w = l_w(detractors) - l_w(promoters)
    variance      s2_w = 1 / (y_w(detractors) + a_w) + 1 / (y_w(promoters) + a_w)
    z-score       z_w = d_w / sqrt(s2_w)

The prior is the two groups' pooled counts, scaled to `a_0`; by default `a_0 = n`, a prior
as heavy as the data, which pulls a rarely used word strongly towards the pooled rate, so
only a word used often and unevenly stands out. A term must also be used by at least
`min_count` detractors, and z must exceed 1.96 (two-sided 5%).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

Z_95 = 1.96


@dataclass(frozen=True)
class EmergingTerm:
    term: str
    z: float
    detractors: int
    promoters: int

    def as_dict(self) -> dict[str, object]:
        return {
            "term": self.term,
            "z": round(self.z, 2),
            "detractors": self.detractors,
            "promoters": self.promoters,
        }


def emerging_terms(
    detractor_terms: Counter[str],
    promoter_terms: Counter[str],
    *,
    limit: int = 10,
    min_count: int = 3,
    prior_size: float | None = None,
) -> list[EmergingTerm]:
    """Terms detractors use markedly more than promoters, the most marked first.

    `prior_size` is a_0 above (the pooled total when None).
    """
    detractor_total = sum(detractor_terms.values())
    promoter_total = sum(promoter_terms.values())
    pooled_total = detractor_total + promoter_total
    if detractor_total == 0 or pooled_total == 0:
        return []
    a0 = float(pooled_total if prior_size is None else prior_size)
    found: list[EmergingTerm] = []
    for term, said_by_detractors in detractor_terms.items():
        if said_by_detractors < min_count:
            continue
        said_by_promoters = promoter_terms.get(term, 0)
        prior = a0 * (said_by_detractors + said_by_promoters) / pooled_total
        if prior >= a0:  # the only word either group used: nothing to contrast it with
            continue
        difference = _log_odds(said_by_detractors, detractor_total, prior, a0) - _log_odds(
            said_by_promoters, promoter_total, prior, a0
        )
        variance = 1 / (said_by_detractors + prior) + 1 / (said_by_promoters + prior)
        z = difference / math.sqrt(variance)
        if z > Z_95:
            found.append(EmergingTerm(term, z, said_by_detractors, said_by_promoters))
    found.sort(key=lambda item: (-item.z, item.term))
    return found[:limit]


def _log_odds(count: int, total: int, prior: float, a0: float) -> float:
    return math.log((count + prior) / (total + a0 - count - prior))
