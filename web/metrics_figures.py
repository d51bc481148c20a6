"""The figures /metrics reads at scrape time: states, not events.

How many invitations wait in each live state, how deep the queue is and how late its oldest
due job, how many follow-up cases are open and overdue, how many webhook deliveries are
failing, and whether the process is ready. These are read from the database and Redis
when Prometheus asks, never counted in a process, so however many processes serve
/metrics each scrape says the one true figure (sum them over processes and they
multiply: dashboards and alerts take the max). Each reading is one indexed query or Redis
command with its own timeout; a reading that fails or times out is left out and
`touchpoint_figure_ok{figure=...}` says 0, so a slow database makes a scrape incomplete,
not late.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime

from arq.constants import default_queue_name
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.asyncio import Redis
from tortoise.functions import Count

from dispatch.models import WebhookDelivery
from surveys.followups import ACTIVE, overdue_filter
from surveys.models import FINAL_STATUSES, FollowUpCase, Invitation, InvitationStatus
from web.readiness import readiness

log = logging.getLogger("touchpoint.metrics")

#: How long one reading may take before the scrape goes on without it.
TIMEOUT = 2.0

Families = list[GaugeMetricFamily]


#: The states an invitation still moves on from. Final states only grow, so counting them
#: at each scrape would read all history; `touchpoint_invitations_ended_total` and
#: `touchpoint_answers_total` count the invitations that reach them instead.
LIVE_STATES = [state for state in InvitationStatus if state not in FINAL_STATUSES]


async def invitations() -> Families:
    """One range of the status index: as cheap as there are invitations still live."""
    rows = (
        await Invitation.filter(status__in=LIVE_STATES)
        .annotate(n=Count("id"))
        .group_by("status")
        .values_list("status", "n")
    )
    counts = {str(status): n for status, n in rows}
    family = GaugeMetricFamily(
        "touchpoint_invitations",
        "Invitations in each state they still move on from (scheduled, sending, sent, "
        "delivered) now.",
        labels=["state"],
    )
    for state in LIVE_STATES:
        family.add_metric([state.value], counts.get(state.value, 0))
    return [family]


async def queue(redis: Redis) -> Families:
    """arq's queue is one sorted set scored by due time in ms; a job stays in it while it
    runs, so the oldest due job is late by as long as the oldest job has waited or run."""
    now_ms = time.time() * 1000
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcard(default_queue_name)
        pipe.zcount(default_queue_name, "-inf", now_ms)
        pipe.zrange(default_queue_name, 0, 0, withscores=True)
        depth, due, oldest = await pipe.execute()
    late = max(now_ms - oldest[0][1], 0.0) / 1000 if due and oldest else 0.0
    return [
        GaugeMetricFamily("touchpoint_queue_jobs", "Jobs on the queue, due or not.", depth),
        GaugeMetricFamily("touchpoint_queue_due_jobs", "Jobs on the queue due now.", due),
        GaugeMetricFamily(
            "touchpoint_queue_oldest_due_seconds",
            "How long past its due time the oldest due job is (0 when none is due).",
            late,
        ),
    ]


async def follow_up_cases() -> Families:
    now = datetime.now(UTC)
    # A case is resolved once, for good: the index on resolved_at finds the open ones.
    active = FollowUpCase.filter(resolved_at__isnull=True, status__in=list(ACTIVE))
    open_now, overdue = await asyncio.gather(
        active.count(), FollowUpCase.filter(overdue_filter(now)).count()
    )
    return [
        GaugeMetricFamily(
            "touchpoint_follow_up_cases_open", "Follow-up cases open or waiting now.", open_now
        ),
        GaugeMetricFamily(
            "touchpoint_follow_up_cases_overdue",
            "Follow-up cases open or waiting with an SLA clock past its due time.",
            overdue,
        ),
    ]


async def webhook_deliveries() -> Families:
    """Retrying: a delivery not yet taken whose last attempt failed. Failed: given up
    after the retry window, until someone sends it again from the console."""
    retrying, failed = await asyncio.gather(
        WebhookDelivery.filter(
            status__in=["pending", "delivering"], last_error__isnull=False
        ).count(),
        WebhookDelivery.filter(status="failed").count(),
    )
    family = GaugeMetricFamily(
        "touchpoint_webhook_deliveries_failing",
        "Webhook deliveries failing now: retrying after a failed attempt, or given up.",
        labels=["state"],
    )
    family.add_metric(["retrying"], retrying)
    family.add_metric(["failed"], failed)
    return [family]


async def ready(redis: Redis) -> Families:
    family = GaugeMetricFamily(
        "touchpoint_ready",
        "1 when this check of /readyz passes (database, redis, migrations), else 0.",
        labels=["check"],
    )
    for check in await readiness(redis):
        family.add_metric([check.name], 1 if check.ok else 0)
    return [family]


async def _reading(name: str, read: Callable[[], Awaitable[Families]]) -> tuple[str, Families]:
    try:
        return name, await asyncio.wait_for(read(), TIMEOUT)
    except Exception as error:  # a figure missing is said by touchpoint_figure_ok, not a 500
        log.warning("metrics: could not read %s: %s: %s", name, type(error).__name__, error)
        return name, []


async def read_figures(redis: Redis) -> list[GaugeMetricFamily]:
    """Every figure, read at once; those that failed are missing and marked not ok."""
    readings = await asyncio.gather(
        _reading("invitations", invitations),
        _reading("queue", lambda: queue(redis)),
        _reading("follow_up_cases", follow_up_cases),
        _reading("webhook_deliveries", webhook_deliveries),
        _reading("ready", lambda: ready(redis)),
    )
    ok = GaugeMetricFamily(
        "touchpoint_figure_ok",
        "1 when this scrape could read the figure from the database or Redis, else 0.",
        labels=["figure"],
    )
    found: list[GaugeMetricFamily] = []
    for name, families in readings:
        ok.add_metric([name], 1 if families else 0)
        found.extend(families)
    return [*found, ok]


class Figures(Collector):
    """Families already read, for a registry to expose."""

    def __init__(self, families: Iterable[GaugeMetricFamily]) -> None:
        self.families = list(families)

    def collect(self) -> Iterable[GaugeMetricFamily]:
        return self.families
