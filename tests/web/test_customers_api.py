"""A CRM sends the customer's privacy requests through the API: an export, an erasure."""

from __future__ import annotations

from journeys.models import Customer
from tests.stories import ANNA, Shop, sent_invitation
from web.models import AuditEvent


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


async def test_annas_export_is_her_data_and_is_audited(client, api_key, shop_journey):
    invitation = await sent_invitation(client, api_key)

    answer = await client.get("/api/v1/customers/anna/export", headers=bearer(api_key))

    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["customer"]["phone"] == ANNA.phone
    assert [i["id"] for i in data["invitations"]] == [invitation.id]
    [event] = await AuditEvent.filter(action="customer.exported")
    assert (event.actor_kind, event.actor_label, event.target) == ("api_key", "tests", "anna")


async def test_erasing_anna_answers_what_was_erased_and_is_audited(client, api_key, shop_journey):
    await sent_invitation(client, api_key)

    answer = await client.delete("/api/v1/customers/anna", headers=bearer(api_key))

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["customer"], body["already_erased"], body["interactions"]) == ("anna", False, 1)
    customer = await Customer.get(external_id="anna")
    assert customer.phone is None and customer.erased_at is not None
    [event] = await AuditEvent.filter(action="customer.erased")
    assert (event.actor_kind, event.target, event.detail["interactions"]) == ("api_key", "anna", 1)


async def test_erasing_her_again_says_so_and_changes_nothing(client, api_key, shop_journey):
    await sent_invitation(client, api_key)
    first = (await client.delete("/api/v1/customers/anna", headers=bearer(api_key))).json()

    again = await client.delete("/api/v1/customers/anna", headers=bearer(api_key))

    assert again.status_code == 200
    assert again.json()["already_erased"] is True
    assert again.json()["erased_at"] == first["erased_at"]


async def test_an_unknown_customer_is_a_404_and_changes_nothing(client, api_key, shop_journey):
    await Shop(client, api_key).delivered("A-1", to=ANNA)

    exported = await client.get("/api/v1/customers/nobody/export", headers=bearer(api_key))
    erased = await client.delete("/api/v1/customers/nobody", headers=bearer(api_key))

    for answer in (exported, erased):
        assert answer.status_code == 404
        assert answer.json()["error"] == {"message": "no customer with id 'nobody'", "field": "id"}
    assert await AuditEvent.filter(action__startswith="customer.").count() == 0
    assert (await Customer.get(external_id="anna")).phone == ANNA.phone


async def test_the_requests_need_an_api_key(client, db):
    assert (await client.get("/api/v1/customers/anna/export")).status_code == 401
    assert (await client.delete("/api/v1/customers/anna")).status_code == 401


async def test_the_openapi_document_describes_the_privacy_requests(client, db):
    document = (await client.get("/api/v1/openapi.json")).json()

    assert "get" in document["paths"]["/api/v1/customers/{id}/export"]
    assert "404" in document["paths"]["/api/v1/customers/{id}"]["delete"]["responses"]
