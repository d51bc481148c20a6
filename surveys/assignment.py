"""Which wording variant a customer gets in a message experiment: random, but stable.

The variant is a pure function of the customer and the experiment's name: a SHA-256 of the
two places the customer at a point in [0, 1), and the weights cut that interval into one
slice per variant. So a customer asked twice reads the same wording (their answers are not
split between variants), two experiments assign independently of each other, and nothing
needs storing or locking to keep the assignment. Changing an experiment's weights moves
only the customers whose point falls in the slices that moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

#: 2**64: the point is the first 8 bytes of the digest as a fraction of this.
_SCALE = float(1 << 64)


def assignment_point(customer_key: str, experiment: str) -> float:
    """The customer's place in [0, 1) for this experiment."""
    digest = hashlib.sha256(f"{experiment}\x1f{customer_key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign_variant(customer_key: str, experiment: str, weights: Mapping[str, float]) -> str:
    """The variant of `weights` (name to weight above zero) this customer gets.

    Variants are taken in name order, so the result does not depend on the order the
    journey file lists them in.
    """
    if not weights:
        raise ValueError(f"experiment {experiment!r} has no variants to assign")
    if any(not weight > 0 for weight in weights.values()):
        raise ValueError(f"experiment {experiment!r}: every weight must be above 0")
    names = sorted(weights)
    total = sum(weights[name] for name in names)
    point = assignment_point(customer_key, experiment) * total
    running = 0.0
    for name in names:
        running += weights[name]
        if point < running:
            return name
    return names[-1]  # rounding at the very top of the interval
