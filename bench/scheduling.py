"""Scheduling precision: how late each invitation is sent behind its due time, with a deep queue.

20,000 invitations fall due evenly over ten minutes while 100,000 more wait on the same
queue for tomorrow. All go in through the events API (one batch of 1,000 events a
request), so they are scheduled and enqueued as in production; `touchpoint worker`
processes send them through the `twilio` library to a loopback Twilio-compatible server
answering after 200 ms. Afterwards each invitation's delay is read from the database:
`sent_at` (stored when the provider took the message) minus `send_at` (its due time).
Target: 99% within 2 seconds.

    .venv/bin/python bench/scheduling.py [--quick] [--workers 2] [--database-url URL]

`--quick`: 2,000 due over one minute and 10,000 deferred, for trying it out; the full run
is the one recorded.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta

import httpx
from dispatch_rate import worker_settings
from fleet import loopback_twilio, workers
from send import RUN
from shop import open_shop

from dispatch.settings import TwilioSettings
from surveys.models import Invitation, InvitationStatus

PROVIDER_DELAY = 0.2
BATCH = 1000
#: The shop's `use` touchpoint sends seven days after the delivery, in a window open all day.
DELAY = timedelta(days=7)


async def schedule(http: httpx.AsyncClient, key: str, tag: str, due: list[datetime]) -> list[int]:
    """One invitation due at each of these times; their ids."""
    ids = []
    for start in range(0, len(due), BATCH):
        events = [
            {
                "id": f"{RUN}-{tag}-{n}",
                "type": "order.delivered",
                "occurred_at": (due[n] - DELAY).isoformat(),
                "customer": {"id": f"{RUN}-{tag}-c{n}", "phone": f"+1415555{n % 10000:04d}"},
            }
            for n in range(start, min(start + BATCH, len(due)))
        ]
        answer = await http.post(
            "/api/v1/events", json={"events": events}, headers={"Authorization": f"Bearer {key}"}
        )
        assert answer.status_code == 200, answer.text[:300]
        ids += [i["id"] for r in answer.json()["results"] for i in r["invitations"]]
    return ids


async def wait_until_sent(ids: list[int], until: datetime) -> None:
    while await Invitation.filter(id__in=ids, status=InvitationStatus.SENT).count() < len(ids):
        if datetime.now(UTC) > until:
            break
        await asyncio.sleep(2)


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[round(share * 1000) - 1]


async def main(due_count: int, deferred: int, minutes: float, count: int, url: str | None) -> None:
    with loopback_twilio(PROVIDER_DELAY) as twilio:
        update = {"twilio": TwilioSettings(**twilio)}  # type: ignore[arg-type]
        async with open_shop(url, update) as shop:
            started = time.monotonic()
            tomorrow = datetime.now(UTC) + timedelta(days=1)
            await schedule(shop.http, shop.key, "later", [tomorrow] * deferred)
            per_event = (time.monotonic() - started) / max(deferred, 1)
            print(f"scheduled {deferred:,} for tomorrow in {time.monotonic() - started:.0f} s")
            with workers(count, worker_settings(shop, twilio)):
                # Far enough ahead that the last batch is in before the first falls due.
                first = datetime.now(UTC) + timedelta(seconds=per_event * due_count * 1.5 + 10)
                step = timedelta(seconds=minutes * 60 / due_count)
                due = [first + step * n for n in range(due_count)]
                ids = await schedule(shop.http, shop.key, "due", due)
                print(f"scheduled {len(ids):,} due from {first:%H:%M:%S} over {minutes:g} min")
                await wait_until_sent(ids, due[-1] + timedelta(minutes=2))
            rows = await Invitation.filter(id__in=ids).values_list("status", "send_at", "sent_at")
    late = [(sent - send_at).total_seconds() for status, send_at, sent in rows if sent]
    sent_times = sorted(sent for _, _, sent in rows if sent)
    rate = len(sent_times) / max((sent_times[-1] - sent_times[0]).total_seconds(), 1e-9)
    unsent = len(rows) - len(late)
    within = sum(1 for s in late if s <= 2.0) / len(rows)
    print(f"database        {shop.database}")
    print(f"queue           {due_count:,} due over {minutes:g} min, {deferred:,} deferred to later")
    print(f"workers         {count}, provider answers after {PROVIDER_DELAY}s")
    print(f"not sent        {unsent}")
    print(f"sent            {rate:6.1f} a second (due: {due_count / minutes / 60:.1f} a second)")
    print(f"delay p50       {percentile(late, 0.5):6.3f} s")
    print(f"delay p99       {percentile(late, 0.99):6.3f} s")
    print(f"delay max       {max(late):6.3f} s")
    print(f"within 2 s      {within:7.2%} (target >= 99%)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    sizes = (2_000, 10_000, 1.0) if args.quick else (20_000, 100_000, 10.0)
    asyncio.run(main(*sizes, args.workers, args.database_url))
