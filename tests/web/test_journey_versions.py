"""A journey's versions in the console: the history, the difference between two, roll-back.

Alice is an editor; each test starts from version 1 of the shop journey and saves version 2.
"""

from __future__ import annotations

import httpx
import pytest

from journeys.models import Journey, JourneyVersion
from journeys.store import journey_definition
from tests.conftest import SHOP_JOURNEY
from tests.console import form_token, signed_in
from web.models import AuditEvent

SHOP_TEXT = SHOP_JOURNEY.read_text("utf-8")
ALICE = "alice@shop.example"


@pytest.fixture
async def alice(client: httpx.AsyncClient, shop_journey) -> httpx.AsyncClient:
    await signed_in(client, "editor", ALICE)
    token = await form_token(client, "/journeys/shop/edit")
    changed = SHOP_TEXT.replace("nps: 40, csat: 85", "nps: 45, csat: 85")
    answer = await client.post(
        "/journeys/shop/edit",
        data={"csrf_token": token, "source": changed, "note": "raise NPS", "based_on": "1"},
    )
    assert answer.status_code == 303
    return client


async def roll_back(client: httpx.AsyncClient, version: str, based_on: str) -> httpx.Response:
    token = await form_token(client, "/journeys/shop/versions")
    return await client.post(
        f"/journeys/shop/versions/{version}/roll-back",
        data={"csrf_token": token, "based_on": based_on},
    )


async def test_the_history_says_who_saved_what_and_why(alice):
    page = await alice.get("/journeys/shop/versions")

    assert page.status_code == 200
    assert "2 (current)" in page.text
    assert f"<td>{ALICE}</td>" in page.text and "<td>raise NPS</td>" in page.text
    assert "not recorded (command line)" in page.text  # version 1 came from a file
    assert "Roll back to version 1" in page.text


async def test_the_diff_shows_the_lines_that_changed(alice):
    page = await alice.get("/journeys/shop/diff", params={"from": "1", "to": "2"})

    assert page.status_code == 200
    assert '<tr class="removed">' in page.text and '<tr class="added">' in page.text
    assert "-targets: {nps: 40, csat: 85}" in page.text
    assert "+targets: {nps: 45, csat: 85}" in page.text


@pytest.mark.parametrize(
    ("query", "status"),
    [({"from": "1", "to": "9"}, 404), ({"from": "one"}, 400), ({}, 400)],
)
async def test_a_diff_of_versions_that_are_not_there_says_so(alice, query, status):
    page = await alice.get("/journeys/shop/diff", params=query)

    assert page.status_code == status


async def test_roll_back_stores_the_old_content_as_a_new_version(alice):
    answer = await roll_back(alice, "1", based_on="2")

    assert answer.status_code == 303
    journey = await Journey.get(key="shop")
    assert journey.version == 3
    assert (await journey_definition(journey)).targets.nps == 40
    third = await JourneyVersion.get(journey=journey, version=3)
    assert (third.author, third.note, third.source) == (
        ALICE,
        "rolled back to version 1",
        SHOP_TEXT,
    )

    [event] = await AuditEvent.filter(action="journey.rolled_back")
    assert (event.actor_label, event.target) == (ALICE, "shop")
    assert event.detail == {"to_version": 1, "version": 3}


async def test_a_roll_back_from_a_stale_page_changes_nothing(alice):
    answer = await roll_back(alice, "1", based_on="1")

    assert answer.status_code == 409
    assert "version 2 was saved while you edited version 1" in answer.text
    assert (await Journey.get(key="shop")).version == 2


async def test_a_roll_back_to_a_missing_version_is_a_404(alice):
    answer = await roll_back(alice, "7", based_on="2")

    assert answer.status_code == 404
    assert (await Journey.get(key="shop")).version == 2


async def test_a_viewer_may_not_roll_back(client, shop_journey):
    await signed_in(client, "viewer", "victor@shop.example")
    token = await form_token(client, "/journeys/shop/versions")

    answer = await client.post(
        "/journeys/shop/versions/1/roll-back", data={"csrf_token": token, "based_on": "1"}
    )

    assert answer.status_code == 403
    assert await JourneyVersion.filter(journey__key="shop").count() == 1
