"""The send window in the contact rules: a closed window defers to the next opening in the
customer's wall-clock time, across the clocks changing, and a contact rule's deferral lands
inside the window. The standing case is in `contact_cases`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from zoneinfo import ZoneInfo

import pytest

from journeys.contact import ContactRules, Defer, PastSurvey
from journeys.policies import ContactPolicy, SendWindow
from tests.journeys.contact_cases import DAY, MIN_30, USE, run, utc

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
EVERY_DAY_9_TO_17 = SendWindow(start=time(9), end=time(17))


@pytest.mark.parametrize(
    ("tz", "now", "expected"),
    [
        # Sat 18:00 EST; Sunday 03-08 springs forward: 09:00 EDT is 13:00 UTC, not 14:00.
        (NEW_YORK, "2026-03-07 23:00", "2026-03-08 13:00"),
        # Sat 18:00 EDT; Sunday 11-01 falls back: 09:00 EST is 14:00 UTC.
        (NEW_YORK, "2026-10-31 22:00", "2026-11-01 14:00"),
    ],
)
def test_a_closed_window_defers_to_the_next_opening_across_dst(tz, now, expected):
    candidate = replace(USE, tz=tz, due=utc(now))
    decision = run(candidate, ContactRules(ContactPolicy(), EVERY_DAY_9_TO_17), now=utc(now))
    assert decision == Defer(utc(expected), "outside the send window")


def test_a_contact_deferral_lands_in_the_window_after_the_clocks_change():
    """30 days after Sunday 20:30 GMT is 21:30 BST, after the window: 08:00 the next day."""
    candidate = replace(USE, tz=LONDON, due=utc("2026-03-02 00:00"), max_age=60 * DAY)
    history = (PastSurvey(utc("2026-03-01 20:30"), "online-store", "order"),)
    decision = run(
        candidate, ContactRules(MIN_30, SendWindow()), history, now=utc("2026-03-02 10:00")
    )
    assert isinstance(decision, Defer)
    assert decision.until == utc("2026-04-01 07:00")
