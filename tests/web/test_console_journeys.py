"""Journeys in the console: the list, the map, editing, creating, pause and resume.

Alice is an editor, Victor a viewer. The shop journey is the tests' standing journey.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from journeys.models import Journey, JourneyVersion, Touchpoint
from journeys.store import journey_definition
from surveys.models import Invitation, InvitationStatus
from surveys.responses import record_response
from tests.conftest import SHOP_JOURNEY
from tests.console import form_token, post_form, signed_in
from tests.stories import ANNA, CHEN, Shop, sent_invitation
from tests.surveys.factories import invitations
from web.models import AuditEvent

SHOP_TEXT = SHOP_JOURNEY.read_text("utf-8")
ALICE = "alice@shop.example"


@pytest.fixture
async def alice(client: httpx.AsyncClient, shop_journey) -> httpx.AsyncClient:
    await signed_in(client, "editor", ALICE)
    return client


async def edit(
    client: httpx.AsyncClient, text: str, note: str = "", **extra: str
) -> httpx.Response:
    return await post_form(client, "/journeys/shop/edit", {"source": text, "note": note, **extra})


def delivered(event_id: str) -> dict[str, object]:
    occurred = datetime.now(UTC) - timedelta(days=2)
    return {
        "id": event_id,
        "type": "order.delivered",
        "occurred_at": occurred.isoformat(),
        "customer": ANNA.as_customer(),
    }


def card(page: str, key: str) -> str:
    """The map card of one touchpoint, as HTML."""
    return (
        page.split(f'id="touchpoint-{key}"', 1)[1]
        .split("</li>\n</ol>", 1)[0]
        .split('<li class="touchpoint-card', 1)[0]
    )


async def test_the_list_shows_each_journey_with_its_state_and_version(alice, shop_journey):
    page = await alice.get("/journeys")

    assert page.status_code == 200
    assert '<a href="/journeys/shop">Shop</a>' in page.text
    assert "<td>live</td>" in page.text
    assert '<a href="/journeys/shop/versions">1</a>' in page.text
    assert 'href="/journeys/new"' in page.text


async def test_the_map_draws_stages_in_order_with_each_touchpoint(alice, shop_journey):
    page = await alice.get("/journeys/shop")

    assert page.status_code == 200
    stages = re.findall(r'<li class="journey-stage">\s*<h3>([^<]+)</h3>', page.text)
    assert stages == ["pre-sale", "in-sale", "after-sale"]
    after_sales = card(page.text, "after-sales")
    assert "<code>ticket.closed</code>" in after_sales
    assert "<dd>7 days</dd>" in after_sales
    assert "<dd>email, sms</dd>" in after_sales
    assert "<dd>nps-csat</dd>" in after_sales
    assert "<dd>NPS above 40, CSAT 90% or more</dd>" in after_sales
    assert "state-no-answers" in after_sales and "no answers yet" in after_sales


async def test_the_map_colours_and_writes_out_each_score_against_target(alice, api_key):
    # use: 3 promoters and a detractor, all satisfied: NPS +50 and CSAT 100%, a low sample
    for index, (nps, csat) in enumerate([(10, 5), (9, 5), (9, 4), (3, 4)]):
        person = ANNA if index % 2 else CHEN
        customer = {**person.as_customer(), "id": f"{person.id}-{index}"}
        invitation = await sent_invitation(alice, api_key, customer, event_id=f"use-{index}")
        await record_response(invitation, nps=nps, csat=csat, comment=None)
    # order: 35 answers, all detractors: NPS -100, target missed
    order = await Touchpoint.get(key="order")
    now = datetime.now(UTC)
    await invitations(order, 35, sent_at=now - timedelta(hours=2), answered_at=now, nps=2, csat=2)

    page = (await alice.get("/journeys/shop")).text

    use = card(page, "use")
    assert "state-low-sample" in use and "low sample" in use
    assert "NPS +50.0 ± " in use and "(n=4), target above 40: met, low sample" in use
    assert "CSAT 100.0% (n=4), target 85% or more: met, low sample" in use
    ordered = card(page, "order")
    assert "state-missed" in ordered and "target missed" in ordered
    assert "NPS -100.0 ± " in ordered and "(n=35), target above 40: missed" in ordered
    assert "CSAT 0.0% (n=35), target 85% or more: missed" in ordered


async def test_an_edit_with_an_error_shows_it_at_its_line_and_changes_nothing(alice):
    broken = SHOP_TEXT.replace("delay: P3D", "delay: P3X")
    line = broken.splitlines().index(next(x for x in broken.splitlines() if "P3X" in x)) + 1

    answer = await edit(alice, broken, note="faster delivery survey")

    assert answer.status_code == 400
    assert f"line {line}: <code>touchpoints[2].delay</code>: not an ISO-8601 duration" in (
        answer.text
    )
    assert "P3X" in answer.text  # the text typed stays in the form
    assert 'value="faster delivery survey"' in answer.text
    journey = await Journey.get(key="shop")
    assert journey.version == 1
    assert await JourneyVersion.filter(journey=journey).count() == 1


async def test_every_error_of_the_file_is_shown_at_once(alice):
    broken = SHOP_TEXT.replace("delay: P3D", "delay: P3X").replace(
        "survey: quick-csat}", "survey: quick}", 1
    )

    answer = await edit(alice, broken)

    assert answer.status_code == 400
    assert "2 problems in the file" in answer.text
    assert "unknown survey &#39;quick&#39;" in answer.text


async def test_a_file_for_another_journey_is_refused_on_this_page(alice):
    other = SHOP_TEXT.replace("journey: shop", "journey: other-shop")

    answer = await edit(alice, other)

    assert answer.status_code == 400
    assert "line 3: <code>journey</code>: this page edits journey &#39;shop&#39;" in answer.text
    assert not await Journey.exists(key="other-shop")


async def test_a_fixed_file_becomes_a_new_version_with_its_author_and_note(alice):
    changed = SHOP_TEXT.replace("targets: {nps: 40, csat: 85}", "targets: {nps: 45, csat: 85}")

    answer = await edit(alice, changed, note="raise the NPS target", based_on="1")

    assert answer.status_code == 303
    assert answer.headers["location"] == "/journeys/shop?saved=2"
    page = await alice.get(answer.headers["location"])
    assert "Saved as version 2" in page.text
    assert "<dd>NPS above 45, CSAT 85% or more</dd>" in card(page.text, "order")
    version = await JourneyVersion.get(journey__key="shop", version=2)
    assert (version.author, version.note, version.source) == (
        ALICE,
        "raise the NPS target",
        changed,
    )
    versions = await alice.get("/journeys/shop/versions")
    assert ALICE in versions.text and "raise the NPS target" in versions.text
    [event] = await AuditEvent.filter(action="journey.updated")
    assert (event.actor_label, event.target) == (ALICE, "shop")
    assert event.detail == {"version": 2, "note": "raise the NPS target"}


async def test_an_edit_from_an_old_version_is_refused_and_keeps_the_text(alice):
    await edit(alice, SHOP_TEXT.replace("nps: 40", "nps: 45"), based_on="1")

    answer = await edit(alice, SHOP_TEXT.replace("nps: 40", "nps: 50"), based_on="1")

    assert answer.status_code == 409
    assert "version 2 was saved while you edited version 1" in answer.text
    assert "nps: 50" in answer.text
    assert (await journey_definition(await Journey.get(key="shop"))).targets.nps == 45


async def test_pause_stops_intake_and_suppresses_what_was_scheduled(alice, api_key):
    shop = Shop(alice, api_key)
    await shop.delivered("A-1", to=ANNA, days_ago=2)  # due in 5 days

    answer = await post_form(alice, "/journeys/shop/pause", {}, page="/journeys/shop")

    assert answer.status_code == 303
    page = await alice.get("/journeys/shop")
    assert "Paused</strong> since" in page.text and f"by {ALICE}" in page.text
    waiting = await shop.invitation_for("A-1")
    assert (waiting.status, waiting.reason) == (InvitationStatus.SUPPRESSED, "journey paused")
    refused = await alice.post(
        "/api/v1/events", json={"events": [delivered("A-2")]}, headers=shop.headers
    )
    assert refused.json()["results"][0]["status"] == "rejected"
    assert "no active journey" in refused.json()["results"][0]["errors"][0]["message"]
    assert not await Invitation.filter(interaction__event_id="A-2").exists()

    await post_form(alice, "/journeys/shop/resume", {}, page="/journeys/shop")

    accepted = await shop.delivered("A-3", to=ANNA, days_ago=2)
    assert accepted["status"] == "accepted"
    assert (await shop.invitation_for("A-3")).status == InvitationStatus.SCHEDULED
    assert (await shop.invitation_for("A-1")).status == InvitationStatus.SUPPRESSED
    events = await AuditEvent.filter(target="shop").order_by("id")
    assert [(e.action, e.actor_label, e.detail) for e in events] == [
        ("journey.paused", ALICE, {"suppressed_invitations": 1}),
        ("journey.resumed", ALICE, {}),
    ]


async def test_pause_leaves_sent_invitations_alone(alice, api_key):
    sent = await sent_invitation(alice, api_key)

    await post_form(alice, "/journeys/shop/pause", {}, page="/journeys/shop")

    assert (await Invitation.get(id=sent.id)).status == sent.status


async def test_a_new_journey_can_be_pasted(alice):
    text = SHOP_TEXT.replace("journey: shop", "journey: support").replace(
        "name: Shop", "name: Support"
    )

    answer = await post_form(alice, "/journeys/new", {"source": text, "note": "new"})

    assert answer.status_code == 303
    assert answer.headers["location"] == "/journeys/support?saved=1"
    assert (await JourneyVersion.get(journey__key="support", version=1)).author == ALICE


async def test_a_new_journey_with_a_taken_key_is_refused(alice):
    answer = await post_form(alice, "/journeys/new", {"source": SHOP_TEXT})

    assert answer.status_code == 409
    assert "exists already" in answer.text
    assert await JourneyVersion.filter(journey__key="shop").count() == 1


async def test_an_oversized_form_is_refused(alice):
    answer = await edit(alice, SHOP_TEXT + "#" * 600_000)

    assert answer.status_code == 413
    assert (await Journey.get(key="shop")).version == 1


async def test_an_unknown_journey_is_a_404(alice):
    assert (await alice.get("/journeys/nope")).status_code == 404
    assert (await alice.get("/journeys/nope/versions")).status_code == 404


async def test_a_viewer_reads_the_map_but_may_not_edit(client, shop_journey):
    await signed_in(client, "viewer", "victor@shop.example")

    page = await client.get("/journeys/shop")
    assert page.status_code == 200
    assert "Edit YAML" not in page.text and "Pause" not in page.text
    assert (await client.get("/journeys/shop/edit")).status_code == 403

    token = await form_token(client, "/journeys/shop")
    changed = SHOP_TEXT.replace("nps: 40", "nps: 45")
    for path, data in [
        ("/journeys/shop/edit", {"source": changed}),
        ("/journeys/shop/pause", {}),
        ("/journeys/shop/versions/1/roll-back", {"based_on": "1"}),
    ]:
        answer = await client.post(path, data={"csrf_token": token, **data})
        assert answer.status_code == 403, path
    journey = await Journey.get(key="shop")
    assert (journey.version, journey.active) == (1, True)
    assert not await AuditEvent.filter(action__startswith="journey.").exists()


async def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(alice):
    changed = SHOP_TEXT.replace("nps: 40", "nps: 45")

    answers = [
        await alice.post("/journeys/shop/edit", data={"source": changed}),
        await alice.post("/journeys/shop/pause"),
    ]

    assert [a.status_code for a in answers] == [403, 403]
    journey = await Journey.get(key="shop")
    assert (journey.version, journey.active) == (1, True)


async def test_signed_out_the_journeys_ask_to_sign_in(client, shop_journey):
    answer = await client.get("/journeys/shop")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in?next=")
