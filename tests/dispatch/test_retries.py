"""How long a transiently failed send waits before its next try."""

from __future__ import annotations

import random

import pytest
from pydantic import ValidationError

from dispatch.retries import backoff_seconds
from dispatch.settings import DispatchSettings


@pytest.mark.parametrize(
    "attempt, first_wait, shortest, longest",
    [
        (1, 30.0, 15, 30),
        (2, 30.0, 30, 60),
        (1, 2.0, 1, 2),
        (3, 2.0, 4, 8),
        (20, 2.0, 1800, 3600),
    ],
)
def test_backoff_seconds(attempt, first_wait, shortest, longest):
    rng = random.Random(attempt)
    waits = [backoff_seconds(attempt, rng, first_wait=first_wait) for _ in range(50)]
    assert all(shortest <= wait <= longest for wait in waits)


def test_the_first_wait_is_a_setting(monkeypatch):
    assert DispatchSettings().send_retry_first_wait_seconds == 30
    monkeypatch.setenv("TOUCHPOINT_SEND_RETRY_FIRST_WAIT_SECONDS", "2")
    assert DispatchSettings().send_retry_first_wait_seconds == 2
    monkeypatch.setenv("TOUCHPOINT_SEND_RETRY_FIRST_WAIT_SECONDS", "0")
    with pytest.raises(ValidationError, match="send_retry_first_wait_seconds"):
        DispatchSettings()
