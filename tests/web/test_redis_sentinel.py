"""TOUCHPOINT_REDIS_URL=redis+sentinel://...: the queue found through Redis Sentinel.

Against a real master, its replica and a Sentinel (tests/servers/sentinel.py): an event in
through the API puts its invitation's job on the master the Sentinel names, the worker's
own pool reads it there, and after a failover the same pools go on with the new master.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from arq.connections import ArqRedis
from pydantic import ValidationError
from redis.exceptions import ConnectionError as RedisConnectionError

from dispatch.queue import job_id
from journeys.schema import JourneyDefinition
from surveys.models import Invitation, InvitationStatus
from tests.processes import clean_environment, touchpoint
from tests.servers.sentinel import MASTER_NAME, SentinelServers
from web.app import create_app
from web.auth import create_api_key
from web.redis_urls import redis_settings
from web.runtime import start_runtime, stop_runtime
from web.settings import Settings, problems

QUEUE = "arq:queue"


@pytest.fixture
def sentinel(tmp_path: Path) -> Iterator[SentinelServers]:
    with SentinelServers(tmp_path / "sentinel") as servers:
        yield servers


def delivered(order: str) -> dict[str, object]:
    return {
        "id": f"evt-{order}",
        "type": "order.delivered",
        "occurred_at": (datetime.now(UTC) - timedelta(days=8)).isoformat(),
        "customer": {"id": f"cust-{order}", "phone": "+14155550123"},
    }


async def test_an_event_is_queued_on_the_master_the_sentinel_names_and_a_worker_sends_it(
    sentinel: SentinelServers,
    settings: Settings,
    shop_journey: JourneyDefinition,
    db: str,
    tmp_path: Path,
) -> None:
    running = await start_runtime(settings.model_copy(update={"redis_url": sentinel.url(3)}))
    try:
        _, key = await create_api_key("sentinel")
        transport = httpx.ASGITransport(app=create_app(runtime=running))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            answer = await http.post(
                "/api/v1/events",
                json={"events": [delivered("A-1")]},
                headers={"Authorization": f"Bearer {key}"},
            )
        worker_pool = await running.new_redis_pool()
        try:
            queued = await worker_pool.queued_jobs()
        finally:
            await worker_pool.aclose()
    finally:
        await stop_runtime(running, disconnect_database=False)

    assert answer.status_code == 200, answer.text
    [scheduled] = answer.json()["results"][0]["invitations"]
    assert [job.job_id for job in queued] == [job_id(scheduled["id"])]
    assert _queue_length(sentinel, 3) == 1

    environment = clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=sentinel.url(3),
        secret_key="a test key, not a secret one",
    )
    worker = await asyncio.to_thread(touchpoint, "worker", "--burst", env=environment)

    assert worker.returncode == 0, worker.stderr
    invitation = await Invitation.get(id=scheduled["id"])
    assert invitation.status == InvitationStatus.SENT
    assert _queue_length(sentinel, 3) == 0


def _queue_length(sentinel: SentinelServers, database: int) -> int:
    with sentinel.server(sentinel.current_master_port()) as master:
        master.select(database)  # type: ignore[attr-defined]
        return int(master.zcard(QUEUE))


async def test_after_a_failover_the_queue_goes_on_on_the_new_master(
    sentinel: SentinelServers,
) -> None:
    from arq import create_pool

    pool = await create_pool(redis_settings(sentinel.url(2)))
    try:
        await pool.enqueue_job("send_invitation", 1, _job_id="1", _defer_by=3600)
        await asyncio.to_thread(_fail_over, sentinel)
        await _enqueue_once_reconnected(pool, "2")
        queued = {job.job_id for job in await pool.queued_jobs()}
    finally:
        await pool.aclose()

    assert sentinel.current_master_port() == sentinel.replica_port
    assert queued == {"1", "2"}
    assert _queue_length(sentinel, 2) == 2


def _fail_over(sentinel: SentinelServers, timeout: float = 60) -> None:
    """Ask the Sentinel to promote the replica (it refuses until it has seen the replica
    in sync), then wait until it names the replica as master and has turned the old master
    into its replica (until then the old one still takes writes, which Sentinel cannot
    prevent; the sweeper re-queues any invitation whose job was lost so)."""
    deadline = time.monotonic() + timeout
    with sentinel.sentinel() as client:
        while True:
            try:
                client.execute_command("SENTINEL", "FAILOVER", MASTER_NAME)
                break
            except Exception:  # NOGOODSLAVE until the Sentinel's view of the replica is fresh
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    while sentinel.current_master_port() != sentinel.replica_port or not _follows(
        sentinel, sentinel.master_port, sentinel.replica_port
    ):
        assert time.monotonic() < deadline, "the Sentinel did not finish the failover"
        time.sleep(0.1)


def _follows(sentinel: SentinelServers, port: int, master_port: int) -> bool:
    with sentinel.server(port) as server:
        replication = server.info("replication")
    return replication.get("role") == "slave" and replication.get("master_port") == master_port


async def _enqueue_once_reconnected(pool: ArqRedis, job_id: str) -> None:
    """A connection to the old master may fail once as it steps down; the next one asks the
    Sentinel again."""
    try:
        await pool.enqueue_job("send_invitation", 2, _job_id=job_id, _defer_by=3600)
    except RedisConnectionError:
        await pool.enqueue_job("send_invitation", 2, _job_id=job_id, _defer_by=3600)


@pytest.mark.parametrize(
    ("url", "sentinels", "master", "database", "password"),
    [
        (
            "redis+sentinel://s1:26380,s2/mymaster/4",
            [("s1", 26380), ("s2", 26379)],
            "mymaster",
            4,
            None,
        ),
        (
            "redis+sentinel://:p%40ss@10.0.0.1:26379/queue",
            [("10.0.0.1", 26379)],
            "queue",
            0,
            "p@ss",
        ),
        ("redis+sentinel://[::1]:26381/mymaster/0", [("::1", 26381)], "mymaster", 0, None),
    ],
)
def test_a_sentinel_url_names_the_sentinels_the_master_and_the_database(
    url: str,
    sentinels: list[tuple[str, int]],
    master: str,
    database: int,
    password: str | None,
) -> None:
    found = redis_settings(url)

    assert found.sentinel is True
    assert (found.host, found.sentinel_master, found.database) == (sentinels, master, database)
    assert found.password == password


def test_plain_urls_are_read_as_arq_reads_them() -> None:
    found = redis_settings("redis://cache:6380/5")

    assert (found.host, found.port, found.database, found.sentinel) == ("cache", 6380, 5, False)


@pytest.mark.parametrize(
    ("url", "said"),
    [
        ("redis+sentinel://s1:26379", "name the master after the Sentinels"),
        ("redis+sentinel://s1:26379/mymaster/zero", "must be a number, not 'zero'"),
        ("redis+sentinel://s1:port/mymaster", "a Sentinel's port must be a number"),
        ("redis+sentinel://s1,,s2/mymaster", "list the Sentinels as host:port,host:port"),
        ("memcached://cache:11211", "must be a redis://, rediss://, unix:// or redis+sentinel://"),
    ],
)
def test_a_bad_redis_url_stops_start_up_and_says_what_is_wrong(url: str, said: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(redis_url=url)

    [problem] = problems(raised.value)
    assert problem.startswith("TOUCHPOINT_REDIS_URL: ")
    assert said in problem
