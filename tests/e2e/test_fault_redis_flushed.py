"""Redis loses everything halfway through a batch; the sweeper puts the queue back.

Three hundred orders were delivered eight days ago; their surveys are all due and on the
queue. A `touchpoint worker` is sending them (the sender may send 100 segments a second,
so the batch takes three seconds or more) when Redis loses its data: FLUSHDB, as after a
restart without persistence or a failover to an empty replica. The sends in flight finish;
the queue is gone, and the invitations still scheduled are on no queue.

The database is the truth and Redis only a queue: the sweeper, a cron job every minute,
enqueues whatever is due and not queued. A second worker started after the flush stands for
that minute (its crons run at once when it starts). Every survey goes out, once.

FLUSHDB rather than FLUSHALL: Touchpoint keeps everything in its one database, and the
tests' Redis may be shared with other databases.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from redis.asyncio import Redis

from surveys.models import Invitation, InvitationStatus
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
#: Messages Twilio has when Redis loses its data.
SENT_BEFORE_THE_FLUSH = 30

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return worker_environment(db, redis_url, twilio, tmp_path, twilio_segments_per_second="100")


async def redis_loses_its_data(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    try:
        await redis.flushdb()
    finally:
        await redis.aclose()


async def test_redis_losing_the_queue_loses_no_invitation_and_sends_none_twice(
    client, api_key, shop_journey, environment, twilio, redis_url, tmp_path
):
    invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))

    with WorkerProcess(environment, tmp_path / "worker.log"):
        await eventually(
            lambda: len(twilio.messages) >= SENT_BEFORE_THE_FLUSH,
            within=30,
            what="the worker sends the first messages",
        )
        await redis_loses_its_data(redis_url)
        assert len(twilio.messages) < CUSTOMERS
        assert await Invitation.filter(status=InvitationStatus.SCHEDULED).exists()

        # A second worker starting now sweeps at once (its crons run as it starts), then
        # every minute, as the first does. A send in flight at the flush that its worker
        # then deferred (the sender at its rate) went back on a queue that had forgotten
        # the job: arq drops it, and the invitation waits, scheduled, for a later sweep.
        with WorkerProcess(environment, tmp_path / "second.log"):
            await eventually(all_final, within=150, what="every invitation final")

    invitations = await audit(invitation_ids, twilio)
    assert {i.status for i in invitations} == {InvitationStatus.SENT}
    assert len(twilio.attempts()) == CUSTOMERS
