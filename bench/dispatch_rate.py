"""Dispatch through arq: how fast `touchpoint worker` processes send when many are due at once.

N invitations fall due at once (one batch of events through the API, enqueued on Redis);
each send goes through the `twilio` library to a loopback Twilio-compatible server (another
process) that answers after 200 ms. Measured, interleaved in each round:

- direct: the job function `send_invitation` called by the bench itself, 20 at a time: the
  most a worker at the default concurrency of 20 could reach (its log lines written as a
  worker writes them, to nowhere);
- one worker: a `touchpoint worker` process taking the jobs from the queue;
- two workers: two such processes.

The rate is N over the time from the enqueueing to the last invitation's `sent_at`, so a
worker's start-up is not counted. Targets: one worker at least 80% of direct, two workers
at least 1.8x one. Beside each rate, the CPU time per send of the processes sending (the
workers', or the bench's own for direct): on a machine shared with other work the rates
swing with its load, the CPU a send costs much less.

    .venv/bin/python bench/dispatch_rate.py [--invitations 1000] [--rounds 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from datetime import UTC, datetime
from typing import TextIO

from arq.constants import default_queue_name, job_key_prefix
from fleet import cpu_seconds, loopback_twilio, workers
from rounds import Run, interleaved, medians
from send import RUN, due_invitations, in_parallel
from shop import Bench, open_shop

from dispatch.queue import job_id
from dispatch.settings import TwilioSettings
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from web.logs import log_handler

PROVIDER_DELAY = 0.2


async def direct(shop: Bench, size: int, tag: str, cpu: list[float]) -> float:
    ids = await due_invitations(shop.http, shop.key, tag, size)
    ctx = shop.runtime.worker_context()

    async def send(invitation_id: int) -> None:
        assert (await send_invitation(ctx, invitation_id)).startswith("sent")

    began = time.process_time()
    elapsed = await in_parallel(ids, send)
    cpu.append((time.process_time() - began) / size)
    await _take_off_the_queue(shop, ids)
    return size / elapsed


async def _take_off_the_queue(shop: Bench, ids: list[int]) -> None:
    """The direct call's jobs, still queued by the events, removed as a worker finishing
    them would: left there, the next run's worker would spend its first seconds skipping
    a thousand jobs already done, and its rate would count them."""
    jobs = [job_id(invitation_id) for invitation_id in ids]
    await shop.runtime.redis.zrem(default_queue_name, *jobs)
    await shop.runtime.redis.delete(*(job_key_prefix + job for job in jobs))


async def through_workers(
    shop: Bench, size: int, tag: str, count: int, settings: dict[str, str], cpu: list[float]
) -> float:
    """Sends a second: N over the time from enqueueing to the last send. Appends to `cpu`
    the workers' CPU time per send over the same while."""
    with workers(count, settings) as running:
        began = sum(cpu_seconds(process.pid) for process in running)
        ids = await due_invitations(shop.http, shop.key, tag, size)
        enqueued = datetime.now(UTC)
        await _all_sent(ids)
        cpu.append((sum(cpu_seconds(process.pid) for process in running) - began) / size)
    last = max(await Invitation.filter(id__in=ids).values_list("sent_at", flat=True))
    return size / (last - enqueued).total_seconds()


async def _all_sent(ids: list[int], within: float = 600) -> None:
    deadline = time.monotonic() + within
    while await Invitation.filter(id__in=ids, status=InvitationStatus.SENT).count() < len(ids):
        if time.monotonic() > deadline:
            states = await Invitation.filter(id__in=ids).values_list("status", "reason")
            raise RuntimeError(f"not all sent: {sorted(set(states))[:5]}")
        await asyncio.sleep(0.2)


def worker_settings(shop: Bench, twilio: dict[str, str]) -> dict[str, str]:
    settings = shop.runtime.settings
    return {
        "database_url": shop.url,
        "redis_url": shop.runtime.redis_url,
        "secret_key": settings.secret_key.get_secret_value(),
        "data_dir": str(settings.data_dir),
        **{f"twilio_{name.rstrip('_')}": value for name, value in twilio.items()},
    }


def log_as_a_worker(stream: TextIO) -> None:
    """The job's own log lines written as a worker writes them (masked, formatted), to
    `stream`: the direct call pays for its lines as a worker does."""
    root = logging.getLogger()
    root.handlers = [log_handler("text", stream)]
    root.setLevel(logging.INFO)
    logging.getLogger("twilio").setLevel(logging.WARNING)


async def main(size: int, rounds: int, database_url: str | None) -> None:
    with loopback_twilio(PROVIDER_DELAY) as twilio:
        update = {"twilio": TwilioSettings(**twilio)}  # type: ignore[arg-type]
        async with open_shop(database_url, update) as shop:
            settings = worker_settings(shop, twilio)
            cpu: dict[str, list[float]] = {"direct": [], "worker-1": [], "worker-2": []}

            def run(name: str) -> Run:
                async def measured(n: int) -> float:
                    tag = f"{RUN}-r{n}-{name}"  # new customers in every run and round
                    if name == "direct":
                        return await direct(shop, size, tag, cpu[name])
                    count = int(name.removeprefix("worker-"))
                    return await through_workers(shop, size, tag, count, settings, cpu[name])

                return measured

            def show(n: int, name: str, rate: float) -> None:
                cost = cpu[name][-1] * 1000
                line = f"round {n} {name:9} {rate:7.1f} sends/s, {cost:5.2f} ms CPU a send"
                print(line, flush=True)

            rates = await interleaved({name: run(name) for name in cpu}, rounds, show)
    median = medians(rates)
    cost = medians({name: values[1:] for name, values in cpu.items()})  # without the warm-up
    print(f"database        {shop.database}")
    print(f"invitations     {size} due at once, provider answers after {PROVIDER_DELAY}s")
    for name, rate in median.items():
        print(
            f"{name:15} {rate:7.1f} sends/s, {cost[name] * 1000:5.2f} ms CPU a send"
            f" (median of {rounds})"
        )
    print(f"one worker      {median['worker-1'] / median['direct']:7.2f}x direct (target >= 0.8)")
    print(f"two workers     {median['worker-2'] / median['worker-1']:7.2f}x one (target >= 1.8)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--invitations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with open(os.devnull, "w") as nowhere:
        log_as_a_worker(nowhere)
        asyncio.run(main(args.invitations, args.rounds, args.database_url))
