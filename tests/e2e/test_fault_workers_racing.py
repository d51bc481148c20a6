"""Two worker processes race for one queue; every survey goes out exactly once.

Two `touchpoint worker` processes, as two replicas of a deployment, wait on one Redis
queue and one database. Three hundred orders delivered eight days ago arrive in one batch,
so three hundred surveys fall due at once and both workers take jobs as fast as they can.
The sender may send 100 segments a second, so the batch lasts three seconds or more: long
enough for both workers, which look at the queue every half second, to do part of it.

Each invitation is claimed by one conditional UPDATE before anything is sent, so a worker
that loses a race for it moves on. Twilio receives one message per customer, and the
workers' logs show that each of them sent some.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from surveys.models import InvitationStatus
from tests.e2e.faults import (
    WorkerProcess,
    all_final,
    audit,
    crowd,
    deliver_orders,
    eventually,
    worker_environment,
)
from tests.servers.twilio import TwilioServer

CUSTOMERS = 300

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return worker_environment(db, redis_url, twilio, tmp_path, twilio_segments_per_second="100")


async def test_two_workers_on_one_queue_send_every_survey_exactly_once(
    client, api_key, shop_journey, environment, twilio, tmp_path
):
    with (
        WorkerProcess(environment, tmp_path / "worker-1.log") as first,
        WorkerProcess(environment, tmp_path / "worker-2.log") as second,
    ):
        await eventually(
            lambda: first.started and second.started, within=30, what="both workers start"
        )
        invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))
        await eventually(all_final, within=60, what="every invitation final")
        shares = [first.sent, second.sent]

    invitations = await audit(invitation_ids, twilio)
    assert {i.status for i in invitations} == {InvitationStatus.SENT}
    assert len(twilio.attempts()) == CUSTOMERS
    assert sum(shares) == CUSTOMERS
    assert min(shares) > 0, f"one worker did all the work: {shares}"
