"""The worker's log, as `touchpoint worker` writes it: housekeeping speaks only when it did
something; sends keep their lines."""

from __future__ import annotations

import re
from pathlib import Path

from redis.asyncio import Redis

from surveys.models import Invitation, InvitationStatus
from tests.processes import clean_environment, touchpoint
from tests.stories import ANNA, Shop

HOUSEKEEPING = (
    "sweep_due_invitations",
    "enqueue_due_reminders",
    "resolve_stuck_sends",
    "expire_due_invitations",
)


def burst_worker_log(database_url: str, redis_url: str, data_dir: Path) -> str:
    environment = clean_environment(
        data_dir=str(data_dir),
        database_url=database_url,
        redis_url=redis_url,
        secret_key="a test key",  # a worker on PostgreSQL does not start without one
    )
    result = touchpoint("worker", "--burst", env=environment)
    assert result.returncode == 0, result.stderr
    return result.stderr


async def test_housekeeping_says_what_it_did_and_nothing_else(
    client, api_key, shop_journey, db, redis_url, tmp_path
):
    """Annas survey is due but Redis lost the queue: the sweeper puts it back and says so
    in one line, the send keeps arq's lines, and no cron's start or finish is logged."""
    await Shop(client, api_key).delivered("A-1", ANNA)
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()

    log = burst_worker_log(db, redis_url, tmp_path)

    invitation = await Invitation.get(interaction__event_id="A-1")
    assert invitation.status == InvitationStatus.SENT
    assert "the sweeper put 1 due invitation(s) back on the queue" in log
    assert re.search(rf"→ invitation:{invitation.id}:send_invitation\({invitation.id}\)", log)
    assert re.search(rf"← invitation:{invitation.id}:send_invitation ●", log)
    assert not housekeeping_lines(log), log


async def test_housekeeping_with_nothing_to_do_logs_nothing(db, redis_url, tmp_path):
    log = burst_worker_log(db, redis_url, tmp_path)

    assert "Starting worker for 10 functions" in log
    assert not housekeeping_lines(log), log
    assert "sweeper" not in log


def housekeeping_lines(log: str) -> list[str]:
    """Lines naming a housekeeping cron, but for the one that lists the worker's functions."""
    lines = [line for line in log.splitlines() if "Starting worker for" not in line]
    return [line for line in lines if any(name in line for name in HOUSEKEEPING)]
