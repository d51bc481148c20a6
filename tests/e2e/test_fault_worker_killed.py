"""A worker process is killed with SIGKILL halfway through a batch; nobody is surveyed twice.

Three hundred orders were delivered eight days ago, so their surveys are all due. A
`touchpoint worker` sends them until, mid-batch, it is killed. At that moment Twilio holds
five of its requests unanswered, having taken the messages, and hangs on five more it will
refuse: the worst places to die, leaving invitations in `sending` that Twilio has and
ones that it never got. The worker's jobs are cut short with no chance to record anything.

A new worker is started once the stuck-send grace period has passed (3 s here, 600 s in
production; the job timeout is 2 s). It sends what the killed worker left on the queue,
and its resolver asks Twilio's message list about each stuck invitation: the five Twilio
took become `sent` without a second message; the five it never got go back on the
schedule, to be sent once.

The restarted worker runs in burst mode, so that it stops when the queue is empty, and a
second burst run stands for the next minute's crons: an invitation put back on the
schedule is sent by its old job if that runs after the resolver, or else found by the
sweeper. Both runs start their crons at once instead of at their minute.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from surveys.models import Invitation, InvitationStatus
from tests.e2e.faults import (
    WorkerProcess,
    audit,
    crowd,
    deliver_orders,
    eventually,
    worker_environment,
)
from tests.servers.twilio import TwilioServer

CUSTOMERS = 300
#: Requests Twilio answers as usual before the worker meets the faults it dies in.
BEFORE = 40
HELD = HUNG = 5
GRACE = 3.0

pytestmark = pytest.mark.slow


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    return worker_environment(
        db,
        redis_url,
        twilio,
        tmp_path,
        twilio_segments_per_second="1000",
        job_timeout_seconds="2",
        stuck_send_grace_seconds=str(GRACE),
    )


async def kill_mid_batch(environment: dict[str, str], twilio: TwilioServer, log: Path) -> None:
    """Run a worker until Twilio has held and hung on its requests, then SIGKILL it."""
    twilio.pass_next(BEFORE)
    twilio.hold_next(HELD, seconds=60)
    twilio.hang_next(HUNG, seconds=60)
    with WorkerProcess(environment, log) as worker:
        await eventually(
            lambda: len(twilio.attempts()) >= BEFORE + HELD + HUNG,
            within=30,
            what="the worker meets the faults",
        )
        worker.kill()


def faulted(twilio: TwilioServer, fault: str) -> list[str]:
    return [a.to or "" for a in twilio.attempts() if a.fault == fault]


async def test_a_worker_killed_mid_batch_leaves_nothing_unsent_and_nothing_sent_twice(
    client, api_key, shop_journey, environment, twilio, tmp_path
):
    invitation_ids = await deliver_orders(client, api_key, crowd(CUSTOMERS))

    await kill_mid_batch(environment, twilio, tmp_path / "killed.log")
    killed_at = time.monotonic()
    assert len(twilio.messages) < CUSTOMERS
    stuck = await Invitation.filter(status=InvitationStatus.SENDING).count()
    assert stuck >= HELD + HUNG

    # The resolver takes an invitation `sending` for longer than the grace to be orphaned.
    await asyncio.sleep(max(0.0, killed_at + GRACE + 0.5 - time.monotonic()))
    with WorkerProcess(environment, tmp_path / "restarted.log", burst=True) as restarted:
        restarted.finish(within=60)
    with WorkerProcess(environment, tmp_path / "next-minute.log", burst=True) as next_minute:
        next_minute.finish(within=60)

    invitations = await audit(invitation_ids, twilio)
    assert {i.status for i in invitations} == {InvitationStatus.SENT}
    held, hung = faulted(twilio, "held"), faulted(twilio, "hung")
    assert len(held) == HELD and len(hung) == HUNG
    # Twilio took these before the worker died: the resolver found them, none was sent again.
    assert all(len(twilio.attempts(to)) == 1 for to in held)
    # Twilio never took these: each was sent once, after the resolver put it back.
    assert all(len(twilio.attempts(to)) == 2 for to in hung)
    log = (tmp_path / "restarted.log").read_text()
    assert log.count("was sent before its worker stopped") >= HELD
