"""Properties of the send window, for any window, zone and moment (DST nights included):
the computed time is inside the window, never early, and the first such time."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given
from hypothesis import strategies as st

import tests.properties  # noqa: F401  (the hypothesis profile)
from journeys.policies import WEEKDAYS, SendWindow
from journeys.windows import in_send_window, next_send_time

#: Zones whose clocks jump: by an hour at 02:00 or at midnight, by half an hour, by a day.
ZONES = [
    "America/New_York",
    "Europe/London",
    "Europe/Berlin",
    "America/Santiago",
    "America/Havana",
    "Australia/Lord_Howe",
    "Pacific/Apia",
    "Asia/Shanghai",
    "UTC",
]
CLOCKS = st.builds(time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45, 59]))


@st.composite
def windows(draw: st.DrawFn) -> SendWindow:
    start, end = sorted(draw(st.lists(CLOCKS, min_size=2, max_size=2, unique=True)))
    days = draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True))
    return SendWindow(start=start, end=end, days=days)


ANYTIME = st.datetimes(
    min_value=datetime(2010, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC)
)


def _days_clocks_change(zone: str) -> list[datetime]:
    """Midnights (UTC) of the days 2018-2030 on whose next day the zone's offset differs."""
    tz, day, found = ZoneInfo(zone), datetime(2018, 1, 1, tzinfo=UTC), []
    while day.year < 2031:
        if day.astimezone(tz).utcoffset() != (day + timedelta(days=1)).astimezone(tz).utcoffset():
            found.append(day)
        day += timedelta(days=1)
    return found


CHANGES = {zone: _days_clocks_change(zone) for zone in ZONES}


@st.composite
def zones_and_moments(draw: st.DrawFn) -> tuple[str, datetime]:
    """A zone, and a moment: anywhere, or within two days of one of its clock changes."""
    zone = draw(st.sampled_from(ZONES))
    if not CHANGES[zone] or draw(st.booleans()):
        return zone, draw(ANYTIME)
    day = draw(st.sampled_from(CHANGES[zone]))
    return zone, day + timedelta(minutes=draw(st.integers(-24 * 60, 2 * 24 * 60)))


@given(windows(), zones_and_moments())
def test_the_send_time_is_inside_the_window_and_never_early(window, zone_and_moment):
    zone, earliest = zone_and_moment
    tz = ZoneInfo(zone)

    found = next_send_time(earliest, window, tz)

    assert found >= earliest
    assert in_send_window(found, window, tz)
    assert found - earliest < timedelta(days=15)


@given(windows(), zones_and_moments(), st.integers(1, 3 * 24 * 60))
def test_no_moment_of_the_window_was_skipped(window, zone_and_moment, minutes):
    """Any moment between `earliest` and the send time is outside the window."""
    zone, earliest = zone_and_moment
    tz = ZoneInfo(zone)
    found = next_send_time(earliest, window, tz)
    between = earliest + timedelta(minutes=minutes)
    assume(between < found)

    assert not in_send_window(between, window, tz)
