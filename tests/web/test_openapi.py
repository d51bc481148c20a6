"""What the OpenAPI document says matches what the API does, in the places a fuzzer found
them apart: methods of one path, an opt-out's one address, ids past any row, long keys."""

from __future__ import annotations

import pytest


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("PUT", "/api/v1/opt-outs", {"GET", "HEAD", "POST"}),
        ("DELETE", "/api/v1/cases/1", {"GET", "HEAD", "PATCH"}),
    ],
)
async def test_a_wrong_method_is_a_405_listing_every_method_of_the_path(
    client, api_key, method, path, allowed
):
    answer = await client.request(method, path, headers=bearer(api_key))

    assert answer.status_code == 405
    assert set(answer.headers["Allow"].replace(" ", "").split(",")) == allowed
    assert answer.json()["error"]["message"].startswith(f"{method} is not allowed here")


async def test_the_opt_out_request_says_it_takes_one_phone_or_one_email(client, api_key):
    document = (await client.get("/api/v1/openapi.json", headers=bearer(api_key))).json()
    request = document["components"]["schemas"]["OptOutRequest"]

    branches = request["oneOf"]
    assert [b["required"] for b in branches] == [["phone"], ["email"]]
    assert branches[0]["properties"]["email"] == {"type": "null"}


@pytest.mark.parametrize("case_id", [2**31, 2**63, 2**70])
async def test_a_case_id_past_any_row_is_not_found(client, api_key, case_id):
    answer = await client.get(f"/api/v1/cases/{case_id}", headers=bearer(api_key))

    assert answer.status_code == 404
    assert answer.json()["error"] == {"message": f"no case {case_id}", "field": "id"}


async def test_invitations_after_an_id_past_any_row_are_none(client, api_key):
    answer = await client.get(f"/api/v1/invitations?after={10**17}", headers=bearer(api_key))

    assert answer.status_code == 200
    assert answer.json() == {"invitations": [], "next_after": None}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/cases?team=a%00b",
        "/api/v1/customers/a%00b/export",
        "/api/v1/invitations?customer=%00",
    ],
)
async def test_a_nul_character_in_a_parameter_is_a_422_naming_it(client, api_key, path):
    answer = await client.get(path, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == "a parameter may not hold a NUL character"


async def test_a_nul_character_in_a_body_is_a_422_naming_where_and_nothing_is_written(
    client, api_key, shop_journey
):
    event = {
        "id": "e-1",
        "type": "order.delivered",
        "occurred_at": "2026-07-01T10:00:00Z",
        "customer": {"id": "anna", "phone": "+14155550123", "first_name": "An\u0000na"},
    }

    answer = await client.post("/api/v1/events", json={"events": [event]}, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "events[0].customer.first_name"
    assert (await client.get("/api/v1/invitations", headers=bearer(api_key))).json()[
        "invitations"
    ] == []


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/reports/touchpoints?journey=",
        "/api/v1/reports/trend?journey=",
        "/api/v1/responses?journey=",
        "/api/v1/cases/figures?journey=",
    ],
)
async def test_a_journey_key_longer_than_any_is_not_found(client, api_key, path):
    answer = await client.get(path + "x" * 64, headers=bearer(api_key))

    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "journey"


@pytest.mark.parametrize("method", ["GET", "DELETE"])
async def test_a_customer_id_longer_than_any_is_not_found(client, api_key, method):
    path = "/api/v1/customers/" + "x" * 201 + ("/export" if method == "GET" else "")

    answer = await client.request(method, path, headers=bearer(api_key))

    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "id"


@pytest.mark.parametrize(
    "method, path, field",
    [
        ("GET", "/api/v1/cases?journey=" + "j" * 64, "journey"),
        ("GET", "/api/v1/cases?owner=" + "o" * 255, "owner"),
        ("GET", "/api/v1/cases?external_ticket_id=" + "t" * 201, "external_ticket_id"),
        ("GET", "/api/v1/invitations?customer=" + "c" * 201, "customer"),
    ],
)
async def test_a_filter_longer_than_its_column_is_a_422_naming_it(
    client, api_key, method, path, field
):
    answer = await client.request(method, path, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


async def test_lifting_an_address_longer_than_any_is_not_found(client, api_key):
    answer = await client.delete(
        "/api/v1/opt-outs/" + "a" * 250 + "@x.org", headers=bearer(api_key)
    )

    assert answer.status_code == 404
