import pytest

from surveys.scoring import (
    CsatScore,
    NpsScore,
    change,
    check_csat_answer,
    check_nps_answer,
    classify_nps,
    csat,
    nps,
    response_rate,
)


def approx(value: float) -> object:
    """Two decimals, the precision of the hand-worked examples."""
    return pytest.approx(value, abs=0.005)


@pytest.mark.parametrize(
    ("answer", "category"),
    [
        (0, "detractor"),
        (6, "detractor"),
        (7, "passive"),
        (8, "passive"),
        (9, "promoter"),
        (10, "promoter"),
    ],
)
def test_it_classifies_nps_answers_at_the_edges(answer, category):
    assert classify_nps(answer) == category


@pytest.mark.parametrize("answer", [-1, 11, 7.5, "9", True, None])
def test_it_refuses_an_nps_answer_outside_0_to_10(answer):
    with pytest.raises(ValueError, match="NPS answer is a whole number from 0 to 10"):
        check_nps_answer(answer)
    with pytest.raises(ValueError):
        classify_nps(answer)


@pytest.mark.parametrize("answer", [1, 3, 5])
def test_it_accepts_csat_answers_1_to_5(answer):
    assert check_csat_answer(answer) == answer
    assert check_nps_answer(answer) == answer


@pytest.mark.parametrize("answer", [0, 6, 4.0, "4", False])
def test_it_refuses_a_csat_answer_outside_1_to_5(answer):
    with pytest.raises(ValueError, match="CSAT answer is a whole number from 1 to 5"):
        check_csat_answer(answer)


def test_it_works_out_nps_and_its_adjusted_wald_interval():
    # n = 20, NPS = 100 x (10 - 5) / 20 = 25.
    # n' = 23, p' = 10.75 / 23 = 0.467391, d' = 5.75 / 23 = 0.25, p' - d' = 0.217391.
    # var = (0.717391 - 0.217391^2) / 23 = (0.717391 - 0.047259) / 23 = 0.029136.
    # half = 1.96 x sqrt(0.029136) = 1.96 x 0.170693 = 0.334559.
    # interval = 100 x (0.217391 -/+ 0.334559) = [-11.72, 55.20], margin 33.46.
    score = nps(10, 5, 5)
    assert (score.n, score.promoters, score.passives, score.detractors) == (20, 10, 5, 5)
    assert score.score == 25
    assert score.low == approx(-11.72)
    assert score.high == approx(55.20)
    assert score.margin == approx(33.46)
    assert score.low_sample is True


def test_one_promoter_scores_100_with_a_wide_interval():
    # n' = 4, p' = 1.75 / 4 = 0.4375, d' = 0.75 / 4 = 0.1875, p' - d' = 0.25.
    # var = (0.625 - 0.0625) / 4 = 0.140625, sqrt = 0.375, half = 0.735.
    # interval = [25 - 73.5, 25 + 73.5] = [-48.5, 98.5], widened to hold the score: 100.
    score = nps(1, 0, 0)
    assert score.score == 100
    assert score.low == approx(-48.5)
    assert score.high == 100
    assert score.margin == approx(73.5)


def test_one_detractor_scores_minus_100():
    score = nps(0, 0, 1)
    assert score.score == -100
    assert (score.low, score.high) == (-100, approx(48.5))  # widened from -98.5 to the score


def test_the_nps_interval_is_clipped_to_the_scale_but_the_margin_is_not():
    # 2 promoters: n' = 5, p' = 2.75 / 5 = 0.55, d' = 0.75 / 5 = 0.15, p' - d' = 0.4,
    # var = (0.7 - 0.16) / 5 = 0.108, half = 1.96 x 0.328634 = 0.644123.
    # interval = 100 x (0.4 -/+ 0.644123) = [-24.41, 104.41], shown as [-24.41, 100].
    score = nps(2, 0, 0)
    assert score.high == 100
    assert score.low == approx(-24.41)
    assert score.margin == approx(64.41)


def test_a_hundred_answers_are_not_low_sample():
    score = nps(45, 35, 20)
    assert score.score == 25
    assert score.low_sample is False
    assert nps(45, 35, 20, min_sample=101).low_sample is True
    assert nps(10, 10, 9).low_sample is True  # 29 answers
    assert nps(10, 10, 10).low_sample is False  # 30 answers


def test_no_nps_answers_give_no_score_rather_than_zero():
    assert nps(0, 0, 0) == NpsScore(0, 0, 0, 0, None, None, None, None, low_sample=True)


@pytest.mark.parametrize("counts", [(-1, 0, 0), (0, -2, 0), (1, 1, 1.5)])
def test_it_refuses_negative_or_fractional_counts(counts):
    with pytest.raises(ValueError, match="whole number of at least 0"):
        nps(*counts)


def test_it_works_out_csat_and_its_wilson_interval():
    # p = 17 / 20 = 0.85, z^2 = 3.8416, denominator = 1 + 3.8416 / 20 = 1.19208.
    # centre = (0.85 + 3.8416 / 40) / 1.19208 = 0.94604 / 1.19208 = 0.793604.
    # half = 1.96 x sqrt(0.85 x 0.15 / 20 + 3.8416 / 1600) / 1.19208
    #      = 1.96 x sqrt(0.006375 + 0.002401) / 1.19208 = 0.154028.
    # interval = [63.96, 94.76], margin = (94.76 - 63.96) / 2 = 15.40.
    score = csat(17, 20)
    assert score.score == 85
    assert score.low == approx(63.96)
    assert score.high == approx(94.76)
    assert score.margin == approx(15.40)
    assert score.low_sample is True


def test_csat_at_the_ends_of_the_scale_keeps_a_one_sided_interval():
    # All satisfied: Wilson's upper bound is 100; lower = 20 / (20 + 3.8416) = 83.89.
    everyone = csat(20, 20)
    assert (everyone.score, everyone.high) == (100, 100)
    assert everyone.low == approx(83.89)
    nobody = csat(0, 20)
    assert (nobody.score, nobody.low) == (0, 0)
    assert nobody.high == approx(100 - 83.89)


def test_no_csat_answers_give_no_score():
    assert csat(0, 0) == CsatScore(0, 0, None, None, None, None, low_sample=True)
    assert csat(30, 40).low_sample is False


def test_csat_refuses_more_satisfied_than_answers():
    with pytest.raises(ValueError, match=r"satisfied \(5\) cannot exceed the number of answers"):
        csat(5, 4)


def test_a_big_nps_change_is_larger_than_the_noise():
    # This quarter 60/20/20 (NPS 40), last quarter 40/20/40 (NPS 0), n = 100 each.
    # n' = 103: p1' = 60.75/103 = 0.58981, d1' = 20.75/103 = 0.20146, diff1 = 0.38835,
    #   var1 = (0.79126 - 0.15081) / 103 = 0.006218.
    # p2' = d2' = 40.75/103 = 0.39563, diff2 = 0, var2 = 0.79126 / 103 = 0.007682.
    # SE = sqrt(0.013900) = 0.11790; 1.96 x SE = 0.23108 < 0.38835: significant.
    found = change(nps(60, 20, 20), nps(40, 20, 40))
    assert found is not None
    assert found.delta == 40
    assert found.significant is True
    assert found.margin == approx(23.11)


def test_a_small_nps_change_on_a_small_sample_is_noise():
    found = change(nps(12, 4, 4), nps(10, 5, 5))  # NPS 40 against 25, n = 20 each
    assert found is not None
    assert (found.delta, found.significant) == (approx(15), False)
    assert found.margin is not None and found.margin > 15


def test_no_change_without_answers_in_both_periods():
    assert change(nps(5, 0, 0), nps(0, 0, 0)) is None
    assert change(nps(0, 0, 0), nps(5, 0, 0)) is None
    assert change(csat(0, 0), csat(3, 4)) is None


def test_a_csat_change_uses_the_difference_of_two_proportions():
    # Agresti-Caffo: p1 = 91/102 = 0.89216, p2 = 71/102 = 0.69608.
    # SE = sqrt(0.89216 x 0.10784 / 102 + 0.69608 x 0.30392 / 102) = sqrt(0.000943 + 0.002074)
    #    = 0.054929; 1.96 x SE = 0.10766 < 0.19608: significant.
    found = change(csat(90, 100), csat(70, 100))
    assert found is not None
    assert (found.delta, found.significant) == (approx(20), True)
    assert found.margin == approx(10.77)


def test_a_perfect_csat_against_a_near_perfect_one_is_noise():
    found = change(csat(20, 20), csat(19, 20))
    assert found is not None
    assert found.delta == approx(5)
    assert found.significant is False


def test_it_refuses_to_compare_nps_with_csat():
    with pytest.raises(TypeError, match="both periods must be NPS or both CSAT"):
        change(nps(1, 0, 0), csat(1, 1))  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("responses", "sent", "rate"),
    [(0, 0, None), (0, 10, 0.0), (3, 12, 25.0), (12, 12, 100.0)],
)
def test_the_response_rate_is_a_percentage_of_invitations_sent(responses, sent, rate):
    assert response_rate(responses, sent) == rate


def test_the_response_rate_refuses_more_responses_than_invitations():
    with pytest.raises(ValueError, match=r"responses \(5\) cannot exceed invitations sent \(4\)"):
        response_rate(5, 4)
