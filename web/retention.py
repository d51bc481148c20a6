"""Retention: the personal data of old interactions is erased, journey by journey.

An interaction's personal data (its attributes, its answers' comments, its messages, its
cases' notes; see `web.privacy.erase_interactions`) is kept for the journey's `retention`
or, when the journey names none, the setting `TOUCHPOINT_RETENTION_DAYS` (730 by default;
0 keeps it forever). Scores, statuses and times stay, so old quarters read the same.

The cron runs hourly in the worker. It works in batches of `BATCH` interactions, each in a
short transaction of updates by id, so no table is locked for long and a large backlog is
worked off over several runs (`MAX_BATCHES` per run). An interaction whose case is still
open or waiting is left alone until the case is resolved: the team still needs it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from arq import cron
from arq.cron import CronJob
from tortoise.expressions import Q
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from journeys.models import Interaction, Journey
from journeys.store import journey_definition
from surveys.followups import ACTIVE
from surveys.models import FollowUpCase, Invitation
from web.audit import SYSTEM, record_as
from web.privacy import erase_interactions
from web.settings import Settings

BATCH = 500
MAX_BATCHES = 100
DEFAULT_DAYS: int = Settings.model_fields["retention_days"].default

log = logging.getLogger("touchpoint.retention")


@dataclass(frozen=True)
class Keep:
    """How long one journey keeps personal data; None: forever."""

    journey: Journey
    period: timedelta | None


async def retention_periods(default: timedelta | None) -> list[Keep]:
    """Each journey's retention: its own, else the default."""
    periods = []
    for journey in await Journey.all().order_by("id"):
        definition = await journey_definition(journey)
        periods.append(Keep(journey, definition.retention or default))
    return periods


async def erase_expired(
    now: datetime,
    default: timedelta | None,
    *,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> int:
    """Erase what has outlived its retention; returns how many interactions were erased."""
    periods = await retention_periods(default)
    budget = max_batches
    erased = 0
    for keep in periods:
        if keep.period is None:
            continue
        mine = Q(invitations__touchpoint__journey_id=keep.journey.id) | Q(
            journey_key=keep.journey.key
        )
        count, budget = await _erase_where(mine, now - keep.period, now, batch, budget)
        erased += count
    if default is not None:
        # Events that scheduled no invitation and name no known journey.
        known = [keep.journey.key for keep in periods]
        lone = Q(invitations__id__isnull=True) & (
            Q(journey_key__isnull=True) | ~Q(journey_key__in=known)
        )
        count, budget = await _erase_where(lone, now - default, now, batch, budget)
        erased += count
    return erased


async def _erase_where(
    which: Q, cutoff: datetime, now: datetime, batch: int, budget: int
) -> tuple[int, int]:
    query: QuerySet[Interaction] = Interaction.filter(
        which, erased_at__isnull=True, occurred_at__lt=cutoff
    )
    erased, last = 0, 0
    while budget > 0:
        ids = list(
            await query.filter(id__gt=last)
            .distinct()
            .order_by("id")
            .limit(batch)
            .values_list("id", flat=True)
        )
        if not ids:
            break
        budget -= 1
        last = max(ids)
        held = await _with_open_cases(ids)
        async with in_transaction():
            done = await erase_interactions([i for i in ids if i not in held], now)
        erased += done.interactions
    return erased, budget


async def _with_open_cases(ids: list[int]) -> set[int]:
    """The interactions whose case is still open or waiting."""
    invitations = dict(
        await Invitation.filter(interaction_id__in=ids).values_list("id", "interaction_id")
    )
    open_ones = await FollowUpCase.filter(
        invitation_id__in=list(invitations), status__in=list(ACTIVE)
    ).values_list("invitation_id", flat=True)
    return {invitations[i] for i in open_ones}


async def erase_expired_personal_data(ctx: dict[str, Any]) -> int:
    """The worker's cron: erase, then say so in the audit log when anything was erased."""
    days = ctx.get("retention_days", DEFAULT_DAYS)
    default = timedelta(days=days) if days else None
    erased = await erase_expired(datetime.now(UTC), default)
    if erased:
        await record_as(SYSTEM, "retention.erased", "", {"interactions": erased})
        log.info("retention: the personal data of %d interaction(s) erased", erased)
    return erased


def cron_jobs() -> list[CronJob]:
    """The retention cron for `dispatch.worker.create_worker(extra_cron_jobs=...)`: hourly,
    one run across all workers."""
    return [
        cron(
            erase_expired_personal_data,
            name="erase_expired_personal_data",
            minute={17},
            second={0},
            keep_result=0,
            unique=True,
        )
    ]
