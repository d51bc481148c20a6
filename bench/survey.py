"""How many survey pages a second `touchpoint web` serves, against the bare stack.

Our path: `touchpoint web` (a real uvicorn process, the whole app and its middleware)
serving GET /s/<token> (the invitation, its survey as sent, the saved answers, the page) and
POST /s/<token> (a full answer: checked, stored with its dimensions and attributes, the
invitation marked answered, `response.created` written, the worker kicked on Redis; 303 to
the thanks page). The bare baseline (bench/survey_bare.py): a Starlette app on uvicorn
that reads the invitation by token with the driver and renders the same template, and for
POST marks it answered and inserts the answer in one transaction. A load generator
(bench/survey_load.py) in a process of its own keeps N connections busy for T seconds on
loopback and reports requests/s and p50/p99. Rounds alternate which side goes first; the
median of the rounds is reported. Every POST answers a fresh invitation, made beforehand.

    .venv/bin/python bench/survey.py [--rounds 3] [--seconds 5] [--connections 32]
    .venv/bin/python bench/survey.py --database-url postgres://postgres@127.0.0.1:5432/bench \\
        --redis-url redis://127.0.0.1:6379/5
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from shop import SHOP  # bench/shop.py: run as python bench/NAME.py
from tortoise import Tortoise, connections

from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.sql import numbered
from web.database import connect, migrate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Tokens of this run, so runs against a kept database never collide.
RUN = secrets.token_hex(3)
CUSTOMERS = 500
#: GET reads these over and over; POST answers each of its own once.
PAGES = 2000
WARM_UP_SECONDS = 1.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def insert_rows(
    table: str, columns: list[str], rows: list[list], literals: dict[str, str]
) -> None:
    """Multi-row INSERTs of 500 rows; `literals` are columns of one constant SQL value."""
    conn = connections.get("default")
    names = ", ".join([*columns, *literals])
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]
        tuple_sql = "(" + ", ".join(["?"] * len(columns) + list(literals.values())) + ")"
        sql = f"INSERT INTO {table} ({names}) VALUES " + ", ".join([tuple_sql] * len(chunk))
        await conn.execute_query(numbered(sql, conn), [v for row in chunk for v in row])


async def make_invitations(count: int, label: str, postgres: bool) -> list[str]:
    """`count` sent invitations of the shop's `use` touchpoint, each with its interaction."""
    conn = connections.get("default")
    tp = (await conn.execute_query_dict("SELECT id FROM touchpoint WHERE key = 'use'"))[0]["id"]
    first = (await conn.execute_query_dict("SELECT MIN(id) AS id FROM customer"))[0]["id"]
    now = datetime.now(UTC)
    stamp = (lambda moment: moment) if postgres else (lambda moment: moment.isoformat())
    occurred, later = stamp(now - timedelta(days=8)), stamp(now + timedelta(days=30))
    events = [f"{RUN}-{label}-{n}" for n in range(count)]
    await insert_rows(
        "interaction",
        ["event_id", "type", "occurred_at", "customer_id", "journey_key", "received_at"],
        [
            [e, "order.delivered", occurred, first + n % CUSTOMERS, "shop", stamp(now)]
            for n, e in enumerate(events)
        ],
        {"attributes": '\'{"store": "Shanghai"}\''},
    )
    ids = await conn.execute_query_dict(
        numbered("SELECT id FROM interaction WHERE event_id LIKE ? ORDER BY id", conn),
        [f"{RUN}-{label}-%"],
    )
    tokens = [secrets.token_urlsafe(24) for _ in range(count)]
    await insert_rows(
        "invitation",
        [
            "token",
            "interaction_id",
            "touchpoint_id",
            "customer_id",
            "status",
            "send_at",
            "sent_at",
            "expires_at",
            "channel",
            "created_at",
            "updated_at",
        ],
        [
            [
                tokens[n],
                row["id"],
                tp,
                first + n % CUSTOMERS,
                "sent",
                occurred,
                stamp(now),
                later,
                "email",
                stamp(now),
                stamp(now),
            ]
            for n, row in enumerate(ids)
        ],
        {"journey_version": "1", "attempts": "0", "locale": "'en'", "variant": "'A'"},
    )
    return tokens


async def prepare(url: str, answers: int, runs: int) -> tuple[list[str], list[list[str]]]:
    """The shop, its customers, the pages GET reads and a batch of fresh invitations for
    each of `runs` POST runs."""
    await migrate(url)
    await connect(url)
    try:
        text = SHOP.read_text("utf-8")
        await apply_journey(load_journey(text), text)
        postgres = url.startswith("postgres")
        now = datetime.now(UTC)
        await insert_rows(
            "customer",
            ["external_id", "email", "segment", "created_at", "updated_at"],
            [
                [
                    f"{RUN}-c{n}",
                    f"c{n}@example.com",
                    "B",
                    now if postgres else now.isoformat(),
                    now if postgres else now.isoformat(),
                ]
                for n in range(CUSTOMERS)
            ],
            {"locale": "'en'", "attributes": '\'{"tier": "gold"}\'', "consent": "'{}'"},
        )
        pages = await make_invitations(PAGES, "page", postgres)
        batches = [await make_invitations(answers, f"answer{n}", postgres) for n in range(runs)]
    finally:
        await Tortoise.close_connections()
    return pages, batches


def start(command: list[str], env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log.open("w")
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/s/none", timeout=2)
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{command[1:4]} did not start: see {log}")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load(
    port: int,
    method: str,
    tokens: list[str],
    args: argparse.Namespace,
    seconds: float,
    folder: Path,
) -> dict:
    listing = folder / f"tokens-{secrets.token_hex(4)}.txt"
    listing.write_text("\n".join(tokens))
    command = [
        sys.executable,
        str(HERE / "survey_load.py"),
        "--port",
        str(port),
        "--method",
        method,
        "--tokens",
        str(listing),
        "--connections",
        str(args.connections),
        "--seconds",
        str(seconds),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(output)


def measure(
    args: argparse.Namespace,
    ports: dict[str, int],
    pids: dict[str, int],
    pages: list[str],
    batches: list[list[str]],
    folder: Path,
) -> dict[tuple[str, str], list[dict]]:
    results: dict[tuple[str, str], list[dict]] = {}
    for round_ in range(args.rounds):
        sides = ["ours", "bare"] if round_ % 2 == 0 else ["bare", "ours"]
        for method in ("GET", "POST"):
            for side in sides:
                port = ports[side]
                warm = pages if method == "GET" else batches.pop()
                load(port, method, warm, args, WARM_UP_SECONDS, folder)
                tokens = pages if method == "GET" else batches.pop()
                used = cpu_seconds(pids[side])
                result = load(port, method, tokens, args, args.seconds, folder)
                used = cpu_seconds(pids[side]) - used
                result["cpu_ms"] = round(used * 1000 / max(result["requests"], 1), 3)
                expected = "200" if method == "GET" else "303"
                if set(result["statuses"]) != {expected}:
                    raise SystemExit(f"{side} {method} answered {result['statuses']}")
                results.setdefault((side, method), []).append(result)
                print(
                    f"round {round_ + 1} {method:4} {side}: {result['requests_per_s']:8,.0f}"
                    f" req/s  p50 {result['p50_ms']:6.1f} ms  p99 {result['p99_ms']:6.1f} ms"
                    f"  server CPU {result['cpu_ms']:.2f} ms/request"
                    + ("  (ran out of tokens)" if result["ran_out_of_tokens"] else ""),
                    flush=True,
                )
    return results


def report(
    results: dict[tuple[str, str], list[dict]], database: str, args: argparse.Namespace
) -> None:
    print(
        f"\ndatabase {database}; {args.connections} connections, {args.seconds:g} s per run,"
        f" median of {args.rounds} rounds; load average {os.getloadavg()[0]:.1f}"
    )
    for method in ("GET", "POST"):
        figures = {}
        for side in ("ours", "bare"):
            runs = results[(side, method)]
            figures[side] = {
                key: statistics.median(run[key] for run in runs)
                for key in ("requests_per_s", "p50_ms", "p99_ms", "cpu_ms")
            }
        for side in ("ours", "bare"):
            it = figures[side]
            print(
                f"{method:4} {side} {it['requests_per_s']:7,.0f} req/s  p50 {it['p50_ms']:6.1f} ms"
                f"  p99 {it['p99_ms']:6.1f} ms  server CPU {it['cpu_ms']:.2f} ms/request"
            )
        ours, bare = figures["ours"], figures["bare"]
        print(
            f"{method:4} ours/bare: {ours['requests_per_s'] / bare['requests_per_s']:.0%} of the"
            f" throughput, p99 {ours['p99_ms'] / bare['p99_ms']:.2f}x, server CPU per request"
            f" {ours['cpu_ms'] / bare['cpu_ms']:.2f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--redis-url", help="default: the bundled Redis `touchpoint web` starts")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--answers",
        type=int,
        default=12000,
        help="fresh invitations per POST run (a run ends early without more)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        url = args.database_url or f"sqlite://{folder}/bench.sqlite3"
        # A warm-up and a measured POST run for each side in each round.
        pages, batches = asyncio.run(prepare(url, args.answers, args.rounds * 2 * 2))
        env = {k: v for k, v in os.environ.items() if not k.startswith("TOUCHPOINT_")}
        env |= {
            "TOUCHPOINT_DATABASE_URL": url,
            "TOUCHPOINT_DATA_DIR": str(folder),
            "TOUCHPOINT_SECRET_KEY": secrets.token_urlsafe(32),
            "PYTHONPATH": f"{ROOT}{os.pathsep}{HERE}",
        }
        if args.redis_url:
            env["TOUCHPOINT_REDIS_URL"] = args.redis_url
        ports = {"ours": free_port(), "bare": free_port()}
        ours = start(
            [sys.executable, "-m", "web.cli", "web", "--port", str(ports["ours"])],
            env,
            ports["ours"],
            folder / "ours.log",
        )
        bare = start(
            [
                sys.executable,
                str(HERE / "survey_bare.py"),
                "--port",
                str(ports["bare"]),
                "--database-url",
                url,
            ],
            env,
            ports["bare"],
            folder / "bare.log",
        )
        try:
            pids = {"ours": ours.pid, "bare": bare.pid}
            results = measure(args, ports, pids, pages, batches, folder)
        finally:
            for process in (ours, bare):
                process.terminate()
                process.wait(timeout=30)
        report(results, url.split(":", 1)[0], args)


if __name__ == "__main__":
    main()
