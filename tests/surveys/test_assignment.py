"""Which wording a customer reads: random across customers, the same for one customer
every time, the weights kept, and each experiment drawn on its own.

The customers are a fixed list (customer-0 .. customer-9999), so the counts are the same
on every run; the bounds say how far chance alone would plausibly stray.
"""

from __future__ import annotations

import math
from collections import Counter

import pytest

from surveys.assignment import assign_variant, assignment_point

CUSTOMERS = [f"customer-{i}" for i in range(10_000)]


def test_a_customer_reads_the_same_wording_every_time():
    weights = {"A": 1, "B": 1}
    first = [assign_variant(c, "sms-wording", weights) for c in CUSTOMERS[:500]]
    again = [assign_variant(c, "sms-wording", weights) for c in CUSTOMERS[:500]]

    assert first == again
    assert assign_variant("anna", "sms-wording", weights) == "B"  # the same on any machine
    assert assignment_point("anna", "sms-wording") == pytest.approx(0.734555, abs=1e-6)


@pytest.mark.parametrize(
    "weights",
    [{"A": 3, "B": 1}, {"A": 1, "B": 2, "C": 1}, {"A": 0.5, "B": 0.5}],
)
def test_the_weights_are_kept_within_sampling_error(weights):
    counts = Counter(assign_variant(c, "sms-wording", weights) for c in CUSTOMERS)

    total = sum(weights.values())
    for name, weight in weights.items():
        share = weight / total
        expected = 10_000 * share
        # Four binomial standard deviations: 3:1 gives 7,500 +- 4 x 43.3 = +- 173.
        spread = 4 * math.sqrt(10_000 * share * (1 - share))
        assert abs(counts[name] - expected) < spread, (name, counts)


def test_two_experiments_assign_independently():
    weights = {"A": 1, "B": 1}
    pairs = Counter(
        (assign_variant(c, "sms-wording", weights), assign_variant(c, "email-subject", weights))
        for c in CUSTOMERS
    )

    # Chi-square test of independence on the 2 x 2 table: under independence it exceeds
    # 10.83 one time in a thousand.
    rows = {a: sum(n for (x, _), n in pairs.items() if x == a) for a in "AB"}
    columns = {b: sum(n for (_, y), n in pairs.items() if y == b) for b in "AB"}
    chi2 = sum(
        (pairs[(a, b)] - rows[a] * columns[b] / 10_000) ** 2 / (rows[a] * columns[b] / 10_000)
        for a in "AB"
        for b in "AB"
    )
    assert chi2 < 10.83, pairs
    # And not merely the same draw relabelled: many customers differ between them.
    assert pairs[("A", "B")] + pairs[("B", "A")] > 4_000


def test_the_order_the_weights_are_written_in_does_not_matter():
    one = {"A": 1, "B": 2, "C": 1}
    other = {"C": 1, "B": 2, "A": 1}

    assert [assign_variant(c, "x", one) for c in CUSTOMERS[:2000]] == [
        assign_variant(c, "x", other) for c in CUSTOMERS[:2000]
    ]


def test_more_weight_for_b_moves_only_customers_of_a():
    # A's slice shrinks from [0, 1/2) to [0, 1/4): B's customers all stay with B.
    before = {c: assign_variant(c, "x", {"A": 1, "B": 1}) for c in CUSTOMERS[:2000]}
    after = {c: assign_variant(c, "x", {"A": 1, "B": 3}) for c in CUSTOMERS[:2000]}

    moved = {before[c] for c in before if before[c] != after[c]}
    assert moved == {"A"}


def test_every_point_falls_in_the_unit_interval():
    points = [assignment_point(c, "sms-wording") for c in CUSTOMERS[:2000]]
    assert all(0 <= point < 1 for point in points)


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({}, "experiment 'x' has no variants to assign"),
        ({"A": 1, "B": 0}, "experiment 'x': every weight must be above 0"),
        ({"A": 1, "B": -1}, "experiment 'x': every weight must be above 0"),
    ],
)
def test_weights_that_cannot_be_assigned_are_refused(weights, message):
    with pytest.raises(ValueError, match=message):
        assign_variant("anna", "x", weights)
