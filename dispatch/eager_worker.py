"""An arq worker that takes the next due job as soon as one of its slots frees.

arq reads the queue once per `poll_delay` and stops taking jobs at `max_jobs`. With a
thousand invitations due and each send waiting ~200 ms on the provider, its twenty slots
fill at once, empty within a quarter of a second, and then stay empty until the next poll:
one worker sent 46 invitations a second where its own work allowed about 240.

`EagerWorker` keeps arq's loop and every guarantee of `start_jobs` (the in-progress key,
the score check, the semaphore), rides out Redis outages as `OutageTolerantWorker` does,
and only adds this: when a read of the queue filled every slot, so more may be due, it
reads again as soon as a slot frees, instead of sleeping the rest of `poll_delay`. When
the queue has nothing due it polls at arq's pace, so an idle worker costs Redis no more
than before.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from arq.utils import timestamp_ms

from dispatch.redis_outage import REDIS_AWAY, OutageTolerantWorker


class EagerWorker(OutageTolerantWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._slot_freed = asyncio.Event()
        self._maybe_more_due = False

    async def _poll_iteration(self) -> None:
        """arq's iteration, then, for up to one `poll_delay` while more may be due, a read of
        the queue each time a slot frees. arq's own iteration (cancelling aborted jobs, the
        health check, crons, collecting finished tasks) still runs every `poll_delay`."""
        began = self.loop.time()
        self._slot_freed.clear()
        await super()._poll_iteration()
        counted_burst = self.burst and self.max_burst_jobs >= 0  # arq counts those reads
        while self._maybe_more_due and not counted_burst:
            left = self.poll_delay_s - (self.loop.time() - began)
            if left <= 0:
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._slot_freed.wait(), left)
            self._slot_freed.clear()
            if self.allow_pick_jobs and self.job_counter < self.max_jobs:
                try:
                    await self.start_jobs(await self._due_job_ids())
                except REDIS_AWAY:
                    return  # the next poll meets the outage and rides it out

    async def _due_job_ids(self) -> list[bytes]:
        """The read arq's iteration makes (outside burst mode's count)."""
        return await self.pool.zrangebyscore(  # type: ignore[no-any-return]
            self.queue_name,
            min=float("-inf"),
            start=self._queue_read_offset,
            num=self.queue_read_limit,
            max=timestamp_ms(),
        )

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # A running job stays on the queue until it ends: this worker's own are left out
        # here rather than each asked about on Redis at every read.
        fresh = [job_id for job_id in job_ids if job_id.decode() not in self.tasks]
        self._maybe_more_due = False
        await super().start_jobs(fresh)
        # Every slot taken by a read that found new jobs: more may be due.
        self._maybe_more_due = bool(fresh) and self.job_counter >= self.max_jobs

    def _release_sem_dec_counter_on_complete(self) -> None:
        super()._release_sem_dec_counter_on_complete()
        self._slot_freed.set()
