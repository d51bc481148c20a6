"""Each comment's sentiment, terms and themes, worked out after its answer is stored.

The survey page stores the answer and returns; the worker analyses the comment a moment
later (dispatch/feedback_job.py), so segmenting Chinese text never slows the page. An
answer is pending while its `analysed` digest is not its journey's current one
(`analysis_digest` of the journey's taxonomy): a new answer (NULL), an edited comment (the
survey resets the digest), and every answer of a journey whose new version changed the
taxonomy. An answer without a comment is marked with the digest too, its sentiment and
terms left empty and its themes removed: so the pending answers are few, and found through
the index on `analysed` rather than by reading every answer on every run.

Finding them costs one index lookup per run (`analysed IS NULL`). An answer can hold an
older digest only once its journey's taxonomy has changed, so each worker process reads a
journey's answers for other digests once per digest, then remembers it has worked them off.

A batch is read, analysed outside any transaction (in a thread: segmenting is CPU work the
worker's sends should not wait behind), then written in one short transaction. Each
answer's update holds only if the answer still has the comment that was analysed and is
still pending: a comment the customer edited meanwhile keeps its pending mark and is
analysed afresh on the next run, and two workers never store one answer twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition
from surveys.feedback import Analysis, analyse, analysis_digest, taxonomy_for
from surveys.feedback.themes import Taxonomy
from surveys.models import Answer, AnswerTheme
from surveys.sql import fetch_all

#: Answers read, analysed and stored per transaction.
BATCH = 100
#: Journey key -> the digest all its answers were found analysed with, in this process.
_worked_off: dict[str, str] = {}


@dataclass(frozen=True)
class JourneyTaxonomy:
    """What a journey's comments are analysed with, read once per run."""

    key: str
    touchpoint_ids: list[int]
    taxonomy: Taxonomy
    digest: str


@dataclass(frozen=True)
class PendingAnswer:
    answer_id: int
    touchpoint_id: int
    comment: str | None
    locale: str

    @property
    def has_comment(self) -> bool:
        return bool(self.comment and self.comment.strip())


async def analyse_pending(limit: int = 500) -> int:
    """Settle up to `limit` pending answers, oldest first: analyse their comments, mark the
    ones without a comment. Returns how many were settled (fewer than read when a customer
    edited a comment meanwhile)."""
    journeys = await journey_taxonomies()
    by_touchpoint = {id: journey for journey in journeys for id in journey.touchpoint_ids}
    settled, read, _ = await _work_off(None, by_touchpoint, limit)
    for journey in journeys:
        if read >= limit:
            break
        if _worked_off.get(journey.key) == journey.digest:
            continue
        count, more, finished = await _work_off(journey, by_touchpoint, limit - read)
        settled, read = settled + count, read + more
        if finished:
            _worked_off[journey.key] = journey.digest
    return settled


async def _work_off(
    journey: JourneyTaxonomy | None, by_touchpoint: dict[int, JourneyTaxonomy], limit: int
) -> tuple[int, int, bool]:
    """Settle the pending answers of `journey` (None: the answers never analysed, of every
    journey) up to `limit`; returns how many were settled and read, and whether none is left."""
    settled = read = after = 0
    while read < limit:
        size = min(BATCH, limit - read)
        batch = await pending_answers(journey, after, size)
        if batch:
            settled += await settle(batch, by_touchpoint)
            read, after = read + len(batch), batch[-1].answer_id
        if len(batch) < size:
            return settled, read, True
    return settled, read, False


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
        digest = analysis_digest(taxonomy)
        found.append(JourneyTaxonomy(journey.key, touchpoints[journey.id], taxonomy, digest))
    return found


async def pending_answers(
    journey: JourneyTaxonomy | None, after: int, size: int
) -> list[PendingAnswer]:
    """The next answers after answer `after`, by id: never analysed (journey None), or of
    `journey` and not analysed with its current digest."""
    if journey is None:
        where, params = "a.analysed IS NULL", []
    else:
        marks = ", ".join("?" for _ in journey.touchpoint_ids)
        where = f"a.touchpoint_id IN ({marks}) AND (a.analysed IS NULL OR a.analysed <> ?)"
        params = [*journey.touchpoint_ids, journey.digest]
    rows = await fetch_all(
        "SELECT a.id, a.touchpoint_id, a.comment, a.locale FROM answer a"
        f" WHERE {where} AND a.id > ? ORDER BY a.id LIMIT ?",
        [*params, after, size],
    )
    return [
        PendingAnswer(id, touchpoint, comment, locale or "en")
        for id, touchpoint, comment, locale in rows
    ]


async def settle(batch: Sequence[PendingAnswer], by_touchpoint: dict[int, JourneyTaxonomy]) -> int:
    """Analyse the batch's comments, then store them and mark the answers without one, in
    one transaction; returns how many answers were settled."""
    known = [item for item in batch if item.touchpoint_id in by_touchpoint]
    commented = [item for item in known if item.has_comment]
    analyses = await asyncio.to_thread(_analyse_all, commented, by_touchpoint)
    async with in_transaction():
        settled = await _mark_silent(
            [item for item in known if not item.has_comment], by_touchpoint
        )
        for item, analysis in zip(commented, analyses, strict=True):
            settled += await _store(by_touchpoint[item.touchpoint_id].digest, item, analysis)
    return settled


def _analyse_all(
    batch: list[PendingAnswer], by_touchpoint: dict[int, JourneyTaxonomy]
) -> list[Analysis]:
    return [
        analyse(item.comment or "", item.locale, by_touchpoint[item.touchpoint_id].taxonomy)
        for item in batch
    ]


def _pending(digest: str) -> Q:
    return Q(analysed__isnull=True) | ~Q(analysed=digest)


async def _store(digest: str, item: PendingAnswer, analysis: Analysis) -> int:
    """Store one analysis if its answer still has the comment analysed and is pending."""
    # The update comes first: on PostgreSQL it locks the answer, so a second worker storing
    # the same answer waits, then finds it analysed and leaves its themes alone.
    changed = (
        await Answer.filter(_pending(digest))
        .filter(id=item.answer_id, comment=item.comment)
        .update(sentiment=analysis.sentiment, terms=" ".join(analysis.terms), analysed=digest)
    )
    if not changed:
        return 0
    await AnswerTheme.filter(answer_id=item.answer_id).delete()
    themes = list(dict.fromkeys(analysis.themes))
    if themes:
        await AnswerTheme.bulk_create(
            [AnswerTheme(answer_id=item.answer_id, theme=theme) for theme in themes]
        )
    return 1


async def _mark_silent(
    batch: list[PendingAnswer], by_touchpoint: dict[int, JourneyTaxonomy]
) -> int:
    """Mark answers without a comment as analysed: nothing to say, and no themes left from
    a comment since withdrawn. A comment added meanwhile keeps its answer pending."""
    marked = 0
    for digest in {by_touchpoint[item.touchpoint_id].digest for item in batch}:
        group = [item for item in batch if by_touchpoint[item.touchpoint_id].digest == digest]
        blanks = sorted({item.comment for item in group if item.comment is not None})
        silent = (
            Q(comment__isnull=True) | Q(comment__in=blanks) if blanks else Q(comment__isnull=True)
        )
        ids = [item.answer_id for item in group]
        marked += await Answer.filter(_pending(digest), silent, id__in=ids).update(
            sentiment=None, terms=None, analysed=digest
        )
        still_silent = await Answer.filter(silent, id__in=ids).values_list("id", flat=True)
        await AnswerTheme.filter(answer_id__in=list(still_silent)).delete()
    return marked
