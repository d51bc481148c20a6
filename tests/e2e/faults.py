"""What the fault stories share: a crowd of customers, worker processes, and the audit.

Every fault story ends with `audit`, which checks the delivery guarantees (README) from
both ends: in the database, every invitation the shop's events created is there and in a
final state, with a reason unless it went out; at the loopback Twilio server, no number
received two messages, and exactly the invitations recorded as sent reached Twilio.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType

import httpx
from redis import Redis

from surveys.models import Invitation, InvitationStatus
from tests.processes import ROOT, clean_environment
from tests.servers.twilio import TwilioServer
from tests.stories import Person

SENDER = "+15005550006"
#: Went out; what may still happen to it (delivered, answered) is no longer dispatch's.
DONE = frozenset({InvitationStatus.SENT, InvitationStatus.DELIVERED, InvitationStatus.ANSWERED})
#: Not sent (or, `unknown`, not known to be), and the invitation says why.
STOPPED = frozenset(
    {
        InvitationStatus.SUPPRESSED,
        InvitationStatus.FAILED,
        InvitationStatus.EXPIRED,
        InvitationStatus.UNKNOWN,
    }
)
FINAL = DONE | STOPPED
SENT_LINE = re.compile(r"invitation \d+ sent by sms")


def crowd(count: int) -> list[Person]:
    """`count` customers with a phone each, all different."""
    return [Person(f"customer-{n}", phone=f"+1415200{n:04d}") for n in range(count)]


async def deliver_orders(
    http: httpx.AsyncClient, api_key: str, people: list[Person], days_ago: float = 8
) -> list[int]:
    """One batch of `order.delivered` events, one per person, old enough for the survey to
    be due at once; returns the ids of the invitations the API answered with."""
    occurred = (datetime.now(UTC) - timedelta(days=days_ago)).isoformat()
    events = [
        {
            "id": f"order-{person.id}",
            "type": "order.delivered",
            "occurred_at": occurred,
            "customer": person.as_customer(),
        }
        for person in people
    ]
    headers = {"Authorization": f"Bearer {api_key}"}
    answer = await http.post("/api/v1/events", json={"events": events}, headers=headers)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(people)
    invitation_ids = [i["id"] for r in results for i in r["invitations"]]
    assert len(invitation_ids) == len(people), "an event created no invitation, or several"
    return invitation_ids


async def audit(invitation_ids: list[int], twilio: TwilioServer) -> list[Invitation]:
    """Nothing lost, everything final with its reason, nothing sent twice."""
    invitations = await Invitation.all().prefetch_related("customer")
    assert sorted(i.id for i in invitations) == sorted(invitation_ids), "an invitation was lost"
    unfinished = {i.id: i.status.value for i in invitations if i.status not in FINAL}
    assert not unfinished, f"not in a final state: {unfinished}"
    unexplained = [i.id for i in invitations if i.status in STOPPED and not i.reason]
    assert not unexplained, f"stopped without a reason: {unexplained}"
    received = Counter(m.to for m in twilio.messages)
    twice = {to: n for to, n in received.items() if n > 1}
    assert not twice, f"sent more than once: {twice}"
    sent_to = {i.customer.phone for i in invitations if i.status in DONE}
    assert set(received) == sent_to, "Twilio's messages and the sent invitations differ"
    return invitations


async def all_final() -> bool:
    """No invitation is scheduled or being sent any more."""
    return not await Invitation.exclude(status__in=list(FINAL)).exists()


async def eventually(
    check: Callable[[], bool | Awaitable[bool]], *, within: float, what: str
) -> None:
    """Poll `check` until it holds; fail naming `what` if it does not within `within` s."""
    deadline = time.monotonic() + within
    while True:
        outcome = check()
        if await outcome if inspect.isawaitable(outcome) else outcome:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still not so after {within:g} s")
        await asyncio.sleep(0.05)


def worker_environment(
    database_url: str, redis_url: str, twilio: TwilioServer, data_dir: Path, **settings: str
) -> dict[str, str]:
    """What a `touchpoint worker` process needs to share this test's database, Redis and
    Twilio; `settings` are more TOUCHPOINT_* variables, named without the prefix."""
    return clean_environment(
        data_dir=str(data_dir),
        database_url=database_url,
        redis_url=redis_url,
        public_url="http://127.0.0.1:8000",
        secret_key="a test key, shared by the test's processes",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from=SENDER,
        twilio_api_url=twilio.url,
        **settings,
    )


def queue_contents(redis_url: str) -> str:
    """Each job on the queue with when it falls due and whether a worker has it running."""
    redis = Redis.from_url(redis_url)
    try:
        now_ms = time.time() * 1000
        lines = []
        for job_id, score in redis.zrange("arq:queue", 0, -1, withscores=True):
            running = redis.exists(b"arq:in-progress:" + job_id)
            kept = redis.exists(b"arq:job:" + job_id)
            lines.append(
                f"{job_id.decode()}: due in {(score - now_ms) / 1000:+.1f} s"
                f"{', running' if running else ''}{'' if kept else ', no job data'}"
            )
        return "\n".join(lines) or "(empty)"
    finally:
        redis.close()


class WorkerProcess:
    """`touchpoint worker` in a process of its own, logging to a file; as a context
    manager it is killed on leaving if still running, and shows its log when the test
    fails."""

    def __init__(self, environment: dict[str, str], log: Path, *, burst: bool = False) -> None:
        self.log = log
        self.redis_url = environment["TOUCHPOINT_REDIS_URL"]
        with log.open("w") as stream:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "web.cli", "worker", *(["--burst"] if burst else [])],
                env=environment,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=stream,
            )

    @property
    def started(self) -> bool:
        """The worker is up and about to poll the queue."""
        return "Starting worker for" in self.log.read_text()

    @property
    def sent(self) -> int:
        """How many invitations this worker sent by SMS, by its log."""
        return len(SENT_LINE.findall(self.log.read_text()))

    def kill(self) -> None:
        """SIGKILL: the process stops wherever it is, nothing is cleaned up."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, within: float) -> None:
        """SIGTERM, as a deploy stops a worker: it finishes its sends and exits cleanly."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=within) == 0, self.log.read_text()

    def finish(self, within: float) -> None:
        """Wait for a burst worker to send what is due and stop by itself; if it does not,
        fail showing what it was waiting for."""
        try:
            returncode = self.process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"the burst worker still runs after {within:g} s; the queue:\n"
                + queue_contents(self.redis_url)
                + f"\n--- {self.log.name} ---\n{self.log.read_text()}"
            ) from None
        assert returncode == 0, self.log.read_text()

    def __enter__(self) -> WorkerProcess:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        if exc_type is not None:
            print(f"--- {self.log.name} ---\n{self.log.read_text()}")
