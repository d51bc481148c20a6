"""Storing journey definitions, their versions, pausing, and reading back the active ones.

Applying a definition that did not change is a no-op; a changed one becomes a new version
and its touchpoints are updated in place by key, so their history and scores carry on. Each
version keeps its YAML source, who made it and why, so the console can show the history,
the difference between two versions, and roll back: a roll-back is a new version whose
content is the old one, so the history only ever grows.

A paused journey (`active` false) is left out of the catalog, so intake schedules no new
invitations for it. Applying a new version keeps a paused journey paused: only resuming it
starts it again. (What happens to invitations scheduled before the pause is decided where
invitations live, by the caller that pauses.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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


class VersionConflict(Exception):
    """The journey moved on since the version the editor started from."""

    def __init__(self, expected: int, current: int) -> None:
        super().__init__(
            f"version {current} was saved while you edited version {expected}: "
            "reload the journey and apply your change to the new version"
        )
        self.expected = expected
        self.current = current


async def apply_journey(
    definition: JourneyDefinition,
    source: str | None = None,
    *,
    author: str | None = None,
    note: str | None = None,
    based_on: int | None = None,
) -> AppliedJourney:
    """Store the definition as the journey's next version, unless it means the same.

    `based_on` is the version an editor started from: when another version was saved
    since, `VersionConflict` is raised and nothing is written.
    """
    digest = journey_digest(definition)
    async with in_transaction():
        journey = await Journey.get_or_none(key=definition.journey).select_for_update()
        if journey is None:
            journey = await Journey.create(
                key=definition.journey, name=definition.name, timezone=definition.timezone
            )
            version = 1
        else:
            if based_on is not None and based_on != journey.version:
                raise VersionConflict(based_on, journey.version)
            current = await JourneyVersion.get_or_none(journey=journey, version=journey.version)
            if current is not None and current.digest == digest:
                return AppliedJourney(journey, journey.version, changed=False)
            version = journey.version + 1
        await JourneyVersion.create(
            journey=journey,
            version=version,
            definition=definition.model_dump(mode="json", by_alias=True),
            digest=digest,
            source=source,
            author=author,
            note=note,
        )
        journey.version = version
        journey.name = definition.name
        journey.timezone = definition.timezone
        await journey.save()
        await _sync_touchpoints(journey, definition.touchpoints)
    return AppliedJourney(journey, version, changed=True)


async def roll_back(journey: Journey, version: int, *, author: str | None) -> AppliedJourney:
    """A new version with the content of `version`; unchanged when it is the current one."""
    earlier = await JourneyVersion.get_or_none(journey=journey, version=version)
    if earlier is None:
        raise LookupError(f"journey {journey.key!r} has no version {version}")
    definition = JourneyDefinition.model_validate(earlier.definition)
    return await apply_journey(
        definition,
        earlier.source,
        author=author,
        note=f"rolled back to version {version}",
        based_on=journey.version,
    )


async def journey_versions(journey: Journey) -> list[JourneyVersion]:
    """Every version of the journey, newest first."""
    return await JourneyVersion.filter(journey=journey).order_by("-version")


async def journey_version(journey: Journey, version: int) -> JourneyVersion | None:
    return await JourneyVersion.get_or_none(journey=journey, version=version)


async def pause_journey(journey: Journey, *, author: str | None, now: datetime) -> bool:
    """Stop scheduling invitations for the journey; False when it was paused already."""
    changed = await Journey.filter(id=journey.id, active=True).update(
        active=False, paused_at=now, paused_by=author, updated_at=now
    )
    await journey.refresh_from_db()
    return changed == 1


async def resume_journey(journey: Journey, *, now: datetime) -> bool:
    """Schedule invitations for the journey again; False when it was not paused."""
    changed = await Journey.filter(id=journey.id, active=False).update(active=True, updated_at=now)
    await journey.refresh_from_db()
    return changed == 1


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
