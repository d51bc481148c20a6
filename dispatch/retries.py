"""How long to wait before trying a transiently failed send again (pure)."""

from __future__ import annotations

import random

FIRST_WAIT_SECONDS = 30.0
LONGEST_WAIT_SECONDS = 3600.0


def backoff_seconds(
    attempt: int, rng: random.Random | None = None, *, first_wait: float = FIRST_WAIT_SECONDS
) -> float:
    """Exponential backoff with full jitter over the upper half, so retries spread out.

    Attempt 1 waits 15-30 s, attempt 2 30-60 s, ... capped at an hour (with the default
    `first_wait`; TOUCHPOINT_SEND_RETRY_FIRST_WAIT_SECONDS sets it for invitations).
    """
    ceiling = min(LONGEST_WAIT_SECONDS, first_wait * 2 ** max(attempt - 1, 0))
    return (rng or random).uniform(ceiling / 2, ceiling)
