"""Each comment's sentiment, terms and themes, worked out after its answer is stored.

The survey page stores the answer and returns; the worker analyses the comment a moment
later (dispatch/feedback_job.py), so segmenting Chinese text never slows the page. An
answer is pending while its comment is not empty and its `analysed` digest is not its
journey's current one (`analysis_digest` of the journey's taxonomy): a new answer (NULL),
an edited comment (the survey resets the digest), and every comment of a journey whose new
version changed the taxonomy.

A batch is read, analysed outside any transaction (in a thread: segmenting is CPU work the
worker's sends should not wait behind), then written in one short transaction. Each
answer's update holds only if the answer still has the comment that was analysed and is
still pending: a comment the customer edited meanwhile keeps its pending mark and is
analysed afresh on the next run, and two workers never store one answer twice.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition
from surveys.feedback import Analysis, Taxonomy, analyse, analysis_digest, taxonomy_for
from surveys.models import Answer, AnswerTheme
from surveys.sql import fetch_all

#: Answers analysed and stored per transaction.
BATCH = 100


@dataclass(frozen=True)
class JourneyTaxonomy:
    """What a journey's comments are analysed with, read once per run."""

    key: str
    touchpoint_ids: list[int]
    taxonomy: Taxonomy
    digest: str


@dataclass(frozen=True)
class PendingComment:
    answer_id: int
    comment: str
    locale: str


async def analyse_pending(limit: int = 500) -> int:
    """Analyse up to `limit` pending comments, oldest answer first; returns how many were
    stored (fewer than read when a customer edited a comment meanwhile)."""
    stored = read = 0
    for journey in await journey_taxonomies():
        after = 0
        while read < limit:
            size = min(BATCH, limit - read)
            batch = await pending_comments(journey, after, size)
            if batch:
                analyses = await asyncio.to_thread(_analyse_all, batch, journey.taxonomy)
                stored += await store_analyses(journey.digest, batch, analyses)
                read += len(batch)
                after = batch[-1].answer_id
            if len(batch) < size:
                break
    return stored


async def journey_taxonomies() -> list[JourneyTaxonomy]:
    """Every journey's current taxonomy and its touchpoints (a paused journey's or a removed
    touchpoint's comments are still read in the review)."""
    journeys = await Journey.all().order_by("id")
    if not journeys:
        return []
    current = Q(*(Q(journey_id=j.id, version=j.version) for j in journeys), join_type="OR")
    definitions = {
        v.journey_id: JourneyDefinition.model_validate(v.definition)  # type: ignore[attr-defined]
        for v in await JourneyVersion.filter(current)
    }
    touchpoints: dict[int, list[int]] = {}
    for touchpoint in await Touchpoint.all().order_by("id"):
        touchpoints.setdefault(touchpoint.journey_id, []).append(touchpoint.id)  # type: ignore[attr-defined]
    found = []
    for journey in journeys:
        if journey.id not in definitions or journey.id not in touchpoints:
            continue
        taxonomy = taxonomy_for(definitions[journey.id])
        found.append(
            JourneyTaxonomy(
                journey.key, touchpoints[journey.id], taxonomy, analysis_digest(taxonomy)
            )
        )
    return found


async def pending_comments(journey: JourneyTaxonomy, after: int, size: int) -> list[PendingComment]:
    """The journey's next pending comments after answer `after`, by answer id."""
    marks = ", ".join("?" for _ in journey.touchpoint_ids)
    rows = await fetch_all(
        "SELECT a.id, a.comment, a.locale FROM answer a"
        f" WHERE a.touchpoint_id IN ({marks})"
        " AND a.comment IS NOT NULL AND TRIM(a.comment) <> ''"
        " AND (a.analysed IS NULL OR a.analysed <> ?)"
        " AND a.id > ? ORDER BY a.id LIMIT ?",
        [*journey.touchpoint_ids, journey.digest, after, size],
    )
    return [PendingComment(id, comment, locale or "en") for id, comment, locale in rows]


def _analyse_all(batch: list[PendingComment], taxonomy: Taxonomy) -> list[Analysis]:
    return [analyse(item.comment, item.locale, taxonomy) for item in batch]


async def store_analyses(digest: str, batch: list[PendingComment], analyses: list[Analysis]) -> int:
    """Store each analysis whose answer still has the comment analysed and is still pending,
    and replace its themes; returns how many were stored."""
    stored = 0
    async with in_transaction():
        for item, analysis in zip(batch, analyses, strict=True):
            # The update comes first: on PostgreSQL it locks the answer, so a second worker
            # storing the same answer waits, then finds it analysed and leaves its themes.
            changed = (
                await Answer.filter(Q(analysed__isnull=True) | ~Q(analysed=digest))
                .filter(id=item.answer_id, comment=item.comment)
                .update(
                    sentiment=analysis.sentiment, terms=" ".join(analysis.terms), analysed=digest
                )
            )
            if not changed:
                continue
            stored += 1
            await AnswerTheme.filter(answer_id=item.answer_id).delete()
            themes = list(dict.fromkeys(analysis.themes))
            if themes:
                await AnswerTheme.bulk_create(
                    [AnswerTheme(answer_id=item.answer_id, theme=theme) for theme in themes]
                )
    return stored
