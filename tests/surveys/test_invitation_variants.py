"""The wording an invitation carries: the shop tries a second SMS wording on its `use`
touchpoint, and every delivered order's invitation says which wording its customer reads,
the same one `assign_variant` gives them; touchpoints outside the experiment stay on A."""

from __future__ import annotations

import pytest

from journeys.loader import load_journey
from journeys.schema import JourneyDefinition
from journeys.store import apply_journey
from surveys.assignment import assign_variant
from tests.conftest import SHOP_JOURNEY
from tests.stories import ANNA, BEN, Person, Shop

WEIGHTS = {"A": 1.0, "B": 1.0}
EXPERIMENT = """\
    B: "Two taps help us a lot: {link} Reply STOP to opt out"
experiments:
  sms-wording:
    variants: {A: 1, B: 1}
    touchpoints: [use]
"""
CUSTOMERS = [Person(f"customer-{i}", phone=f"+1415555{i:04d}") for i in range(12)]


@pytest.fixture
async def experiment_journey(db: str) -> JourneyDefinition:
    """The tests' shop with the SMS wording experiment on its `use` touchpoint."""
    text = SHOP_JOURNEY.read_text("utf-8").rstrip("\n") + "\n" + EXPERIMENT
    definition = load_journey(text, source="shop-experiment.yaml")
    await apply_journey(definition, text)
    return definition


async def test_each_customer_gets_the_variant_assignment_gives_them(
    experiment_journey, client, api_key
):
    shop = Shop(client, api_key)
    for number, person in enumerate(CUSTOMERS):
        await shop.delivered(f"order-{number}", to=person)

    found = [await shop.invitation_for(f"order-{number}") for number in range(len(CUSTOMERS))]

    expected = [assign_variant(p.id, "sms-wording", WEIGHTS) for p in CUSTOMERS]
    assert [(i.experiment, i.variant) for i in found] == [("sms-wording", v) for v in expected]
    assert set(expected) == {"A", "B"}, "twelve customers read both wordings"


async def test_a_customer_asked_twice_reads_the_same_wording(experiment_journey, client, api_key):
    shop = Shop(client, api_key)
    await shop.delivered("order-1", to=ANNA, days_ago=20)
    await shop.delivered("order-2", to=ANNA)

    first, second = [await shop.invitation_for(order) for order in ("order-1", "order-2")]

    assert first.variant == second.variant == assign_variant("anna", "sms-wording", WEIGHTS)


async def test_a_touchpoint_outside_the_experiment_keeps_the_first_wording(
    experiment_journey, client, api_key
):
    shop = Shop(client, api_key)
    await shop.ticket_closed("T-1", to=BEN)

    invitation = await shop.invitation_for("T-1")

    assert (invitation.experiment, invitation.variant) == (None, "A")


async def test_without_an_experiment_every_invitation_reads_a(shop_journey, client, api_key):
    shop = Shop(client, api_key)
    for number, person in enumerate(CUSTOMERS[:4]):
        await shop.delivered(f"order-{number}", to=person)

    found = [await shop.invitation_for(f"order-{number}") for number in range(4)]

    assert {(i.experiment, i.variant) for i in found} == {(None, "A")}
