"""Follow-up figures: percentiles by nearest rank (a table), and one quarter of the care
team's cases counted as the quarterly review reads them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from surveys.followup_figures import case_figures, nearest_rank, spoken_duration
from surveys.models import FollowUpCase
from tests.surveys.cases import care_team, case_opened
from tests.surveys.cases import follow_up_journey as journey

H = timedelta(hours=1)
Q3 = (datetime(2026, 7, 1, tzinfo=UTC), datetime(2026, 10, 1, tzinfo=UTC))
NOW = datetime(2026, 9, 30, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "percent", "expected"),
    [
        ([], 50, None),
        ([4], 50, 4),
        ([4], 90, 4),
        ([3, 1], 50, 1),  # the lower of the two middle times
        ([1, 2, 3], 50, 2),
        (list(range(1, 11)), 50, 5),
        (list(range(1, 11)), 90, 9),
        (list(range(1, 21)), 90, 18),
        ([5, 1, 9, 2, 7], 90, 9),
    ],
)
def test_percentiles_are_taken_by_nearest_rank(hours, percent, expected):
    found = nearest_rank([h * H for h in hours], percent)

    assert found == (None if expected is None else expected * H)


@pytest.fixture
async def quarter(db):
    await journey({"first_response": "PT2H", "resolution": "P1D", "team": "care"})
    await care_team()
    july, august, september = (datetime(2026, m, 1, 10, tzinfo=UTC) for m in (7, 8, 9))
    await case_opened(july, responded=1 * H, resolved=20 * H, score=5)  # both in time
    await case_opened(august, responded=3 * H, resolved=30 * H, score=4)  # both late
    await case_opened(september, resolved=1.5 * H, score=2)  # resolved with no reply first
    await case_opened(september + timedelta(days=1))  # never answered: both clocks missed
    await case_opened(NOW - H)  # opened an hour ago: nothing decided yet
    await case_opened(september + timedelta(days=2), waiting_paused=True)  # paused: undecided
    await case_opened(datetime(2026, 6, 1, tzinfo=UTC))  # last quarter, still open and overdue
    no_team = await case_opened(july, responded=H / 2)
    await FollowUpCase.filter(id=no_team.id).update(team_key=None)


@pytest.mark.parametrize(
    ("minutes", "spoken"),
    [(None, "-"), (0, "0m"), (45, "45m"), (60, "1h"), (90, "1h30m"), (1440, "1d"), (1710, "1d4h")],
)
def test_times_are_written_as_a_person_says_them(minutes, spoken):
    assert spoken_duration(None if minutes is None else minutes * timedelta(minutes=1)) == spoken


async def test_a_teams_quarter_in_figures(quarter):
    care, no_team = await case_figures(start=Q3[0], end=Q3[1], group_by="team", now=NOW)

    assert (care.key, care.opened, no_team.key, no_team.opened) == ("care", 6, None, 1)
    assert care.first_response.as_dict() == {"median_seconds": 5400, "p90_seconds": 10800, "n": 3}
    assert care.resolution.as_dict() == {"median_seconds": 72000, "p90_seconds": 108000, "n": 3}
    assert care.first_response_within_sla.as_dict() == {"percent": 50.0, "met": 2, "n": 4}
    assert care.resolution_within_sla.as_dict() == {"percent": 50.0, "met": 2, "n": 4}
    assert care.satisfaction.as_dict() == {"percent": 66.7, "met": 2, "n": 3}
    assert care.satisfaction_target_met is False
    assert (care.open_now, care.overdue_now) == (4, 2)  # the quarter's three and June's
    assert no_team.first_response_within_sla.as_dict() == {"percent": 100.0, "met": 1, "n": 1}
    assert no_team.satisfaction.percent is None and no_team.satisfaction_target_met is None


async def test_a_case_past_its_due_is_missed_the_moment_it_passes(quarter):
    due = NOW - H + 2 * H

    (before, *_) = await case_figures(start=Q3[0], end=Q3[1], group_by="team", now=due)
    (after, *_) = await case_figures(start=Q3[0], end=Q3[1], group_by="team", now=due + H / 60)

    assert before.first_response_within_sla.n == 4
    assert after.first_response_within_sla.as_dict() == {"percent": 40.0, "met": 2, "n": 5}


async def test_figures_by_touchpoint_and_journey_and_for_one_journey(quarter):
    (use,) = await case_figures(start=Q3[0], end=Q3[1], group_by="touchpoint", now=NOW)
    (shop,) = await case_figures(start=Q3[0], end=Q3[1], group_by="journey", now=NOW)
    elsewhere = await case_figures(
        start=Q3[0], end=Q3[1], group_by="journey", journey="nowhere", now=NOW
    )

    assert (use.key, use.journey, use.label, use.opened) == ("use", "shop", "shop/use", 7)
    assert use.as_dict()["touchpoint"] == "use" and use.as_dict()["journey"] == "shop"
    assert (shop.key, shop.opened, shop.open_now) == ("shop", 7, 5)
    assert elsewhere == []


async def test_a_quarter_with_no_cases_still_shows_the_open_queue(quarter):
    q4 = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))

    care, no_team = await case_figures(start=q4[0], end=q4[1], group_by="team", now=NOW)

    assert (care.opened, care.first_response.n, care.first_response.median) == (0, 0, None)
    assert care.first_response_within_sla.percent is None
    assert (care.open_now, care.overdue_now) == (4, 2)
    assert (no_team.key, no_team.opened, no_team.open_now) == (None, 0, 1)


async def test_an_unknown_grouping_is_refused(db):
    with pytest.raises(ValueError, match="group_by is one of team, touchpoint, journey"):
        await case_figures(start=Q3[0], end=Q3[1], group_by="agent", now=NOW)  # type: ignore[arg-type]
