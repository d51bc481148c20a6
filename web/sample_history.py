"""Sample history for a journey: quarters of realistic invitations, answers and comments.

A newcomer's review page, and the review benchmark, need history: several quarters of
answers broken down by channel, language, segment, variant and store, with scores that
drift by season (delivery is worse in the Q4 rush) and comments in English and Chinese.
The generator is seeded, so the same seed gives the same customers, scores and comments.

Sample customers are marked by their external id (`sample-<journey>-<n>`) and have no
phone or email, so nothing can ever be sent to them; sample answers open no follow-up
cases. Rows are written with multi-row INSERTs, a few thousand invitations per
transaction, so a million answers take minutes on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tortoise.transactions import in_transaction

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.periods import Period, current_period
from journeys.schema import JourneyDefinition, TouchpointDefinition
from surveys.assignment import assign_variant
from surveys.sql import fetch_all, numbered
from web import sample_phrases
from web.sample_writer import SampleWriter

SAMPLE_PREFIX = "sample-"
#: Invitations written per transaction (with their interactions, answers and attributes).
CHUNK = 4000

SEGMENTS = (("A", 0.2), ("B", 0.5), ("C", 0.3))
REGIONS = {
    "east": ("shanghai-xujiahui", "hangzhou-westlake", "online"),
    "north": ("beijing-sanlitun", "tianjin-binjiang", "online"),
    "south": ("guangzhou-tianhe", "shenzhen-futian", "online"),
    "west": ("chengdu-chunxi", "chongqing-jiefangbei", "online"),
}
PRODUCT_LINES = ("apparel", "electronics", "home", "beauty")
#: How content customers are with each kind of touchpoint, 0 to 1 (NPS is ten times it).
BASE_MOOD = {"browse": 0.82, "order": 0.84, "ship": 0.8, "use": 0.83, "after-sales": 0.74}
#: What comments at each kind of touchpoint are about, with weights.
TOPICS = {
    "browse": {"website": 6, "price": 3, "quality": 1},
    "order": {"price": 4, "website": 4, "delivery": 1, "quality": 2},
    "ship": {"delivery": 8, "service": 1, "quality": 1},
    "use": {"quality": 6, "price": 2, "returns": 2},
    "after-sales": {"service": 6, "returns": 4, "quality": 1},
}
#: Stores that do a little worse or better, so a breakdown by store shows something.
STORE_MOOD = {"chengdu-chunxi": -0.05, "shenzhen-futian": 0.03}


@dataclass(frozen=True)
class Customer:
    external_id: str
    locale: str
    segment: str
    region: str
    channel: str  # the one they prefer, when the touchpoint offers it
    mood: float


@dataclass
class Invited:
    """One sample invitation and, when the customer answered, the answer."""

    customer: int
    touchpoint: TouchpointDefinition
    channel: str
    variant: str
    experiment: str | None
    interaction_at: datetime
    sent_at: datetime
    status: str  # answered | expired | sent
    store: str
    product_line: str
    answered_at: datetime | None = None
    nps: int | None = None
    csat: int | None = None
    comment: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Quarter:
    period: Period
    start: datetime
    stop: datetime  # the quarter's end, or now for the current one
    answers: int


def quarters_ending(now: datetime, tz: ZoneInfo, count: int, answers: int) -> list[Quarter]:
    """The `count` quarters up to the current one, oldest first, with the answers each gets:
    in proportion to the time elapsed in it, growing 5% a quarter, summing to `answers`."""
    period = current_period(now, tz)
    periods = [period]
    for _ in range(count - 1):
        periods.insert(0, periods[0].previous())
    spans = []
    for index, each in enumerate(periods):
        start, end = each.bounds(tz)
        stop = min(end, now)
        spans.append((each, start, stop, (stop - start).total_seconds() * 1.05**index))
    total = sum(weight for *_, weight in spans) or 1.0
    shares = [int(answers * weight / total) for *_, weight in spans]
    shares[-1] += answers - sum(shares)
    return [
        Quarter(p, start, stop, n) for (p, start, stop, _), n in zip(spans, shares, strict=True)
    ]


class SampleHistory:
    """The seeded generator: customers first, then invitations quarter by quarter."""

    def __init__(self, definition: JourneyDefinition, *, seed: int, answers: int) -> None:
        self.definition = definition
        self.rng = random.Random(seed)
        self.answers = answers
        invitations = int(answers / 0.32) + 1
        self.customers = [self._customer(n) for n in range(max(20, invitations // 5))]
        self.touchpoints = list(definition.touchpoints)
        self.weights = [_volume(t) for t in self.touchpoints]

    def _customer(self, n: int) -> Customer:
        rng = self.rng
        region = rng.choice(tuple(REGIONS))
        return Customer(
            external_id=f"{SAMPLE_PREFIX}{self.definition.journey}-{n}",
            locale="zh-CN" if rng.random() < 0.45 else "en",
            segment=_weighted(rng, dict(SEGMENTS)),
            region=region,
            channel="sms" if rng.random() < 0.6 else "email",
            mood=rng.gauss(0, 0.06),
        )

    def invitations(self, quarters: list[Quarter], now: datetime) -> Iterator[Invited]:
        """Invitations, oldest quarter first, until each quarter has its answers."""
        for index, quarter in enumerate(quarters):
            answered = 0
            while answered < quarter.answers:
                invited = self._invite(quarter, index, now)
                answered += invited.status == "answered"
                yield invited

    def _invite(self, quarter: Quarter, index: int, now: datetime) -> Invited:
        rng = self.rng
        touchpoint = rng.choices(self.touchpoints, self.weights)[0]
        number = rng.randrange(len(self.customers))
        customer = self.customers[number]
        channels = [c for c in touchpoint.channels if c in ("sms", "email")] or ["sms"]
        channel = customer.channel if customer.channel in channels else channels[0]
        experiment, variant = self._variant(customer, touchpoint)
        span = (quarter.stop - quarter.start).total_seconds()
        sent_at = quarter.start + timedelta(seconds=int(rng.random() * span))
        lag = touchpoint.delay + timedelta(seconds=int(rng.random() * 36000))
        invited = Invited(
            customer=number,
            touchpoint=touchpoint,
            channel=channel,
            variant=variant,
            experiment=experiment,
            interaction_at=sent_at - lag,
            sent_at=sent_at,
            status="sent",
            store=rng.choice(REGIONS[customer.region]),
            product_line=rng.choice(PRODUCT_LINES),
        )
        rate = {"sms": 0.36, "email": 0.26}.get(channel, 0.3)
        rate += {"A": 0.04, "C": -0.04}.get(customer.segment, 0.0)
        if experiment and variant != min(self.definition.experiments[experiment].variants):
            rate += 0.03  # the wording under test draws a few more answers
        answered_at = sent_at + timedelta(seconds=int(min(rng.expovariate(1 / 18000), 2.5e6)))
        if rng.random() < rate and answered_at <= now:
            invited.status, invited.answered_at = "answered", answered_at
            self._answer(invited, customer, quarter, index)
        elif sent_at + timedelta(days=30) <= now:
            invited.status = "expired"
        return invited

    def _variant(
        self, customer: Customer, touchpoint: TouchpointDefinition
    ) -> tuple[str | None, str]:
        """As invitations choose it: the experiment's stable assignment, else the first SMS
        wording (A)."""
        found = self.definition.experiment_for(touchpoint.key)
        if found is None:
            return None, (sorted(self.definition.messages.sms) or ["A"])[0]
        name, experiment = found
        return name, assign_variant(customer.external_id, name, experiment.variants)

    def _answer(self, invited: Invited, customer: Customer, quarter: Quarter, index: int) -> None:
        rng, key = self.rng, invited.touchpoint.key
        mood = BASE_MOOD.get(key, 0.8) + customer.mood + 0.008 * index
        mood += {"A": 0.05, "C": -0.04}.get(customer.segment, 0.0)
        mood += STORE_MOOD.get(invited.store, 0.0)
        mood += seasonal_drift(key, quarter.period.quarter)
        mood += rng.gauss(0, 0.17)
        survey = self.definition.surveys[invited.touchpoint.survey]
        if survey.question("nps") is not None:
            invited.nps = max(0, min(10, round(mood * 10)))
        if survey.question("csat") is not None:
            invited.csat = max(1, min(5, round(1 + mood * 4 + rng.gauss(0, 0.35))))
        if survey.question("text") is not None:
            invited.comment = self._comment(invited, customer.locale)
        invited.attributes = {
            "region": customer.region,
            "store": invited.store,
            "product_line": invited.product_line,
        }

    def _comment(self, invited: Invited, locale: str) -> str | None:
        rng = self.rng
        sentiment = _sentiment(invited.nps, invited.csat, rng.random())
        if rng.random() > {"negative": 0.55, "neutral": 0.3, "positive": 0.35}[sentiment]:
            return None
        topics = TOPICS.get(invited.touchpoint.key) or {t: 1 for t in sample_phrases.THEMES}
        theme = _weighted(rng, topics)
        return rng.choice(sample_phrases.phrases(locale, theme, sentiment))


def seasonal_drift(touchpoint: str, quarter: int) -> float:
    """Q4 is the delivery rush (worse for shipping, a little for all), Q1 brings the
    holiday returns to after-sales, and summer is kind to using what was bought."""
    drift = -0.015 if quarter == 4 else 0.0
    if quarter == 4 and ("ship" in touchpoint or "deliver" in touchpoint):
        drift -= 0.1
    if quarter == 1 and "after" in touchpoint:
        drift -= 0.04
    if quarter == 3 and touchpoint == "use":
        drift += 0.02
    return drift


def _sentiment(nps: int | None, csat: int | None, draw: float) -> str:
    """What a comment sounds like given the scores: detractors mostly complain."""
    if nps is not None:
        band = "low" if nps <= 6 else "middle" if nps <= 8 else "high"
    else:
        band = "low" if (csat or 3) <= 2 else "middle" if csat == 3 else "high"
    if band == "low":
        return "negative" if draw < 0.85 else "neutral"
    if band == "high":
        return "positive" if draw < 0.85 else "neutral"
    return "neutral" if draw < 0.6 else "negative" if draw < 0.8 else "positive"


def _volume(touchpoint: TouchpointDefinition) -> float:
    return {"browse": 1.5, "order": 2.5, "ship": 2.5, "use": 2.0, "after-sales": 1.5}.get(
        touchpoint.key, 2.0
    )


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), list(weights.values()))[0]


# Writing: the rows above, as the app stores them.


@dataclass(frozen=True)
class Written:
    customers: int
    invitations: int
    answers: int
    analysed: bool


Analyser = Callable[[str, str], tuple[str | None, str | None, list[str]]]


def feedback_analyser(definition: JourneyDefinition) -> tuple[Analyser, str] | None:
    """The feedback analysis, once per distinct comment, and its digest; None while the
    analysis is not part of this build (the answers are then left for the worker's)."""
    try:
        from surveys.feedback import analyse, analysis_digest, taxonomy_for
    except ImportError:
        return None
    taxonomy = taxonomy_for(definition)
    seen: dict[tuple[str, str], tuple[str | None, str | None, list[str]]] = {}

    def analysed(comment: str, locale: str) -> tuple[str | None, str | None, list[str]]:
        if (comment, locale) not in seen:
            found = analyse(comment, locale, taxonomy)
            seen[comment, locale] = (found.sentiment, " ".join(found.terms), list(found.themes))
        return seen[comment, locale]

    return analysed, analysis_digest(taxonomy)


async def write_sample_history(
    journey_key: str,
    *,
    quarters: int = 8,
    answers: int = 3000,
    seed: int = 1,
    now: datetime | None = None,
    analyse: bool = True,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Generate and store the sample history of an applied journey (LookupError if none)."""
    journey = await Journey.get_or_none(key=journey_key)
    if journey is None:
        raise LookupError(f"no journey {journey_key!r}: apply it first")
    stored = await JourneyVersion.get(journey=journey, version=journey.version)
    definition = JourneyDefinition.model_validate(stored.definition)
    ids = {t.key: t.id for t in await Touchpoint.filter(journey=journey, active=True)}
    definition = definition.model_copy(
        update={"touchpoints": [t for t in definition.touchpoints if t.key in ids]}
    )
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    history = SampleHistory(definition, seed=seed, answers=answers)
    plan = quarters_ending(now, ZoneInfo(definition.timezone), quarters, answers)
    analyser = feedback_analyser(definition) if analyse else None
    writer = SampleWriter(journey_key, journey.version, ids, now, analyser)
    await writer.customers(history.customers)
    batch: list[Invited] = []
    for invited in history.invitations(plan, now):
        batch.append(invited)
        if len(batch) >= CHUNK:
            await writer.invitations(batch, history.customers)
            batch = []
            if progress:
                progress(writer.answers)
    if batch:
        await writer.invitations(batch, history.customers)
    return Written(
        len(history.customers), writer.invitations_written, writer.answers, bool(analyser)
    )


# Real answers stay apart: the command refuses to mix, and replaces only its own.


def sample_prefix(journey_key: str) -> str:
    """The external id prefix of a journey's sample customers."""
    return f"{SAMPLE_PREFIX}{journey_key}-"


async def real_answers(journey_key: str) -> int:
    """Answers to the journey's touchpoints from customers who are not samples."""
    rows = await fetch_all(
        "SELECT COUNT(*) FROM answer a JOIN invitation i ON i.id = a.invitation_id"
        " JOIN customer c ON c.id = i.customer_id"
        " JOIN touchpoint t ON t.id = a.touchpoint_id JOIN journey j ON j.id = t.journey_id"
        " WHERE j.key = ? AND substr(c.external_id, 1, ?) <> ?",
        [journey_key, len(SAMPLE_PREFIX), SAMPLE_PREFIX],
    )
    return int(rows[0][0])


async def any_answers(journey_key: str) -> bool:
    rows = await fetch_all(
        "SELECT 1 FROM answer a JOIN touchpoint t ON t.id = a.touchpoint_id"
        " JOIN journey j ON j.id = t.journey_id WHERE j.key = ? LIMIT 1",
        [journey_key],
    )
    return bool(rows)


async def remove_sample_history(journey_key: str) -> int:
    """Delete the journey's sample interactions and, with them, their invitations, answers
    and answer rows (the foreign keys cascade, each on an index). The sample customers stay,
    to be taken up again by the next sample: deleting a customer would scan the tables that
    name customers, which have no index on them."""
    prefix = f"{SAMPLE_PREFIX}{journey_key}-"
    where = "FROM interaction WHERE journey_key = ? AND substr(event_id, 1, ?) = ?"
    params = [journey_key, len(prefix), prefix]
    async with in_transaction() as tx:
        _, rows = await tx.execute_query(numbered(f"SELECT COUNT(*) {where}", tx), params)
        count = int(rows[0][0])
        if count:
            await tx.execute_query(numbered(f"DELETE {where}", tx), params)
    return count


#: What the demo starts with: enough answers for every quarter's figures to mean something.
DEMO_ANSWERS = 3000
DEMO_QUARTERS = 8


async def seed_demo_history(journey_key: str) -> Written | None:
    """The demo journey's sample history, the first time only: when it has no answers."""
    if await any_answers(journey_key):
        return None
    return await write_sample_history(journey_key, quarters=DEMO_QUARTERS, answers=DEMO_ANSWERS)
