"""How the review's one query tells periods apart, and how counts add up: pure tables.

The database side of `surveys.review_counts` is exercised through the figures in
test_review.py; here, the bucketing that decides which period a row is counted in.
"""

from datetime import UTC, datetime

import pytest

from surveys.review_counts import Counts, bucket_sql, period_buckets


def day(month: int, d: int = 1) -> datetime:
    return datetime(2026, month, d, tzinfo=UTC)


@pytest.mark.parametrize(
    ("bounds", "ends", "indexes"),
    [
        # Q3 and the Q2 before it (given newest first): two intervals, in time order.
        ([(day(7), day(10)), (day(4), day(7))], [day(7), day(10)], [1, 0]),
        # Q1 and Q3 without Q2: the gap is an interval of its own, counted nowhere (-1).
        ([(day(1), day(4)), (day(7), day(10))], [day(4), day(7), day(10)], [0, -1, 1]),
        # One month.
        ([(day(10), day(11))], [day(11)], [0]),
    ],
)
def test_periods_become_consecutive_intervals_with_their_gaps(bounds, ends, indexes):
    assert period_buckets(bounds) == (ends, indexes)


def test_overlapping_periods_are_refused():
    with pytest.raises(ValueError, match="overlap"):
        period_buckets([(day(7), day(10)), (day(8), day(9))])


@pytest.mark.parametrize(
    ("ends", "indexes", "sql", "params"),
    [
        ([day(2)], [0], "0", []),
        ([day(2), day(3)], [1, 0], "CASE WHEN t < ? THEN 1 ELSE 0 END", [day(2)]),
        (
            # A binary search: the middle end first, then each half.
            [day(2), day(3), day(4), day(5)],
            [0, 1, -1, 2],
            "CASE WHEN t < ? THEN CASE WHEN t < ? THEN 0 ELSE 1 END"
            " ELSE CASE WHEN t < ? THEN -1 ELSE 2 END END",
            [day(3), day(2), day(4)],
        ),
    ],
)
def test_the_case_numbers_a_row_by_its_interval(ends, indexes, sql, params):
    assert bucket_sql("t", ends, indexes) == (sql, params)


@pytest.mark.parametrize(
    ("left", "right", "total"),
    [
        (Counts(answers=2, promoters=1), Counts(answers=3, detractors=2), (5, 1, 2, 0, 0)),
        (Counts(sent=4, responded=1), Counts(sent=6, responded=5), (0, 0, 0, 10, 6)),
        # Not countable in one cell (an attribute): not countable in the sum either.
        (Counts(sent=None, responded=None), Counts(sent=6, responded=5), (0, 0, 0, None, None)),
    ],
)
def test_counts_add_up_cell_by_cell(left, right, total):
    found = left + right
    assert (found.answers, found.promoters, found.detractors, found.sent, found.responded) == total
