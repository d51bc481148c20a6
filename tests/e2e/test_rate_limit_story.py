"""The sender's rate limit holds across two worker processes, counted at Twilio's side.

The shop's number may send 4 segments a second. Twelve customers' invitations fall due
within about a second, faster than that, while two `touchpoint worker --burst` processes
race for them on one Redis. The loopback Twilio server notes when each message arrived.

Counting: for each arrival, the arrivals in the second that starts with it. The limiter
spaces sends 0.25 s apart, so a second holds 4 slots; one more is tolerated because a
send can reach the server later than its slot while the next one is on time, which
shortens one gap: each worker's first send also opens its connection to Twilio (about
0.1 s here), and a busy worker's event loop wakes a little late. For the same reason the
twelve arrivals span at least ten intervals rather than eleven. A lost limit would show
at once: twelve invitations due within 1.65 s would arrive seven or more to a second.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dispatch.models import Message
from surveys.models import Invitation, InvitationStatus
from tests.processes import ROOT, clean_environment
from tests.servers.twilio import TwilioServer
from tests.stories import Person, Shop

SENDER = "+15005550006"
PER_SECOND = 4
CUSTOMERS = [Person(f"customer-{n}", phone=f"+141555501{n:02d}") for n in range(12)]
#: Time for both workers to start before the first invitation falls due, and the gap
#: between two invitations' due times (closer than the limit allows).
LEAD = timedelta(seconds=3.5)
STEP = timedelta(seconds=0.15)

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        public_url="http://127.0.0.1:8000",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from=SENDER,
        twilio_api_url=twilio.url,
        twilio_segments_per_second=str(PER_SECOND),
    )


def run_workers(environment: dict[str, str], logs: list[Path]) -> None:
    """Two burst workers at once; each stops when nothing is left on the queue."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "web.cli", "worker", "--burst"],
            env=environment,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        for log in logs
    ]
    try:
        for process in processes:
            assert process.wait(timeout=30) == 0
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def most_in_one_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(sum(start <= t < start + 1.0 for t in ordered) for start in ordered)


async def test_two_workers_together_keep_to_the_senders_segments_per_second(
    client, api_key, shop_journey, environment, twilio, tmp_path
):
    shop = Shop(client, api_key)
    first_due = datetime.now(UTC) + LEAD
    for n, customer in enumerate(CUSTOMERS):
        due = first_due + n * STEP
        days_ago = (datetime.now(UTC) + timedelta(days=7) - due) / timedelta(days=1)
        await shop.delivered(f"order-{n}", to=customer, days_ago=days_ago)

    logs = [tmp_path / "worker-1.log", tmp_path / "worker-2.log"]
    run_workers(environment, logs)

    sent = twilio.messages
    assert sorted(m.to for m in sent) == sorted(c.phone for c in CUSTOMERS)
    assert len(twilio.attempts()) == len(CUSTOMERS)
    assert all(m.num_segments == 1 for m in sent)
    assert most_in_one_second([m.received_at for m in sent]) <= PER_SECOND + 1
    spread = max(m.received_at for m in sent) - min(m.received_at for m in sent)
    assert spread >= (len(CUSTOMERS) - 2) / PER_SECOND
    # Both workers sent some: the limit held across processes, not within one.
    for log in logs:
        assert len(re.findall(r"invitation \d+ sent by sms", log.read_text())) >= 1, log
    statuses = await Invitation.all().values_list("status", flat=True)
    assert statuses == [InvitationStatus.SENT] * len(CUSTOMERS)
    assert await Message.filter(status="sent").count() == len(CUSTOMERS)

    outbox = await client.get("/outbox")
    assert '<td class="num">1</td>' in outbox.text
