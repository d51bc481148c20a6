"""The arq worker built from a runtime, for `touchpoint worker` and inside `touchpoint up`.

Both run the same worker with the same crons, concurrency, job timeout and stop rule: on
a stop it takes no new job and lets the sends in flight finish, for as long as one send
may take (TOUCHPOINT_JOB_TIMEOUT_SECONDS); what is still running then is cancelled and
left to the stuck-send resolver. `touchpoint worker` gets that from arq's SIGTERM handler.
In `touchpoint up` uvicorn owns the signals: once it has stopped serving it runs the app's
shutdown, which stops the worker here the same way (arq's own `close()` would cancel the
sends in flight at once, and a customer's survey would be left `sending` until the
resolver settles it).
"""

from __future__ import annotations

import asyncio
import logging
import math
import signal
from contextlib import suppress
from dataclasses import dataclass

from arq.connections import ArqRedis
from arq.worker import Worker

from dispatch.redis_outage import REDIS_AWAY
from dispatch.worker import create_worker
from web import insight_mail, retention
from web.runtime import Runtime

log = logging.getLogger("touchpoint")


def build_worker(
    runtime: Runtime, pool: ArqRedis, *, burst: bool = False, handle_signals: bool = True
) -> Worker:
    """The worker on `pool` (a pool of its own: the worker closes it when it stops)."""
    dispatch = runtime.settings.dispatch
    return create_worker(
        pool,
        runtime.worker_context(),
        burst=burst,
        handle_signals=handle_signals,
        job_timeout=dispatch.job_timeout_seconds,
        max_jobs=dispatch.worker_concurrency,
        extra_cron_jobs=[*retention.cron_jobs(), *insight_mail.cron_jobs(runtime.settings)],
        shutdown_wait=math.ceil(dispatch.job_timeout_seconds),
    )


@dataclass
class InProcessWorker:
    """A worker running as a task of the web process's event loop."""

    worker: Worker
    pool: ArqRedis
    task: asyncio.Task[None]

    async def stop(self) -> None:
        """Take no new job, let those in flight finish (up to the job timeout), then close
        the worker's pool."""
        worker = self.worker
        if worker.main_task is None:  # not started yet: nothing is in flight
            self.task.cancel()
        else:
            # arq's handler: picking stops at once; once the jobs end (or the wait runs
            # out and they are cancelled) it cancels the worker's main task.
            worker.handle_sig_wait_for_completion(signal.SIGTERM)
        with suppress(asyncio.CancelledError):
            await self.task
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        with suppress(*REDIS_AWAY):
            await self.pool.delete(worker.health_check_key)
        await self.pool.aclose()


async def start_in_process_worker(runtime: Runtime) -> InProcessWorker:
    """Start the worker in this event loop; `stop()` it in the app's shutdown."""
    pool = await runtime.new_redis_pool()
    worker = build_worker(runtime, pool, handle_signals=False)
    return InProcessWorker(worker, pool, asyncio.create_task(worker.async_run()))
