"""Emerging terms: the weighted log-odds with an informative prior, worked by hand."""

from collections import Counter

import pytest

from surveys.feedback import EmergingTerm, emerging_terms

# Twelve words from detractors, twelve from promoters; a_0 = n = 24, so each word's prior
# is its pooled count (a_w = 24 * y_w / 24 = y_w).
DETRACTORS = Counter({"late": 8, "box": 2, "good": 1, "staff": 1})
PROMOTERS = Counter({"late": 1, "box": 2, "good": 8, "staff": 1})


def test_a_word_detractors_say_far_more_stands_out_with_its_hand_worked_z():
    # late: a_w = 9
    #   detractors: log((8 + 9) / (12 + 24 - 8 - 9)) = log(17 / 19)
    #   promoters:  log((1 + 9) / (12 + 24 - 1 - 9)) = log(10 / 26)
    #   d = log(17 * 26 / (19 * 10)) = log(442 / 190) = log(2.326316) = 0.844286
    #   s2 = 1 / 17 + 1 / 10 = 0.158824, s = 0.398527
    #   z = 0.844286 / 0.398527 = 2.1185 > 1.96
    # box and staff: used alike, d = 0. good: z = -2.1185, a promoters' word.
    found = emerging_terms(DETRACTORS, PROMOTERS, min_count=1)

    assert found == [EmergingTerm("late", pytest.approx(2.1185, abs=1e-4), 8, 1)]


def test_a_word_under_the_minimum_count_is_left_out_however_uneven():
    assert emerging_terms(DETRACTORS, PROMOTERS, min_count=9) == []


def test_a_word_only_detractors_used_once_is_noise_not_news():
    # "mould": pooled total n = a_0 = 25, a_w = 25 * 1 / 25 = 1
    #   detractors: log((1 + 1) / (13 + 25 - 1 - 1)) = log(2 / 36)
    #   promoters:  log((0 + 1) / (12 + 25 - 0 - 1)) = log(1 / 36)
    #   d = log(2) = 0.693, s2 = 1 / 2 + 1 / 1 = 1.5, z = 0.693 / 1.225 = 0.57 < 1.96
    detractors = DETRACTORS + Counter({"mould": 1})
    assert [term.term for term in emerging_terms(detractors, PROMOTERS, min_count=1)] == ["late"]


def test_a_lighter_prior_lets_more_words_through_and_the_most_marked_come_first():
    detractors = Counter({"late": 30, "refund": 12, "box": 10, "great": 2})
    promoters = Counter({"late": 2, "refund": 1, "box": 9, "great": 30})

    found = emerging_terms(detractors, promoters, prior_size=10)

    assert [term.term for term in found] == ["late", "refund"]
    assert found[0].z > found[1].z > 1.96
    assert found[0].as_dict() == {
        "term": "late",
        "z": round(found[0].z, 2),
        "detractors": 30,
        "promoters": 2,
    }


def test_limit_keeps_the_strongest():
    detractors = Counter({"late": 30, "refund": 12, "box": 10, "great": 2})
    promoters = Counter({"late": 2, "refund": 1, "box": 9, "great": 30})

    assert [term.term for term in emerging_terms(detractors, promoters, limit=1)] == ["late"]


@pytest.mark.parametrize(
    ("detractors", "promoters"),
    [
        (Counter(), Counter({"great": 5})),
        (Counter(), Counter()),
        (Counter({"late": 5}), Counter()),  # one word in all: nothing to contrast it with
    ],
)
def test_no_words_no_emerging_terms(detractors, promoters):
    assert emerging_terms(detractors, promoters) == []
