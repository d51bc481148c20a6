"""The counts the statistics start from: written by hand, or the review's own sums."""

from __future__ import annotations

from surveys.experiments import compare
from surveys.forecast import outlook
from surveys.review_counts import Counts
from surveys.tallies import Tally, nps_n


def test_a_tally_counts_its_nps_answers():
    assert Tally(5, 3, 2).nps_n == nps_n(Tally(5, 3, 2)) == 10
    assert Tally(csat_n=4, satisfied=3).nps_n == 0


def test_the_reviews_sums_are_read_as_they_are():
    counts = Counts(answers=10, promoters=5, passives=3, detractors=2, csat_n=10, satisfied=8)
    by_hand = Tally(5, 3, 2, csat_n=10, satisfied=8, sent=0, responded=0)

    assert nps_n(counts) == 10
    assert (
        compare({"A": counts, "B": counts}).as_dict()
        == compare({"A": by_hand, "B": by_hand}).as_dict()
    )
    assert outlook(
        counts, remaining_nps=1, remaining_csat=1, nps_target=30, csat_target=80
    ) == outlook(by_hand, remaining_nps=1, remaining_csat=1, nps_target=30, csat_target=80)
