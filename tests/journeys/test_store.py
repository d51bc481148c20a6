"""Journey versions with their authors, roll-back, pause and resume, against a real database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from journeys.loader import load_journey
from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.store import (
    Catalog,
    VersionConflict,
    apply_journey,
    journey_definition,
    journey_versions,
    pause_journey,
    resume_journey,
    roll_back,
)
from tests.conftest import SHOP_JOURNEY

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def shop_text(nps_target: int = 40) -> str:
    return SHOP_JOURNEY.read_text("utf-8").replace(
        "targets: {nps: 40, csat: 85}", f"targets: {{nps: {nps_target}, csat: 85}}"
    )


async def apply_text(text: str, **options: object):
    return await apply_journey(load_journey(text), text, **options)


async def test_a_version_keeps_its_author_note_and_source(db):
    applied = await apply_text(shop_text(), author="alice@shop.example", note="first cut")

    version = await JourneyVersion.get(journey=applied.journey, version=1)
    assert (version.author, version.note) == ("alice@shop.example", "first cut")
    assert version.source == shop_text()


async def test_the_same_meaning_again_is_no_new_version(db):
    await apply_text(shop_text())
    again = await apply_text("# a comment changes nothing\n" + shop_text(), author="bob")

    assert (again.changed, again.version) == (False, 1)
    assert await JourneyVersion.filter(journey=again.journey).count() == 1


async def test_an_edit_of_an_old_version_is_refused_and_writes_nothing(db):
    await apply_text(shop_text())
    await apply_text(shop_text(45), based_on=1)

    with pytest.raises(VersionConflict, match="version 2 was saved while you edited version 1"):
        await apply_text(shop_text(50), based_on=1)

    journey = await Journey.get(key="shop")
    assert journey.version == 2
    assert (await journey_definition(journey)).targets.nps == 45


async def test_roll_back_is_a_new_version_with_the_old_content(db):
    await apply_text(shop_text(), author="alice")
    await apply_text(shop_text(45), author="bob")
    journey = await Journey.get(key="shop")

    rolled = await roll_back(journey, 1, author="carol")

    assert (rolled.changed, rolled.version) == (True, 3)
    versions = await journey_versions(await Journey.get(key="shop"))
    assert [v.version for v in versions] == [3, 2, 1]
    assert (versions[0].author, versions[0].note) == ("carol", "rolled back to version 1")
    assert versions[0].source == versions[2].source
    assert versions[0].digest == versions[2].digest
    assert (await journey_definition(await Journey.get(key="shop"))).targets.nps == 40


async def test_rolling_back_to_a_missing_version_says_so(db):
    applied = await apply_text(shop_text())

    with pytest.raises(LookupError, match="journey 'shop' has no version 7"):
        await roll_back(applied.journey, 7, author="carol")


async def test_a_paused_journey_leaves_the_catalog_until_it_resumes(db):
    applied = await apply_text(shop_text())
    journey = applied.journey

    assert await pause_journey(journey, author="alice", now=NOW) is True
    assert await pause_journey(journey, author="bob", now=NOW) is False
    assert (journey.active, journey.paused_by, journey.paused_at) == (False, "alice", NOW)
    assert (await Catalog.load()).matching("order.placed") == []

    assert await resume_journey(journey, now=NOW) is True
    assert await resume_journey(journey, now=NOW) is False
    matched = (await Catalog.load()).matching("order.placed")
    assert [t.touchpoint.key for t in matched] == ["order"]


async def test_a_new_version_keeps_a_paused_journey_paused(db):
    applied = await apply_text(shop_text())
    await pause_journey(applied.journey, author="alice", now=NOW)

    await apply_text(shop_text(45))

    journey = await Journey.get(key="shop")
    assert (journey.version, journey.active) == (2, False)
    assert await Touchpoint.filter(journey=journey, active=True).count() == 5
