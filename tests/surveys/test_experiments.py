"""A/B verdicts worked by hand: a wording that wins, one that only seems to when peeked at,
the 5% split among variants, and "not yet" with the answers still needed."""

from __future__ import annotations

import math

import pytest

from surveys.experiments import (
    always_valid_p,
    compare,
    log_mixture_ratio,
    observations_needed,
)
from surveys.tallies import Tally


def test_a_wording_with_a_clearly_higher_response_rate_wins():
    # A: 620 of 2000 answered (31%), B: 760 of 2000 (38%). Agresti-Caffo: A' = 621/2002
    # = 0.310190, B' = 761/2002 = 0.380120, theta = 0.069930.
    # V = (0.310190 x 0.689810 + 0.380120 x 0.619880) / 2002 = (0.213972 + 0.235629) / 2002
    # = 0.000224576; tau = 0.05, tau^2 = 0.0025, V + tau^2 = 0.002724576.
    # Lambda = sqrt(0.000224576 / 0.002724576) x exp(0.0025 x 0.069930^2 / (2 x 0.000224576
    # x 0.002724576)) = 0.287099 x exp(9.99024) = 0.287099 x 21812.6 = 6262.4; p = 0.000160.
    # Only response rate is compared (no answers), so the threshold is 0.05 itself.
    result = compare({"A": Tally(sent=2000, responded=620), "B": Tally(sent=2000, responded=760)})

    [verdict] = result.verdicts
    assert verdict.p_value == pytest.approx(1 / 6262.37, rel=1e-4)
    assert (verdict.significant, verdict.threshold, result.comparisons) == (True, 0.05, 1)
    assert verdict.text == (
        "B's response rate is higher than A's: 38% vs 31%, difference +7 points, 95% always-valid"
    )


def fixed_horizon_z(sent: int, control: int, variant: int) -> float:
    """The textbook pooled two-proportion z, fit for one look at a planned sample size."""
    pooled = (control + variant) / (2 * sent)
    return (variant - control) / sent / math.sqrt(pooled * (1 - pooled) * 2 / sent)


def test_peeking_at_a_z_test_declares_a_winner_the_always_valid_test_does_not():
    # The same experiment looked at weekly, sends per variant and responses so far.
    looks = [(100, 24, 33), (200, 50, 68), (300, 78, 96), (400, 104, 120)]

    z_winners = [sent for sent, a, b in looks if fixed_horizon_z(sent, a, b) > 1.96]
    verdicts = [
        compare({"A": Tally(sent=sent, responded=a), "B": Tally(sent=sent, responded=b)})
        for sent, a, b in looks
    ]

    # Second look: pooled 118/400 = 0.295, se = sqrt(0.295 x 0.705 x 2/200) = 0.045604,
    # z = 0.09 / 0.045604 = 1.973 > 1.96: "B wins", although by the fourth look the gap
    # has shrunk to 4 points and z to 1.26.
    assert z_winners == [200]
    # Always-valid at the second look: A' = 51/202 = 0.252475, B' = 69/202 = 0.341584,
    # theta = 0.089109, V = (0.188731 + 0.224904) / 202 = 0.0020477,
    # Lambda = sqrt(0.0020477 / 0.0045477) x exp(0.0025 x 0.089109^2 / (2 x 0.0020477 x
    # 0.0045477)) = 0.671023 x exp(1.065843) = 1.94817: p = 0.5133, far from 0.05.
    assert verdicts[1].verdicts[0].p_value == pytest.approx(0.5133, abs=1e-4)
    assert not any(result.verdicts[0].significant for result in verdicts)
    assert (
        verdicts[1]
        .verdicts[0]
        .text.startswith(
            "B vs A on response rate: 34% vs 25% (+9 points), not yet told from noise: about "
        )
    )


def test_more_variants_split_the_five_percent():
    # B alone against A: 714 of 2000 against 620, p = 0.0363 < 0.05, a verdict.
    two = compare({"A": Tally(sent=2000, responded=620), "B": Tally(sent=2000, responded=714)})
    assert two.verdicts[0].significant
    assert two.verdicts[0].p_value == pytest.approx(0.0363, abs=1e-4)
    # With C as well, each comparison must reach 0.05 / 2 = 0.025: B's 0.0363 does not.
    three = compare(
        {
            "C": Tally(sent=2000, responded=630),
            "A": Tally(sent=2000, responded=620),
            "B": Tally(sent=2000, responded=714),
        }
    )
    assert three.comparisons == 2
    assert [(v.variant, v.threshold, v.significant) for v in three.verdicts] == [
        ("B", 0.025, False),
        ("C", 0.025, False),
    ]


def test_a_large_nps_gap_on_fifty_answers_is_not_yet_a_verdict():
    # A: 30 promoters, 10 passives, 10 detractors (NPS 40); B: 20, 10, 20 (NPS 0).
    # Adjusted-Wald: A p' = 30.75/53 = 0.580189, d' = 10.75/53 = 0.202830, centre 0.377358,
    # var = (0.783019 - 0.377358^2) / 53 = 0.0120872; B p' = d' = 20.75/53 = 0.391509,
    # centre 0, var = 0.783019 / 53 = 0.0147739. theta = -0.377358, V = 0.0268611,
    # tau = 0.10 for NPS, V + tau^2 = 0.0368611.
    # Lambda = sqrt(0.0268611 / 0.0368611) x exp(0.01 x 0.142399 / (2 x 0.0268611 x
    # 0.0368611)) = 0.853646 x exp(0.719095) = 0.853646 x 2.052574 = 1.752173: p = 0.5707.
    result = compare({"A": Tally(30, 10, 10), "B": Tally(20, 10, 20)})

    [verdict] = result.verdicts
    assert verdict.metric == "nps"
    assert verdict.p_value == pytest.approx(0.5707, abs=1e-4)
    assert not verdict.significant
    assert verdict.detect == 40
    assert verdict.text == (
        "B vs A on NPS: 0 vs 40 (-40 points), not yet told from noise: "
        f"about {verdict.needed} more answers per variant to tell 40 points"
    )
    # The answers needed make the same gap significant: both variants' per-answer
    # variances (0.0120872 + 0.0147739) x 53 = 1.42364, over n answers each.
    assert verdict.needed is not None
    enough = 50 + verdict.needed
    assert always_valid_p(0.4, 1.42364 / enough, 0.10) <= 0.05
    assert always_valid_p(0.4, 1.42364 / (enough - 1), 0.10) > 0.05


def test_a_lower_score_is_said_to_be_lower():
    result = compare({"A": Tally(120, 40, 40), "B": Tally(60, 60, 80)})

    assert result.verdicts[0].text == (
        "B's NPS is lower than A's: -10 vs 40, difference -50 points, 95% always-valid"
    )


def test_the_control_is_the_first_variant_by_name_unless_named():
    tallies = {"B": Tally(sent=100, responded=30), "A": Tally(sent=100, responded=31)}

    assert compare(tallies).control == "A"
    assert [v.name for v in compare(tallies).variants] == ["A", "B"]
    assert compare(tallies, control="B").verdicts[0].variant == "A"
    with pytest.raises(ValueError, match="unknown control 'Z' \\(variants: A, B\\)"):
        compare(tallies, control="Z")


def test_service_experiments_without_sends_compare_answers_only():
    # An attribute (script: A|B) is not on the invitation: no sends, no response rate.
    result = compare(
        {
            "A": Tally(40, 30, 30, csat_n=100, satisfied=80),
            "B": Tally(50, 30, 20, csat_n=100, satisfied=85),
        }
    )
    assert [v.metric for v in result.verdicts] == ["nps", "csat"]
    assert result.comparisons == 2
    assert result.as_dict()["variants"][0] == {
        "variant": "A",
        "answers": 100,
        "sent": None,
        "responded": None,
        "response_rate": None,
        "response_rate_interval": None,
        "nps": 10.0,
        "nps_interval": [-6.3, 25.7],  # 9.7 ± 1.96 x 0.0815, scoring.nps
        "nps_n": 100,
        "csat": 80.0,
        "csat_interval": [71.1, 86.7],
        "csat_n": 100,
        "low_sample": False,
    }


def test_a_variant_with_no_answers_is_not_yet_compared():
    result = compare({"A": Tally(5, 3, 2), "B": Tally()})

    [verdict] = result.verdicts
    assert verdict.text == "B vs A on NPS: not yet, B has no answers"
    assert (verdict.p_value, verdict.needed, verdict.significant) == (None, None, False)


def test_one_variant_has_nothing_to_be_compared_with():
    result = compare({"A": Tally(5, 3, 2)})
    assert (result.control, result.verdicts, result.comparisons) == ("A", [], 0)
    assert compare({}).as_dict() == {
        "control": None,
        "comparisons": 0,
        "variants": [],
        "verdicts": [],
    }


def test_no_difference_is_never_significant():
    # theta = 0: Lambda = sqrt(V / (V + tau^2)) < 1, p = 1 at any sample size.
    assert always_valid_p(0.0, 1e-6, 0.05) == 1.0
    assert observations_needed(0.5, 0.0, 0.05, 0.05) == 10**9


def test_the_mixture_ratio_needs_a_variance():
    # V = 0.0025 = tau^2: log Lambda = 0.5 log(1/2) + 0.0025 x 0.01 / (2 x 0.0025 x 0.005)
    # = -0.346574 + 1 = 0.653426.
    assert log_mixture_ratio(0.1, 0.0025, 0.05) == pytest.approx(0.653426, abs=1e-6)
    with pytest.raises(ValueError, match="above 0"):
        log_mixture_ratio(0.1, 0.0, 0.05)
