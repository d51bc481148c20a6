"""A worker that rides out a Redis outage (a restart, a failover) instead of dying of it.

arq's poll loop lets a Redis connection error escape, which ends the worker: its sends in
flight are cut short and nothing polls until something restarts the process. Worse, an
error while a job is being taken leaves one of its concurrency slots taken for good, so a
worker that survived a few outages would send less and less. Here the poll loop logs the
outage once, keeps the sends in flight, and polls again; a slot taken for a job that was
never started is given back.

The database is the truth, so nothing is lost meanwhile: a job Redis forgot is put back
by the sweeper, and a send cut short is settled by the stuck-send resolver.
"""

from __future__ import annotations

import asyncio
import logging

from redis.exceptions import RedisError

from dispatch.burst import DueWorkBurst

log = logging.getLogger("touchpoint.dispatch.worker")

#: What Redis being away looks like to the worker.
REDIS_AWAY = (RedisError, OSError)
#: The longest wait between two polls while Redis is away.
LONGEST_WAIT_SECONDS = 5.0


class OutageTolerantWorker(DueWorkBurst):
    _outage_polls = 0

    async def _poll_iteration(self) -> None:
        try:
            await super()._poll_iteration()
        except REDIS_AWAY as error:
            if not self._outage_polls:
                log.warning("Redis is unavailable (%s); sends in flight go on; polling on", error)
            self._outage_polls += 1
            await asyncio.sleep(min(LONGEST_WAIT_SECONDS, 0.2 * 2**self._outage_polls))
            return
        if self._outage_polls:
            log.warning("Redis is back after %d failed polls", self._outage_polls)
            self._outage_polls = 0

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's, one job at a time, giving back the slot of a job that Redis failed
        to start."""
        for job_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return
            taken = self.job_counter
            try:
                await super().start_jobs([job_id])
            except REDIS_AWAY:
                if self.job_counter > taken:
                    self.job_counter -= 1
                    self.sem.release()
                raise
