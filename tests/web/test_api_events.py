"""Integrators post interaction events; each is answered accepted, duplicate or rejected."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from journeys.models import Customer, Interaction
from surveys.models import Invitation


def days_ago(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def delivered(event_id: str = "evt-1", customer: dict | None = None, **extra: object) -> dict:
    return {
        "id": event_id,
        "type": "order.delivered",
        "occurred_at": days_ago(8),
        "customer": customer or {"id": "anna", "phone": "+14155550123"},
        **extra,
    }


async def post(client, api_key, events, **kwargs):
    return await client.post(
        "/api/v1/events",
        json={"events": events},
        headers={"Authorization": f"Bearer {api_key}"},
        **kwargs,
    )


async def nothing_was_written() -> bool:
    return not (await Interaction.exists() or await Customer.exists() or await Invitation.exists())


async def test_an_overdue_event_schedules_its_invitation_for_now(client, api_key, shop_journey):
    answer = await post(client, api_key, [delivered()])

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (1, 0, 0)
    [invitation] = body["results"][0]["invitations"]
    assert invitation["touchpoint"] == "use"
    assert invitation["status"] == "scheduled"
    assert invitation["link"].startswith("http://testserver/s/")
    send_at = datetime.fromisoformat(invitation["send_at"])
    assert abs((send_at - datetime.now(UTC)).total_seconds()) < 60
    assert (await Customer.get(external_id="anna")).phone == "+14155550123"
    assert await Interaction.filter(event_id="evt-1").count() == 1


async def test_a_recent_event_waits_for_the_touchpoints_delay(client, api_key, shop_journey):
    event = delivered(occurred_at=days_ago(1))

    body = (await post(client, api_key, [event])).json()

    send_at = datetime.fromisoformat(body["results"][0]["invitations"][0]["send_at"])
    expected = datetime.now(UTC) + timedelta(days=6)
    assert abs((send_at - expected).total_seconds()) < 60


async def test_the_same_event_twice_is_a_duplicate_and_schedules_nothing_more(
    client, api_key, shop_journey
):
    await post(client, api_key, [delivered()])

    answer = await post(client, api_key, [delivered(), delivered()])

    assert answer.status_code == 200
    assert [r["status"] for r in answer.json()["results"]] == ["duplicate", "duplicate"]
    assert await Invitation.all().count() == 1


async def test_a_repeated_id_within_one_batch_is_a_duplicate(client, api_key, shop_journey):
    answer = await post(client, api_key, [delivered(), delivered()])

    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "duplicate"]
    assert await Invitation.all().count() == 1


async def test_an_event_older_than_its_touchpoints_max_age_is_kept_but_never_sent(
    client, api_key, shop_journey
):
    answer = await post(client, api_key, [delivered(occurred_at=days_ago(40))])

    [invitation] = answer.json()["results"][0]["invitations"]
    assert invitation["status"] == "suppressed"
    assert invitation["reason"].startswith("stale")
    assert await Interaction.filter(event_id="evt-1").exists()


async def test_a_phone_number_is_stored_in_e164(client, api_key, shop_journey):
    customer = {"id": "chen", "phone": "+86 138 0013 8000", "locale": "zh_CN"}

    await post(client, api_key, [delivered(customer=customer)])

    stored = await Customer.get(external_id="chen")
    assert (stored.phone, stored.locale) == ("+8613800138000", "zh-CN")


async def test_one_bad_event_is_rejected_with_its_field_and_the_rest_are_taken(
    client, api_key, shop_journey
):
    bad = delivered("evt-2", customer={"id": "ben", "phone": "12345"})

    answer = await post(client, api_key, [delivered(), bad])

    assert answer.status_code == 207
    rejected = answer.json()["results"][1]
    assert rejected["status"] == "rejected"
    assert rejected["errors"][0]["field"] == "events[1].customer.phone"
    assert "phone number" in rejected["errors"][0]["message"]
    assert not await Customer.exists(external_id="ben")
    assert await Interaction.all().count() == 1


async def test_every_problem_of_a_bad_batch_is_named_and_nothing_is_written(
    client, api_key, shop_journey
):
    events = [
        delivered("a", occurred_at="2026-07-01T09:30:00"),
        delivered("b", type="order.lost"),
        delivered("c", journey="no-such-journey"),
        delivered("d", customer={"id": "x", "email": "not-an-address"}),
        {"id": "e", "type": "order.delivered", "occurred_at": 42, "customer": "anna"},
        delivered("f", occurred_at=(datetime.now(UTC) + timedelta(days=2)).isoformat()),
        delivered("g", customer={"id": "y", "timezone": "Mars/Olympus"}),
    ]

    answer = await post(client, api_key, events)

    assert answer.status_code == 422
    fields = [[e["field"] for e in r["errors"]] for r in answer.json()["results"]]
    assert fields == [
        ["events[0].occurred_at"],
        ["events[1].type"],
        ["events[2].journey"],
        ["events[3].customer.email"],
        ["events[4].occurred_at", "events[4].customer"],
        ["events[5].occurred_at"],
        ["events[6].customer.timezone"],
    ]
    messages = [r["errors"][0]["message"] for r in answer.json()["results"]]
    assert "time zone" in messages[0]
    assert "order.lost" in messages[1]
    assert "no-such-journey" in messages[2]
    assert await nothing_was_written()


@pytest.mark.parametrize("body", [b'{"events": [', b"[" * 100_000 + b"]" * 100_000])
async def test_malformed_json_is_a_400_that_says_so(client, api_key, shop_journey, body):
    answer = await client.post(
        "/api/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "body"
    assert "not valid JSON" in answer.json()["error"]["message"]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity"])
async def test_a_number_json_does_not_have_is_a_400_naming_it(
    client, api_key, shop_journey, number
):
    """Python's reader takes NaN; PostgreSQL would refuse it in the attributes column."""
    body = (
        '{"events": [{"id": "N-1", "type": "order.delivered",'
        f' "occurred_at": "{days_ago(8)}", "customer": {{"id": "anna"}},'
        f' "attributes": {{"weight": {number}}}}}]}}'
    )
    answer = await client.post(
        "/api/v1/events",
        content=body,
        headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.json()["error"] == {
        "message": f"the body is not valid JSON: {number} is not a JSON number",
        "field": "body",
    }
    assert await nothing_was_written()


async def test_a_body_without_events_is_a_422(client, api_key, shop_journey):
    answer = await client.post(
        "/api/v1/events", json={"event": {}}, headers={"Authorization": f"Bearer {api_key}"}
    )

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "events"


async def test_a_batch_over_the_limit_is_refused_whole(client, api_key, shop_journey):
    events = [delivered(f"evt-{n}") for n in range(1001)]

    answer = await post(client, api_key, events)

    assert answer.status_code == 413
    assert "at most 1000" in answer.json()["error"]["message"]
    assert await nothing_was_written()


async def test_a_wrong_api_key_is_a_401_and_writes_nothing(client, api_key, shop_journey):
    answer = await post(client, "tp_not-a-key", [delivered()])
    missing = await client.post("/api/v1/events", json={"events": [delivered()]})

    assert answer.status_code == 401
    assert missing.status_code == 401
    assert "Bearer" in missing.json()["error"]["message"]
    assert await nothing_was_written()


async def test_an_event_type_in_two_journeys_invites_for_both(client, api_key, shop_journey):
    from journeys.schema import JourneyDefinition
    from journeys.store import apply_journey

    second = shop_journey.model_dump(by_alias=True)
    second["journey"], second["name"] = "marketplace", "Marketplace"
    await apply_journey(JourneyDefinition.model_validate(second))

    answer = await post(client, api_key, [delivered()])

    invitations = answer.json()["results"][0]["invitations"]
    assert len(invitations) == 2
    targeted = await post(client, api_key, [delivered("evt-2", journey="marketplace")])
    assert len(targeted.json()["results"][0]["invitations"]) == 1


async def test_invitations_are_listed_by_customer_and_status(client, api_key, shop_journey):
    await post(client, api_key, [delivered(), delivered("evt-2", customer={"id": "ben"})])
    auth = {"Authorization": f"Bearer {api_key}"}

    anna = await client.get("/api/v1/invitations?customer=anna", headers=auth)
    scheduled = await client.get("/api/v1/invitations?status=scheduled", headers=auth)
    bad = await client.get("/api/v1/invitations?status=lost", headers=auth)

    assert [i["customer"] for i in anna.json()["invitations"]] == ["anna"]
    assert anna.json()["invitations"][0]["link"].startswith("http://testserver/s/")
    assert len(scheduled.json()["invitations"]) == 2
    assert bad.status_code == 422
    assert bad.json()["error"]["field"] == "status"
    for after in ("²", "-1", "x", "9" * 40):
        odd = await client.get(f"/api/v1/invitations?after={after}", headers=auth)
        assert (odd.status_code, odd.json()["error"]["field"]) == (422, "after"), after


async def test_the_report_defaults_to_this_quarter_and_names_bad_parameters(
    client, api_key, shop_journey
):
    auth = {"Authorization": f"Bearer {api_key}"}

    current = await client.get("/api/v1/reports/touchpoints?journey=shop", headers=auth)
    bad = await client.get("/api/v1/reports/touchpoints?journey=shop&period=2026-Q5", headers=auth)
    unknown = await client.get("/api/v1/reports/touchpoints?journey=nowhere", headers=auth)
    unnamed = await client.get("/api/v1/reports/touchpoints", headers=auth)

    quarter = (datetime.now(UTC).month - 1) // 3 + 1
    assert current.json()["period"] == f"{datetime.now(UTC).year}-Q{quarter}"
    assert [r["touchpoint"] for r in current.json()["touchpoints"]][:2] == ["browse", "order"]
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "period")
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (404, "journey")
    assert (unnamed.status_code, unnamed.json()["error"]["field"]) == (422, "journey")


async def test_the_openapi_document_describes_the_event_the_api_validates(client):
    answer = await client.get("/api/v1/openapi.json")

    document = answer.json()
    assert answer.status_code == 200
    event = document["components"]["schemas"]["Event"]
    assert set(event["required"]) == {"id", "type", "occurred_at", "customer"}
    assert "CustomerIn" in document["components"]["schemas"]
    batch = document["paths"]["/api/v1/events"]["post"]["requestBody"]["content"]
    assert batch["application/json"]["schema"]["properties"]["events"]["maxItems"] == 1000


async def test_the_openapi_document_describes_the_customers_consent(client):
    document = (await client.get("/api/v1/openapi.json")).json()

    consent = document["components"]["schemas"]["CustomerIn"]["properties"]["consent"]
    assert consent["type"] == "object"
    assert consent["examples"] == [{"sms": False, "email": True}]
    assert "never used" in consent["description"]
    assert "customer.consent" in document["paths"]["/api/v1/events"]["post"]["description"]
