"""Storing journey definitions, and reading back the active ones as a catalog.

Applying a definition that did not change is a no-op; a changed one becomes a new version
and its touchpoints are updated in place by key, so their history and scores carry on.
"""

from __future__ import annotations

from dataclasses import dataclass

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from journeys.loader import journey_digest
from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.schema import JourneyDefinition, TouchpointDefinition


@dataclass(frozen=True)
class AppliedJourney:
    journey: Journey
    version: int
    changed: bool


async def apply_journey(definition: JourneyDefinition, source: str | None = None) -> AppliedJourney:
    digest = journey_digest(definition)
    async with in_transaction():
        journey = await Journey.get_or_none(key=definition.journey).select_for_update()
        if journey is None:
            journey = await Journey.create(
                key=definition.journey, name=definition.name, timezone=definition.timezone
            )
            version = 1
        else:
            current = await JourneyVersion.get_or_none(journey=journey, version=journey.version)
            if current is not None and current.digest == digest and journey.active:
                return AppliedJourney(journey, journey.version, changed=False)
            version = journey.version + 1
        await JourneyVersion.create(
            journey=journey,
            version=version,
            definition=definition.model_dump(mode="json", by_alias=True),
            digest=digest,
            source=source,
        )
        journey.version = version
        journey.name = definition.name
        journey.timezone = definition.timezone
        journey.active = True
        await journey.save()
        await _sync_touchpoints(journey, definition.touchpoints)
    return AppliedJourney(journey, version, changed=True)


async def _sync_touchpoints(journey: Journey, wanted: list[TouchpointDefinition]) -> None:
    existing = {t.key: t for t in await Touchpoint.filter(journey=journey)}
    for definition in wanted:
        row = existing.pop(definition.key, None)
        if row is None:
            await Touchpoint.create(
                journey=journey,
                key=definition.key,
                stage=definition.stage,
                trigger=definition.trigger,
            )
        else:
            row.stage, row.trigger, row.active = definition.stage, definition.trigger, True
            await row.save()
    for removed in existing.values():
        removed.active = False
        await removed.save()


async def journey_definition(journey: Journey, version: int | None = None) -> JourneyDefinition:
    """The definition of one version of a journey (the current one by default)."""
    row = await JourneyVersion.get(journey=journey, version=version or journey.version)
    return JourneyDefinition.model_validate(row.definition)


@dataclass(frozen=True)
class ActiveTouchpoint:
    journey: Journey
    definition: JourneyDefinition
    touchpoint: Touchpoint

    @property
    def settings(self) -> TouchpointDefinition:
        return self.definition.touchpoint(self.touchpoint.key)


class Catalog:
    """The active journeys and their touchpoints, loaded once per batch of events."""

    def __init__(self, touchpoints: list[ActiveTouchpoint]) -> None:
        self._touchpoints = touchpoints
        self.journey_keys = frozenset(t.journey.key for t in touchpoints)

    @classmethod
    async def load(cls) -> Catalog:
        journeys = {j.id: j for j in await Journey.filter(active=True)}
        if not journeys:
            return cls([])
        current = Q(
            *(Q(journey_id=j.id, version=j.version) for j in journeys.values()), join_type="OR"
        )
        definitions = {
            v.journey_id: JourneyDefinition.model_validate(v.definition)  # type: ignore[attr-defined]
            for v in await JourneyVersion.filter(current)
        }
        rows = await Touchpoint.filter(active=True, journey_id__in=list(journeys))
        return cls(
            [
                ActiveTouchpoint(
                    journeys[t.journey_id],  # type: ignore[attr-defined]
                    definitions[t.journey_id],  # type: ignore[attr-defined]
                    t,
                )
                for t in rows
            ]
        )

    def matching(self, event_type: str, journey_key: str | None = None) -> list[ActiveTouchpoint]:
        """Touchpoints of every active journey (or only the named one) fired by this event."""
        return [
            t
            for t in self._touchpoints
            if t.touchpoint.trigger == event_type
            and (journey_key is None or t.journey.key == journey_key)
        ]
