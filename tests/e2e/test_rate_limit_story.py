"""The sender's rate limit holds across two worker processes, counted at Twilio's side.

The shop's number may send 4 segments a second. Two `touchpoint worker` processes, each
running at most two sends at once, wait on one Redis. Once both are up, twelve customers'
invitations fall due 0.15 s apart, faster than the limit allows, and the workers race for
them. The loopback Twilio server notes when each message arrived.

Counting: for each arrival, the arrivals in the second that starts with it. The limiter
spaces sends 0.25 s apart, so a second holds 4 slots; one more is tolerated because a
send can reach the server later than its slot while the next one is on time, which
shortens one gap: each worker's first send also opens its connection to Twilio (about
0.1 s here), and a busy worker's event loop wakes a little late. For the same reason the
twelve arrivals span at least ten intervals rather than eleven. A lost limit would show
at once: twelve invitations due within 1.65 s would arrive seven or more to a second.

Each worker holds at most two sends, each waiting its turn, so neither can take the whole
batch: both send some, and the limit is shown to hold across processes, not within one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dispatch.models import Message
from surveys.models import Invitation, InvitationStatus
from tests.console import signed_in
from tests.e2e.faults import WorkerProcess, all_final, eventually, worker_environment
from tests.servers.twilio import TwilioServer
from tests.stories import Person, Shop

PER_SECOND = 4
CUSTOMERS = [Person(f"customer-{n}", phone=f"+141555501{n:02d}") for n in range(12)]
#: From the events to the first invitation falling due, and the gap between two
#: invitations' due times (closer than the limit allows).
LEAD = timedelta(seconds=1)
STEP = timedelta(seconds=0.15)

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return worker_environment(
        db,
        redis_url,
        twilio,
        tmp_path,
        twilio_segments_per_second=str(PER_SECOND),
        worker_concurrency="2",
    )


def most_in_one_second(arrivals: list[float]) -> int:
    ordered = sorted(arrivals)
    return max(sum(start <= t < start + 1.0 for t in ordered) for start in ordered)


async def test_two_workers_together_keep_to_the_senders_segments_per_second(
    client, api_key, shop_journey, environment, twilio, tmp_path
):
    shop = Shop(client, api_key)
    with (
        WorkerProcess(environment, tmp_path / "worker-1.log") as first,
        WorkerProcess(environment, tmp_path / "worker-2.log") as second,
    ):
        await eventually(
            lambda: first.started and second.started, within=30, what="both workers start"
        )
        first_due = datetime.now(UTC) + LEAD
        for n, customer in enumerate(CUSTOMERS):
            due = first_due + n * STEP
            days_ago = (datetime.now(UTC) + timedelta(days=7) - due) / timedelta(days=1)
            await shop.delivered(f"order-{n}", to=customer, days_ago=days_ago)
        await eventually(all_final, within=30, what="every invitation final")
        shares = [first.sent, second.sent]
        first.stop(within=30)
        second.stop(within=30)

    sent = twilio.messages
    assert sorted(m.to for m in sent) == sorted(c.phone for c in CUSTOMERS)
    assert len(twilio.attempts()) == len(CUSTOMERS)
    assert all(m.num_segments == 1 for m in sent)
    assert most_in_one_second([m.received_at for m in sent]) <= PER_SECOND + 1
    spread = max(m.received_at for m in sent) - min(m.received_at for m in sent)
    assert spread >= (len(CUSTOMERS) - 2) / PER_SECOND
    assert sum(shares) == len(CUSTOMERS)
    assert min(shares) > 0, f"one worker did all the work: {shares}"
    statuses = await Invitation.all().values_list("status", flat=True)
    assert statuses == [InvitationStatus.SENT] * len(CUSTOMERS)
    assert await Message.filter(status="sent").count() == len(CUSTOMERS)

    await signed_in(client, "viewer")
    outbox = await client.get("/outbox")
    assert '<td class="num">1</td>' in outbox.text
