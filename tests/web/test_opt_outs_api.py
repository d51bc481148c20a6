"""A help desk records opt-outs through the API, lifts them, and lists them for its CRM."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dispatch.models import OptOut
from dispatch.optouts import is_opted_out, opt_out
from dispatch.tasks import send_invitation
from journeys.settings import JourneysSettings
from surveys.models import Invitation, InvitationStatus
from tests.stories import ANNA, BEN, Shop
from web.settings import Settings


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


async def record(client, api_key, body: object):
    return await client.post("/api/v1/opt-outs", json=body, headers=bearer(api_key))


async def listing(client, api_key, **params):
    answer = await client.get("/api/v1/opt-outs", params=params, headers=bearer(api_key))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def sent_to(shop: Shop, runtime, order: str, person=ANNA) -> Invitation:
    await shop.delivered(order, to=person)
    invitation = await shop.invitation_for(order)
    await send_invitation(runtime.worker_context(), invitation.id)
    return await Invitation.get(id=invitation.id)


# --- the story -----------------------------------------------------------------------------


async def test_an_opt_out_through_the_api_stops_annas_next_survey(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)

    answer = await record(client, api_key, {"phone": "+1 415 555 0123", "note": "called us"})

    assert answer.status_code == 201, answer.text
    stopped = await sent_to(shop, runtime, "A-1")
    assert stopped.status == InvitationStatus.SUPPRESSED
    assert stopped.reason.startswith("opted out (api ")


async def test_lifting_it_through_the_api_lets_the_next_survey_go(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await record(client, api_key, {"phone": ANNA.phone})

    lifted = await client.delete("/api/v1/opt-outs/%2B14155550123", headers=bearer(api_key))

    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["active"], lifted.json()["revoked_by"]) == (False, "api")
    assert (await sent_to(shop, runtime, "A-1")).status == InvitationStatus.SENT


# --- recording -----------------------------------------------------------------------------


async def test_the_answer_is_the_opt_out_as_stored(client, api_key, db):
    answer = await record(client, api_key, {"email": "Ben@Example.com", "note": "GDPR request"})

    assert answer.status_code == 201
    body = answer.json()
    assert {k: body[k] for k in ("address", "kind", "source", "note", "active")} == {
        "address": BEN.email,
        "kind": "email",
        "source": "api",
        "note": "GDPR request",
        "active": True,
    }
    created = datetime.fromisoformat(body["created_at"])
    assert abs((created - datetime.now(UTC)).total_seconds()) < 60
    assert await is_opted_out(BEN.email, "email")


async def test_an_address_opted_out_already_answers_the_opt_out_that_holds(client, api_key, db):
    await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")

    answer = await record(client, api_key, {"phone": ANNA.phone, "note": "CRM sync"})

    assert answer.status_code == 200
    assert (answer.json()["source"], answer.json()["note"]) == ("sms-stop", "STOP")
    assert await OptOut.all().count() == 1


async def test_an_address_opted_back_in_can_be_opted_out_again(client, api_key, db):
    await record(client, api_key, {"email": BEN.email})
    await client.delete(f"/api/v1/opt-outs/{BEN.email}", headers=bearer(api_key))

    answer = await record(client, api_key, {"email": BEN.email})

    assert answer.status_code == 201
    assert answer.json()["active"] is True
    assert await OptOut.all().count() == 1


class TestWithADefaultRegion:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        return settings.model_copy(update={"journeys": JourneysSettings(default_phone_region="US")})

    async def test_a_national_number_is_read_in_the_default_region(self, client, api_key, db):
        answer = await record(client, api_key, {"phone": "(415) 555-0123"})

        assert answer.json()["address"] == ANNA.phone

    async def test_lifting_takes_the_number_as_people_write_it(self, client, api_key, db):
        await opt_out(ANNA.phone, "phone", "sms-stop")

        answer = await client.delete("/api/v1/opt-outs/415 555 0123", headers=bearer(api_key))

        assert answer.status_code == 200
        assert not await is_opted_out(ANNA.phone, "phone")


@pytest.mark.parametrize(
    ("body", "status", "field", "words"),
    [
        (b'{"phone": "+1415', 400, "body", "not valid JSON"),
        (b'["+14155550123"]', 422, "body", '"phone"'),
        (b'{"phone": "+14155550123", "email": "ben@example.com"}', 422, "email", "not both"),
        (b"{}", 422, "phone", "phone or the email"),
        (b'{"note": "no address"}', 422, "phone", "phone or the email"),
        (b'{"phone": "12345"}', 422, "phone", "phone number"),
        (b'{"phone": "+1 415 555"}', 422, "phone", "phone number"),
        (b'{"phone": 14155550123}', 422, "phone", "string"),
        (b'{"email": "not-an-address"}', 422, "email", "email"),
        (b'{"phone": "+14155550123", "note": "' + b"x" * 301 + b'"}', 422, "note", "300"),
        (b'{"phone": "+14155550123", "source": "sms-stop"}', 422, "source", "unknown field"),
    ],
)
async def test_bad_input_is_answered_with_its_field_and_nothing_is_written(
    client, api_key, db, body, status, field, words
):
    answer = await client.post(
        "/api/v1/opt-outs",
        content=body,
        headers=bearer(api_key) | {"Content-Type": "application/json"},
    )

    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert error["field"] == field
    assert words in error["message"]
    assert not await OptOut.exists()


async def test_a_note_of_300_characters_is_taken(client, api_key, db):
    answer = await record(client, api_key, {"phone": ANNA.phone, "note": "x" * 300})

    assert answer.status_code == 201


# --- lifting -------------------------------------------------------------------------------


async def test_lifting_an_address_that_never_opted_out_is_a_404(client, api_key, db):
    answer = await client.delete("/api/v1/opt-outs/ben@example.com", headers=bearer(api_key))

    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "address"
    assert not await OptOut.exists()


async def test_lifting_twice_answers_the_lifted_opt_out(client, api_key, db):
    await opt_out(BEN.email, "email", "email-unsubscribe")
    await client.delete("/api/v1/opt-outs/Ben@Example.com", headers=bearer(api_key))

    again = await client.delete("/api/v1/opt-outs/ben@example.com", headers=bearer(api_key))

    assert again.status_code == 200
    body = again.json()
    assert [body[k] for k in ("active", "source", "revoked_by")] == [
        False,
        "email-unsubscribe",
        "api",
    ]
    assert body["revoked_at"] is not None


# --- listing -------------------------------------------------------------------------------


async def add_opt_outs(count: int, *, start: datetime, prefix: str = "customer") -> None:
    """`count` opt-outs one minute apart from `start`, the last the newest."""
    await OptOut.bulk_create(
        [
            OptOut(
                address=f"{prefix}-{n}@example.com",
                kind="email",
                source="email-unsubscribe",
                created_at=start + timedelta(minutes=n),
            )
            for n in range(count)
        ]
    )


async def test_the_list_is_newest_first_and_pages_by_100(client, api_key, db):
    await add_opt_outs(205, start=datetime.now(UTC) - timedelta(days=1))

    first = await listing(client, api_key)
    second = await listing(client, api_key, page=first["next_page"])
    third = await listing(client, api_key, page=second["next_page"])

    assert (first["next_page"], second["next_page"], third["next_page"]) == (2, 3, None)
    addresses = [o["address"] for page in (first, second, third) for o in page["opt_outs"]]
    assert addresses == [f"customer-{n}@example.com" for n in reversed(range(205))]
    fields = "address kind source note created_at active revoked_at revoked_by"
    assert set(first["opt_outs"][0]) == set(fields.split())


async def test_the_list_filters_on_active_and_since(client, api_key, db):
    last_week = datetime.now(UTC) - timedelta(days=7)
    await add_opt_outs(3, start=last_week, prefix="old")
    await opt_out(ANNA.phone, "phone", "sms-stop")
    await opt_out(BEN.email, "email", "api")
    await client.delete(f"/api/v1/opt-outs/{BEN.email}", headers=bearer(api_key))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()

    active = await listing(client, api_key, active="true")
    lifted = await listing(client, api_key, active="false")
    recent = await listing(client, api_key, since=yesterday)
    both = await listing(client, api_key, since=yesterday, active="true")

    assert [o["address"] for o in active["opt_outs"]] == [
        ANNA.phone,
        *(f"old-{n}@example.com" for n in (2, 1, 0)),
    ]
    assert [(o["address"], o["revoked_by"]) for o in lifted["opt_outs"]] == [(BEN.email, "api")]
    assert [o["address"] for o in recent["opt_outs"]] == [BEN.email, ANNA.phone]
    assert [o["address"] for o in both["opt_outs"]] == [ANNA.phone]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"active": "yes"}, "active"),
        ({"since": "last tuesday"}, "since"),
        ({"since": "2026-07-01T00:00:00"}, "since"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"page": "²"}, "page"),
        ({"page": "99999999999999999999"}, "page"),
    ],
)
async def test_a_bad_listing_parameter_is_named(client, api_key, db, params, field):
    answer = await client.get("/api/v1/opt-outs", params=params, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


# --- keys and the document -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/opt-outs"),
        ("GET", "/api/v1/opt-outs"),
        ("DELETE", "/api/v1/opt-outs/x@example.com"),
    ],
)
@pytest.mark.parametrize("key", [None, "tp_wrong"])
async def test_a_missing_or_wrong_api_key_is_a_401(client, api_key, db, method, path, key):
    await opt_out("x@example.com", "email", "console")
    headers = {"Authorization": f"Bearer {key}"} if key else {}

    answer = await client.request(method, path, json={"phone": ANNA.phone}, headers=headers)

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"] == "Bearer"
    assert await OptOut.filter(revoked_at__isnull=True).count() == 1


async def test_the_openapi_document_describes_the_opt_out_endpoints(client):
    document = (await client.get("/api/v1/openapi.json")).json()

    paths = document["paths"]
    assert set(paths["/api/v1/opt-outs"]) == {"post", "get"}
    assert set(paths["/api/v1/opt-outs/{address}"]) == {"delete"}
    request = document["components"]["schemas"]["OptOutRequest"]
    assert request["properties"]["note"]["anyOf"][0]["maxLength"] == 300
    assert "api" in document["components"]["schemas"]["OptOut"]["properties"]["source"]["enum"]
