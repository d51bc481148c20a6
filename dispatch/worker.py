"""The arq worker: one `send_invitation` job per invitation, one `send_reminder` per due
reminder, and on crons the sweeper, the stuck-send resolver, the reminders and the analysis
of customers' comments (every minute) and expiry (every 10 min).

`create_worker` takes what the composition root built (the Redis pool and the context with
channels and settings), so the same worker runs standalone (`touchpoint worker`) or inside
the web process (`touchpoint up`).

Housekeeping is quiet unless it did something: arq logs every job's start and finish, which
for crons running every minute buries the lines a newcomer needs, so those two lines are
left out for the housekeeping crons only (a failure is still logged), and each cron says
in a line of its own what it did when it did anything. Sends keep arq's lines.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from arq import cron
from arq.connections import ArqRedis
from arq.cron import CronJob
from arq.worker import Worker, func

from dispatch.feedback_job import ANALYSE_FEEDBACK, analyse_feedback
from dispatch.notifications import NOTIFY_CASES, SEND_NOTIFICATION, notify_cases, send_notification
from dispatch.outbox_publisher import PUBLISH_EVENTS, publish_events
from dispatch.queue import SEND_INVITATION
from dispatch.recovery import resolve_stuck_sends
from dispatch.redis_outage import OutageTolerantWorker
from dispatch.reminders import (
    SEND_REMINDER,
    enqueue_due_reminders,
    expire_due_invitations,
    send_reminder,
)
from dispatch.resolution_survey import (
    SEND_RESOLUTION_SURVEY,
    resolve_stuck_resolution_surveys,
    send_due_resolution_surveys,
    send_resolution_survey,
)
from dispatch.settings import DispatchSettings
from dispatch.sweeper import sweep_due_invitations
from dispatch.tasks import send_invitation
from dispatch.webhook_delivery import DELIVER_WEBHOOK, deliver_webhook
from dispatch.webhook_recovery import sweep_webhook_deliveries

Hook = Callable[[dict[str, Any]], Awaitable[None]]
Job = Callable[[dict[str, Any]], Awaitable[int]]

log = logging.getLogger("touchpoint.dispatch.housekeeping")

#: What each housekeeping cron did, said when it did anything (expiry says it itself).
HOUSEKEEPING: dict[Job, str | None] = {
    sweep_due_invitations: "the sweeper put %d due invitation(s) back on the queue",
    enqueue_due_reminders: "%d due reminder(s) queued",
    resolve_stuck_sends: "%d stuck send(s) resolved",
    expire_due_invitations: None,
    notify_cases: "%d case notification(s) written or settled",
    send_due_resolution_surveys: "%d due resolution survey(s) queued",
    resolve_stuck_resolution_surveys: "%d stuck resolution survey send(s) resolved",
    publish_events: None,  # says it itself, kicked or on the cron
    sweep_webhook_deliveries: "%d webhook delivery(ies) put back on the queue or given up on",
    analyse_feedback: None,  # says it itself, kicked or on the cron
}

#: arq's start and finish lines of a job: "  0.01s → name()" and "  0.01s ← name ● 0".
_HOUSEKEEPING_NAMES = "|".join(job.__name__ for job in HOUSEKEEPING)
_ARQ_RUN_LINE = re.compile(rf"^\s*[\d.]+s [→←] ({_HOUSEKEEPING_NAMES})\b")


class QuietHousekeeping(logging.Filter):
    """Leaves out arq's start and finish lines of the housekeeping crons."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _ARQ_RUN_LINE.match(record.getMessage())


_QUIET = QuietHousekeeping()

#: The worker's own defaults are the settings' (never read here from the environment).
_DEFAULTS = DispatchSettings.model_construct()


def _said(job: Job, sentence: str | None) -> Job:
    """`job`, logging `sentence` with its count when the count is not zero."""

    async def run(ctx: dict[str, Any]) -> int:
        count = await job(ctx)
        if count and sentence:
            log.info(sentence, count)
        return count

    run.__name__ = run.__qualname__ = job.__name__
    return run


def _housekeeping(job: Job, *, second: int, minute: set[int] | None = None) -> CronJob:
    """A cron job every minute (or on the given minutes) and once at start-up, so a worker
    that starts after a crash or a Redis flush catches up at once; `unique` keeps one run
    across all workers."""
    return cron(
        _said(job, HOUSEKEEPING[job]),
        name=job.__name__,
        second={second},
        minute=minute,
        run_at_startup=True,
        keep_result=0,
        unique=True,
    )


def create_worker(
    redis: ArqRedis,
    ctx: dict[str, Any],
    *,
    on_startup: Hook | None = None,
    on_shutdown: Hook | None = None,
    burst: bool = False,
    handle_signals: bool = True,
    poll_delay: float = 0.5,
    max_jobs: int = _DEFAULTS.worker_concurrency,
    job_timeout: float = _DEFAULTS.job_timeout_seconds,
    shutdown_wait: int = 20,
    extra_cron_jobs: Sequence[CronJob] = (),
) -> Worker:
    """`shutdown_wait`: on SIGTERM, how long the sends in flight may finish before they are
    cancelled (and left to the stuck-send resolver); within a container's usual 30 s.
    `extra_cron_jobs`: crons of the layers above (web's retention), which this package
    may not import."""
    logging.getLogger("arq.worker").addFilter(_QUIET)
    return OutageTolerantWorker(
        functions=[
            func(send_invitation, name=SEND_INVITATION, keep_result=0, max_tries=1000),
            func(send_reminder, name=SEND_REMINDER, keep_result=0, max_tries=3),
            func(send_notification, name=SEND_NOTIFICATION, keep_result=0, max_tries=1000),
            func(send_resolution_survey, name=SEND_RESOLUTION_SURVEY, keep_result=0, max_tries=3),
            func(publish_events, name=PUBLISH_EVENTS, keep_result=0, max_tries=3),
            func(notify_cases, name=NOTIFY_CASES, keep_result=0, max_tries=3),
            func(deliver_webhook, name=DELIVER_WEBHOOK, keep_result=0, max_tries=3),
            func(analyse_feedback, name=ANALYSE_FEEDBACK, keep_result=0, max_tries=3),
        ],
        cron_jobs=[
            _housekeeping(sweep_due_invitations, second=0),
            _housekeeping(enqueue_due_reminders, second=30),
            _housekeeping(resolve_stuck_sends, second=45),
            _housekeeping(expire_due_invitations, second=15, minute=set(range(5, 60, 10))),
            _housekeeping(notify_cases, second=20),
            _housekeeping(send_due_resolution_surveys, second=5),
            _housekeeping(resolve_stuck_resolution_surveys, second=50),
            _housekeeping(publish_events, second=10),
            _housekeeping(sweep_webhook_deliveries, second=55),
            _housekeeping(analyse_feedback, second=40),
            *extra_cron_jobs,
        ],
        redis_pool=redis,
        ctx=ctx,
        on_startup=on_startup,
        on_shutdown=on_shutdown,
        burst=burst,
        handle_signals=handle_signals,
        poll_delay=poll_delay,
        max_jobs=max_jobs,
        keep_result=0,
        job_timeout=job_timeout,
        job_completion_wait=shutdown_wait,
    )
