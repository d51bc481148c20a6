"""Properties of NPS and CSAT, for any counts: scores in bounds, intervals in bounds and
containing the score they are drawn around."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

import tests.properties  # noqa: F401  (the hypothesis profile)
from surveys.scoring import change, csat, nps

#: Small counts often (a touchpoint's first answers), large ones too.
COUNT = st.integers(min_value=0, max_value=30) | st.integers(min_value=0, max_value=100_000)


@given(COUNT, COUNT, COUNT)
def test_nps_and_its_interval_stay_in_bounds_around_the_score(promoters, passives, detractors):
    found = nps(promoters, passives, detractors)

    if found.n == 0:
        assert found.score is None and found.low is None and found.high is None
        return
    assert -100 <= found.low <= found.score <= found.high <= 100
    assert found.margin >= 0


@given(COUNT, COUNT)
def test_csat_and_its_interval_stay_in_bounds_around_the_score(satisfied, unsatisfied):
    found = csat(satisfied, satisfied + unsatisfied)

    if found.n == 0:
        assert found.score is None
        return
    assert 0 <= found.low <= found.score <= found.high <= 100
    assert 0 <= found.margin <= 50


@given(COUNT, COUNT, COUNT)
def test_a_period_compared_with_itself_has_not_changed(promoters, passives, detractors):
    same = nps(promoters, passives, detractors)

    found = change(same, same)

    assert found is None if same.n == 0 else (found.delta == 0 and not found.significant)
