"""The sign-in throttle's arithmetic: free tries, then a wait that doubles up to the window."""

from __future__ import annotations

import pytest

from web.sign_in_throttle import describe_wait, lock_seconds


@pytest.mark.parametrize(
    "failures, seconds",
    [(1, 0), (4, 0), (5, 30), (6, 60), (7, 120), (9, 480), (10, 900), (40, 900)],
)
def test_lock_seconds(failures, seconds):
    assert lock_seconds(failures, allowed=5, longest=900) == seconds


@pytest.mark.parametrize(
    "seconds, text",
    [
        (1, "1 second"),
        (30, "30 seconds"),
        (89, "89 seconds"),
        (90, "2 minutes"),
        (900, "15 minutes"),
    ],
)
def test_describe_wait(seconds, text):
    assert describe_wait(seconds) == text
