"""The load generator of bench/survey.py: N keep-alive connections for T seconds.

Raw HTTP/1.1 over asyncio streams rather than an HTTP client library, so that the
generator spends as little of the shared CPU as it can. Each connection sends one request,
reads the whole answer (Content-Length framed), records its latency and sends the next.
For POST each request takes the next unused token, since an answer needs a fresh
invitation; when the tokens run out the run ends early and says so.

    python bench/survey_load.py --port 8000 --method GET --tokens tokens.txt --seconds 5

Prints one JSON object: requests, seconds, requests_per_s, p50_ms, p99_ms, statuses.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

#: A full answer to the shop's nps-csat survey, as the form posts it.
FORM = b"nps=8&csat=4&comment=Quick+delivery%2C+the+box+was+dented"


def request_bytes(method: str, host: str, token: str) -> bytes:
    head = f"{method} /s/{token} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n"
    if method == "POST":
        head += "Content-Type: application/x-www-form-urlencoded\r\n"
        head += f"Content-Length: {len(FORM)}\r\n\r\n"
        return head.encode() + FORM
    return (head + "\r\n").encode()


async def read_answer(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status


async def connection(
    port: int,
    method: str,
    tokens: Iterator[str],
    until: float,
    latencies: list[float],
    statuses: Counter[int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    host = f"127.0.0.1:{port}"
    try:
        while time.perf_counter() < until:
            token = next(tokens, None)
            if token is None:
                return
            started = time.perf_counter()
            writer.write(request_bytes(method, host, token))
            status = await read_answer(reader)
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
    finally:
        writer.close()


def token_stream(tokens: list[str], method: str) -> Iterator[str]:
    """GET cycles over the tokens; POST uses each once."""
    if method == "POST":
        yield from tokens
        return
    while True:
        yield from tokens


async def run(port: int, method: str, tokens: list[str], connections: int, seconds: float) -> dict:
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    stream = token_stream(tokens, method)
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(
        *(connection(port, method, stream, until, latencies, statuses) for _ in range(connections))
    )
    elapsed = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(cuts[49] * 1000, 2),
        "p99_ms": round(cuts[98] * 1000, 2),
        "statuses": {str(k): v for k, v in statuses.items()},
        "ran_out_of_tokens": method == "POST" and elapsed < seconds * 0.95,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--method", choices=["GET", "POST"], default="GET")
    parser.add_argument("--tokens", type=Path, required=True)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    tokens = args.tokens.read_text().split()
    result = asyncio.run(run(args.port, args.method, tokens, args.connections, args.seconds))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
