"""`touchpoint worker --burst`: send what falls due now, then stop.

arq's burst mode stops when its queue is empty. Touchpoint's queue is never empty: an
invitation is queued at intake for its send time, a week ahead, and reminders and retries
wait on it too, so an arq burst worker would run for ever. It also waits out any job
another worker defers for a minute, which is how a burst worker in a test stood idle for a
minute beside a busy one.

A burst worker here stops once none of its own jobs runs and nothing on the queue falls
due within `HORIZON`: it sends what is due and what is deferred by seconds (a customer
another send holds, a sender at its rate), and leaves later work to the workers that run
all the time. A job on the queue that is due counts whoever runs it, so a burst worker
also waits for another worker's sends in flight, and for a killed worker's jobs until
their in-progress marks expire.
"""

from __future__ import annotations

from arq.utils import timestamp_ms
from arq.worker import Worker

#: How far ahead a burst worker still waits for work falling due.
HORIZON_SECONDS = 60.0


class DueWorkBurst(Worker):
    async def _poll_iteration(self) -> None:
        await super()._poll_iteration()
        if self.burst and self.max_burst_jobs < 0 and not self.tasks:
            if not await self._falls_due_soon():
                # arq's own way out of burst mode: stop after the jobs started so far.
                self.max_burst_jobs = self._jobs_started()

    async def _falls_due_soon(self) -> bool:
        horizon = timestamp_ms() + int(HORIZON_SECONDS * 1000)
        return bool(await self.pool.zcount(self.queue_name, "-inf", horizon))
