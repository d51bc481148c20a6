"""Analysing customers' comments in the worker: sentiment, terms and themes.

The survey page only stores the answer; `analyse_feedback` settles the pending answers
(surveys/feedback_analysis.py) on a cron every minute, and at once when the web process
`kick`s it after an answer. It runs until nothing is pending, up to `MAX_PER_RUN` answers,
so a taxonomy change over a long history is worked off a slice per run and never holds the
worker for long.

The segmenter (jieba) loads its dictionary in the worker, on the first comment analysed:
the analysis is imported inside the job, so the web process, which imports this module
for `kick`, never loads it and the survey pages never wait for it.
"""

from __future__ import annotations

import logging
from typing import Any

from arq.connections import ArqRedis

from dispatch.queue import QueuedJob, enqueue_jobs

log = logging.getLogger("touchpoint.dispatch.feedback")

#: The kicked job's name: the cron has the function's own name, and arq keys both by name.
ANALYSE_FEEDBACK = "analyse_feedback_now"
#: The one job id of a kicked analysis: a kick while one is queued adds nothing.
KICK_JOB_ID = "feedback:analyse"
KICK = QueuedJob(KICK_JOB_ID, ANALYSE_FEEDBACK)
BATCH = 500
MAX_PER_RUN = 5000


async def analyse_feedback(ctx: dict[str, Any]) -> int:
    """An arq cron and job: analyse pending answers; returns how many were settled."""
    from surveys.feedback_analysis import analyse_pending

    analysed = 0
    for _ in range(MAX_PER_RUN // BATCH):
        count = await analyse_pending(BATCH)
        analysed += count
        if count < BATCH:
            break
    if analysed:
        log.info("%d answer(s) analysed for sentiment and themes", analysed)
    return analysed


async def kick(redis: ArqRedis) -> None:
    """Ask the worker to analyse now; call it after committing an answer."""
    await enqueue_jobs(redis, [KICK])
