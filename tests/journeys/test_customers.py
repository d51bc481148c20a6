"""What events say about a customer: their consent per channel, checked and kept."""

from __future__ import annotations

import pytest

from journeys.customers import upsert_customers
from journeys.events import CustomerIn, EventRejected, parse_event
from journeys.models import Customer

EVENT = {"id": "O-1", "type": "order.delivered", "occurred_at": "2026-11-20T10:00:00+08:00"}


def customer(**fields: object) -> CustomerIn:
    return CustomerIn.model_validate({"id": "anna", **fields})


def rejection(consent: object) -> list[tuple[str, str]]:
    with pytest.raises(EventRejected) as rejected:
        parse_event(
            {**EVENT, "customer": {"id": "anna", "consent": consent}}, 2, default_phone_region=None
        )
    return [(error.field, error.message) for error in rejected.value.errors]


def test_an_event_may_say_which_channels_the_customer_consented_to():
    event = parse_event(
        {**EVENT, "customer": {"id": "anna", "consent": {"sms": False, "email": True}}},
        0,
        default_phone_region=None,
    )
    assert event.customer.consent == {"sms": False, "email": True}


@pytest.mark.parametrize(
    ("consent", "problems"),
    [
        ({"sms": "no"}, [("events[2].customer.consent.sms", "must be true or false")]),
        ({"sms": None}, [("events[2].customer.consent.sms", "must be true or false")]),
        ({"sms": 0}, [("events[2].customer.consent.sms", "must be true or false")]),
        (
            {"SMS": False},
            [
                (
                    "events[2].customer.consent.SMS",
                    "invalid name: a channel is a lower-case name of letters, digits and _"
                    " (e.g. sms), not 'SMS'",
                )
            ],
        ),
        (
            ["sms"],
            [
                (
                    "events[2].customer.consent",
                    'expected channel names with true or false (e.g. {"sms": false})',
                )
            ],
        ),
    ],
)
def test_a_bad_consent_rejects_the_event_naming_where(consent, problems):
    assert rejection(consent) == problems


async def test_a_new_customer_keeps_the_consent_the_event_gave(db):
    await upsert_customers([customer(consent={"sms": False})])

    assert (await Customer.get(external_id="anna")).consent == {"sms": False}


async def test_a_later_event_changes_only_the_channels_it_names(db):
    await upsert_customers([customer(consent={"sms": False, "email": True})])
    await upsert_customers([customer(consent={"sms": True})])
    await upsert_customers([customer(phone="+14155550123")])

    anna = await Customer.get(external_id="anna")
    assert anna.consent == {"sms": True, "email": True}
    assert anna.phone == "+14155550123"


async def test_within_one_batch_the_last_event_about_a_customer_wins(db):
    await upsert_customers(
        [
            customer(consent={"sms": True, "email": False}),
            customer(consent={"sms": False}),
            customer(attributes={"tier": "gold"}),
        ]
    )

    anna = await Customer.get(external_id="anna")
    assert anna.consent == {"sms": False, "email": False}
    assert anna.attributes == {"tier": "gold"}


async def test_an_event_saying_nothing_of_consent_leaves_it_alone(db):
    await upsert_customers([customer(consent={"sms": False})])
    before = (await Customer.get(external_id="anna")).updated_at

    await upsert_customers([customer()])

    anna = await Customer.get(external_id="anna")
    assert anna.consent == {"sms": False}
    assert anna.updated_at == before, "nothing changed, nothing written"
