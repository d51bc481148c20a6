"""Whether a worker's loop still goes round: the signal of its liveness probe.

A worker whose event loop is blocked, or whose read of the queue hangs (a Redis connection
that neither answers nor fails, a half-open socket after a network change), sends nothing
and never recovers by itself, while its process looks alive. Only the loop can say it is
going round: arq's worker reads the queue, starts jobs, collects finished ones and runs
its crons once per poll iteration (every half second), and each iteration that ends
stamps the heartbeat here. The worker's metrics server answers `/healthz` from its own
thread: 200 while the last iteration ended within `stuck_after` seconds, else 503, so a
probe of it restarts a stuck worker.

A Redis outage is not "stuck": the worker rides it out (dispatch/redis_outage.py), each
poll failing fast and ending, so the heartbeat goes on and a restart, which could not
bring Redis back, is not asked for. Sends in flight are tasks of their own: a slow
provider delays no iteration.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from arq.worker import Worker

#: How long without a poll iteration ending before the worker is called stuck: far above
#: the half-second poll and the longest wait between polls in a Redis outage (5 s).
STUCK_AFTER_SECONDS = 60.0


class Heartbeat:
    """The time the worker's loop last went round; read from another thread."""

    def __init__(
        self,
        stuck_after: float = STUCK_AFTER_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stuck_after = stuck_after
        self.clock = clock
        self.last = clock()  # start-up counts as a beat: the loop has not had its chance

    def beat(self) -> None:
        self.last = self.clock()

    def silence(self) -> float:
        """Seconds since the loop last went round."""
        return self.clock() - self.last

    def alive(self) -> bool:
        return self.silence() <= self.stuck_after

    def follow(self, worker: Worker) -> None:
        """Beat each time `worker` ends a poll iteration (however it ended)."""
        poll = worker._poll_iteration

        async def polled() -> None:
            try:
                await poll()
            finally:
                self.beat()

        worker._poll_iteration = polled  # type: ignore[method-assign]

    def says(self) -> tuple[int, str]:
        """The /healthz answer: a status and a line for whoever reads the probe's events."""
        silence = self.silence()
        if silence <= self.stuck_after:
            return 200, f"alive: the worker read the queue {silence:.1f} s ago\n"
        return 503, (
            f"stuck: the worker has not read the queue for {silence:.0f} s "
            f"(more than {self.stuck_after:g} s)\n"
        )
