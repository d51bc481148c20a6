"""What one /metrics scrape costs when the database holds a long history.

The state figures (web/metrics_figures.py) are read at every scrape of every web process,
so they must cost what the live work costs, not what all history costs. This builds N
sample answers over 8 quarters (bench/review_data.py: their invitations are in final
states, answered or not) and times `read_figures` (every figure, as one scrape reads them,
against a real Redis) and the whole /metrics answer, median of the rounds.

    .venv/bin/python bench/metrics_scrape.py [--answers 250000] [--rounds 7] [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from review_data import DEFAULT_URL, ensure_review_data  # run as python bench/NAME.py
from tortoise import Tortoise

from surveys.models import Invitation
from web.app import create_app
from web.database import connect, migrate
from web.metrics_figures import read_figures
from web.runtime import start_runtime, stop_runtime
from web.settings import Settings


async def timed(rounds: int, work: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        await work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


async def main(answers: int, rounds: int, url: str) -> None:
    await migrate(url)
    await connect(url)
    data = Path(tempfile.mkdtemp(prefix="metrics-bench-"))
    settings = Settings(data_dir=data, database_url=url, secret_key="bench")
    runtime = await start_runtime(settings, connect_database=False)
    try:
        await ensure_review_data(url, answers)
        invitations = await Invitation.all().count()
        figures = await timed(rounds, lambda: read_figures(runtime.redis))
        transport = httpx.ASGITransport(app=create_app(runtime=runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            endpoint = await timed(rounds, lambda: http.get("/metrics"))
        kind = url.split(":", 1)[0]
        print(
            f"{kind}: {invitations:,} invitations ({answers:,} answers) in the database;"
            f" state figures {figures:.1f} ms, whole /metrics {endpoint:.1f} ms"
            f" (median of {rounds})"
        )
    finally:
        await stop_runtime(runtime, disconnect_database=False)
        await Tortoise.close_connections()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=250_000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    if args.database_url.startswith("sqlite://.touchpoint/"):
        Path(".touchpoint").mkdir(exist_ok=True)
    asyncio.run(main(args.answers, args.rounds, args.database_url))
