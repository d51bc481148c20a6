"""The quarter under way, worked by hand: the chance of ending on target and the answers a
touchpoint still needs before a change can be told from noise."""

from __future__ import annotations

import pytest

from surveys.forecast import (
    Z_POWER,
    Z_SIGNIFICANCE,
    answers_needed,
    csat_variance,
    expected_remaining,
    nps_variance,
    outlook,
)
from surveys.tallies import Tally


def nps_chance(so_far: Tally, remaining: int, target: float, **options) -> float | None:
    found = outlook(
        so_far,
        remaining_nps=remaining,
        remaining_csat=0,
        nps_target=target,
        csat_target=None,
        **options,
    )
    return found.chance_nps


def csat_chance(so_far: Tally, remaining: int, target: float, **options) -> float | None:
    found = outlook(
        so_far,
        remaining_nps=0,
        remaining_csat=remaining,
        nps_target=None,
        csat_target=target,
        **options,
    )
    return found.chance_csat


def test_one_answer_to_come_must_be_a_promoter_to_lift_nps_above_target():
    # 5 promoters, 3 passives, 2 detractors: NPS 30, target 30 (met only strictly above).
    # No history: the posterior is Dirichlet(1+5, 1+3, 1+2) = (6, 4, 3), sum 13.
    # One more answer: a promoter makes (6-2)/11 = 36.4 > 30; a passive 3/11 = 27.3 and a
    # detractor 2/11 = 18.2 do not. P(promoter) = 6/13.
    assert nps_chance(Tally(5, 3, 2), 1, 30) == pytest.approx(6 / 13)


def test_two_answers_to_come_need_one_promoter_more_than_detractors():
    # As above with two more: 100 (3 + x - y) / 12 > 30 needs x - y >= 1 (x promoters,
    # y detractors): two promoters, or one promoter and one passive.
    # P(2 promoters) = 6*7 / (13*14) = 42/182; P(promoter, passive in either order)
    # = 2 * 6*4 / (13*14) = 48/182. Together 90/182.
    assert nps_chance(Tally(5, 3, 2), 2, 30) == pytest.approx(90 / 182)


def test_csat_needs_both_remaining_answers_satisfied():
    # 8 satisfied of 10, target 80 (met at or above). Beta(1+8, 1+2) = Beta(9, 3).
    # Two more: 100 (8 + x) / 12 >= 80 needs x >= 1.6, so both: 9*10 / (12*13) = 90/156.
    assert csat_chance(Tally(csat_n=10, satisfied=8), 2, 80) == pytest.approx(90 / 156)


def test_a_target_out_of_reach_has_no_chance():
    # 100 (8 + 2) / 12 = 83.3 < 85 even if both are satisfied.
    assert csat_chance(Tally(csat_n=10, satisfied=8), 2, 85) == 0


def test_the_previous_periods_centre_the_prior():
    # No answers yet, one to come, CSAT target 50: the chance is the prior's mean share.
    # History 9 satisfied of 10: s = (9+1)/(10+2) = 10/12, Beta(2 * 10/12, 2 * 2/12),
    # mean 10/12. Without history Beta(1, 1), mean 1/2.
    assert csat_chance(Tally(), 1, 50, history=Tally(csat_n=10, satisfied=9)) == pytest.approx(
        10 / 12
    )
    assert csat_chance(Tally(), 1, 50) == pytest.approx(1 / 2)


def test_many_answers_to_come_use_the_normal_approximation():
    # Nothing yet, 1000 to come, no history: shares (1/3, 1/3, 1/3), Dirichlet sum 3.
    # Z = promoters - detractors of the 1000: mean 0, variance
    # 1000 * (1000 + 3) / (1 + 3) * (1/3 + 1/3 - 0) = 167,166.7, sd 408.9.
    # NPS above 0 needs Z >= 1: 1 - Phi((0.5 - 0) / 408.9) = 0.49951.
    found = outlook(Tally(), remaining_nps=1000, remaining_csat=0, nps_target=0, csat_target=None)
    assert found.nps_method == "normal"
    assert found.chance_nps == pytest.approx(0.49951, abs=1e-5)
    assert found.projected_nps == 0


def test_the_normal_approximation_agrees_with_the_exact_sum():
    so_far = Tally(40, 30, 30)
    exact = nps_chance(so_far, 400, 12)
    normal = nps_chance(so_far, 400, 12, exact_limit=0)
    assert exact == pytest.approx(0.3773, abs=1e-4)
    assert normal == pytest.approx(exact, abs=0.005)


@pytest.mark.parametrize(
    ("so_far", "nps", "csat"),
    [
        # Over: NPS 30 is not strictly above 30; CSAT 80 is at 80.
        (Tally(5, 3, 2, csat_n=10, satisfied=8), 0.0, 1.0),
        (Tally(6, 2, 2, csat_n=10, satisfied=7), 1.0, 0.0),
    ],
)
def test_a_period_that_is_over_met_its_target_or_did_not(so_far, nps, csat):
    found = outlook(so_far, remaining_nps=0, remaining_csat=0, nps_target=30, csat_target=80)
    assert (found.chance_nps, found.chance_csat) == (nps, csat)
    assert found.nps_method == "settled"


def test_nothing_to_judge_and_no_target_give_no_chance():
    empty = outlook(Tally(), remaining_nps=0, remaining_csat=0, nps_target=30, csat_target=80)
    assert (empty.chance_nps, empty.chance_csat, empty.nps_so_far) == (None, None, None)
    untargeted = outlook(
        Tally(5, 3, 2), remaining_nps=4, remaining_csat=0, nps_target=None, csat_target=None
    )
    assert untargeted.chance_nps is None


def test_the_outlook_counts_answers_so_far_and_to_come():
    found = outlook(
        Tally(5, 3, 2, csat_n=12, satisfied=9),
        remaining_nps=2,
        remaining_csat=3,
        nps_target=30,
        csat_target=80,
    )
    # Projected NPS: (5 - 2 + 2 * (6 - 3)/13) / 12 = 3.4615 / 12 = 28.8 points.
    assert found.as_dict() == {
        "chance_nps": 0.4945,
        "chance_csat": 0.3929,
        "answers_so_far": 12,
        "expected_answers": 15,
        "nps_so_far": 30.0,
        "csat_so_far": 75.0,
        "projected_nps": 28.8,
        "projected_csat": 74.3,
        "nps_method": "exact",
    }
    # CSAT: Beta(1 + 9, 1 + 3) = Beta(10, 4); 100 (9 + x) / 15 >= 80 needs x = 3:
    # 10*11*12 / (14*15*16) = 1320/3360 = 0.39286.
    # Projected CSAT: (9 + 3 * 10/14) / 15 = 11.1429 / 15 = 74.3%.
    assert found.chance_csat == pytest.approx(1320 / 3360)


def test_the_usual_volume_is_the_daily_answers_times_the_days_left():
    # 910 answers over 91 days before: 10 a day; 30 days left: 300.
    assert expected_remaining(910, 91, 30) == 300
    assert expected_remaining(0, 0, 30) == 0
    assert expected_remaining(910, 91, 0) == 0
    with pytest.raises(ValueError, match="at least 0"):
        expected_remaining(-1, 91, 30)


def test_the_remaining_answers_cannot_be_negative():
    with pytest.raises(ValueError, match="remaining"):
        outlook(Tally(), remaining_nps=-1, remaining_csat=0, nps_target=0, csat_target=None)


# Answers needed: (z_a + z_b) = 1.959964 + 0.841621 = 2.801585, and a 5-point change is
# 0.05; (0.05 / 2.801585)^2 = 0.000318516.


def test_nps_needs_thousands_of_answers_to_tell_five_points():
    # 50 promoters, 30 passives, 20 detractors: p' = 50.75/103 = 0.492718,
    # d' = 20.75/103 = 0.201456, v = 0.694175 - 0.291262^2 = 0.609341.
    # 1/n_now <= 0.000318516 / 0.609341 - 1/4000 = 0.000522722 - 0.00025 = 0.000272722,
    # n_now >= 3666.7, so 3667 in all: 3567 more than the 100 so far.
    variance = nps_variance(50, 30, 20)
    assert variance == pytest.approx(0.609341, abs=1e-6)
    assert Z_SIGNIFICANCE + Z_POWER == pytest.approx(2.801585, abs=1e-6)
    assert answers_needed(variance, 100, 4000) == 3567


def test_a_previous_period_too_small_to_compare_with_needs_no_number():
    # As above against 400 answers before: 0.000522722 - 1/400 < 0: no n_now will do.
    assert answers_needed(nps_variance(50, 30, 20), 100, 400) is None
    assert answers_needed(nps_variance(50, 30, 20), 100, 0) is None
    assert answers_needed(None, 0, 4000) is None


def test_csat_needs_fewer_answers():
    # 80 satisfied of 100: s' = 81/102 = 0.794118, v = 0.794118 x 0.205882 = 0.163495.
    # 0.000318516 / 0.163495 - 1/1000 = 0.00194817 - 0.001 = 0.00094817: n_now >= 1054.7,
    # so 1055 in all, 955 more than the 100 so far.
    assert answers_needed(csat_variance(80, 100), 100, 1000) == 955
    assert answers_needed(csat_variance(80, 100), 2000, 1000) == 0


def test_a_larger_change_needs_fewer_answers():
    # 10 points: (0.1 / 2.801585)^2 = 0.00127406; / 0.163495 = 0.00779271 - 0.001
    # = 0.00679271: n_now >= 147.2, 148 in all, 48 more.
    assert answers_needed(csat_variance(80, 100), 100, 1000, delta=10) == 48


def test_the_change_to_detect_must_be_above_zero():
    with pytest.raises(ValueError, match="above 0 points"):
        answers_needed(0.2, 10, 10, delta=0)
