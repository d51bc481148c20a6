"""A help desk mirrors Anna's follow-up case through the API, works it and closes it with its
own ticket id. Alice is an agent of the care team; Bob is an agent of no team."""

from __future__ import annotations

import pytest

from surveys.models import CaseNote, CaseStatus, FollowUpCase, Team, TeamMember
from surveys.responses import record_response
from tests.console import PASSWORD
from tests.stories import BEN, sent_invitation
from web.models import AuditEvent
from web.routes.cases_api import PATCHABLE
from web.users import create_user

ALICE = "alice@example.com"
BOB = "bob@example.com"


def bearer(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


@pytest.fixture
async def case(client, api_key, shop_journey) -> FollowUpCase:
    """Anna answered 2 out of 10: her case is open for the care team, nobody owns it yet."""
    invitation = await sent_invitation(client, api_key)
    await record_response(invitation, nps=2, csat=None, comment="late")
    await FollowUpCase.filter(invitation_id=invitation.id).update(team_key="care")
    team = await Team.create(key="care", name="Care", root_causes=["courier", "product"])
    alice = await create_user(ALICE, "agent", PASSWORD)
    await create_user(BOB, "agent", PASSWORD)
    await TeamMember.create(team=team, user_id=alice.id, email=ALICE)
    return await FollowUpCase.get(invitation_id=invitation.id)


async def patch(client, api_key, case_id: int, body: object):
    return await client.patch(f"/api/v1/cases/{case_id}", json=body, headers=bearer(api_key))


# --- reading --------------------------------------------------------------------------------


async def test_the_help_desk_lists_open_cases_and_reads_one_with_its_timeline(
    client, api_key, case
):
    listed = await client.get("/api/v1/cases", headers=bearer(api_key))

    assert listed.status_code == 200, listed.text
    [found] = listed.json()["cases"]
    assert (found["id"], found["customer"], found["touchpoint"]) == (case.id, "anna", "use")
    assert (found["status"], found["reason"], found["overdue"]) == ("open", "detractor", False)
    one = await client.get(f"/api/v1/cases/{case.id}", headers=bearer(api_key))
    assert one.json()["notes"][0]["body"] == "Opened: the customer is a detractor."


@pytest.mark.parametrize(
    ("query", "listed"),
    [
        ({"team": "care"}, True),
        ({"team": "billing"}, False),
        ({"journey": "shop", "touchpoint": "use"}, True),
        ({"touchpoint": "order"}, False),
        ({"owner": "none"}, True),
        ({"owner": ALICE}, False),
        ({"status": "open"}, True),
        ({"status": "resolved"}, False),
        ({"overdue": "true"}, False),
        ({"external_ticket_id": "HD-1"}, False),
    ],
)
async def test_the_list_filters(client, api_key, case, query, listed):
    answer = await client.get("/api/v1/cases", params=query, headers=bearer(api_key))

    assert answer.status_code == 200, answer.text
    assert [c["id"] for c in answer.json()["cases"]] == ([case.id] if listed else [])


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "closed"}, "status"), ({"overdue": "yes"}, "overdue"), ({"page": "0"}, "page")],
)
async def test_a_bad_filter_is_named(client, api_key, case, query, field):
    answer = await client.get("/api/v1/cases", params=query, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field


async def test_an_unknown_case_is_a_404(client, api_key, case):
    answer = await client.get("/api/v1/cases/999999", headers=bearer(api_key))

    assert answer.status_code == 404
    assert answer.json()["error"]["field"] == "id"


# --- changing -------------------------------------------------------------------------------


async def test_the_help_desk_assigns_alice_and_links_its_ticket(client, api_key, case):
    answer = await patch(
        client, api_key, case.id, {"owner_email": ALICE, "external_ticket_id": "HD-1"}
    )

    assert answer.status_code == 200, answer.text
    assert (answer.json()["owner_email"], answer.json()["external_ticket_id"]) == (ALICE, "HD-1")
    listed = await client.get(
        "/api/v1/cases", params={"external_ticket_id": "HD-1"}, headers=bearer(api_key)
    )
    assert [c["id"] for c in listed.json()["cases"]] == [case.id]
    [assigned] = await AuditEvent.filter(action="case.assigned")
    assert (assigned.actor_kind, assigned.target) == ("api_key", f"case {case.id}")
    note = await CaseNote.filter(case_id=case.id, body=f"Assigned to {ALICE}.").first()
    assert note is not None and (note.author_kind, note.author_label) == ("api_key", "tests")


async def test_it_waits_on_the_customer_and_resumes(client, api_key, case):
    waiting = await patch(client, api_key, case.id, {"status": "waiting"})
    assert waiting.json()["status"] == "waiting"

    resumed = await patch(client, api_key, case.id, {"status": "open"})

    assert resumed.status_code == 200, resumed.text
    assert resumed.json()["status"] == "open"


async def test_it_closes_the_case_with_its_ticket_id_and_root_cause(client, api_key, case):
    answer = await patch(
        client,
        api_key,
        case.id,
        {
            "status": "resolved",
            "root_cause": "courier",
            "resolution_note": "refunded the delivery",
            "external_ticket_id": "HD-7",
        },
    )

    assert answer.status_code == 200, answer.text
    closed = answer.json()
    assert (closed["status"], closed["root_cause"], closed["external_ticket_id"]) == (
        "resolved",
        "courier",
        "HD-7",
    )
    assert closed["resolution_survey_status"] == "scheduled"
    assert await AuditEvent.filter(action="case.resolved").count() == 1


async def test_closing_twice_is_a_409(client, api_key, case):
    await patch(client, api_key, case.id, {"status": "resolved"})

    again = await patch(client, api_key, case.id, {"status": "resolved", "root_cause": "product"})

    assert again.status_code == 409
    assert again.json()["error"]["field"] == "status"
    assert (await FollowUpCase.get(id=case.id)).root_cause is None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"status": "closed"}, "status"),
        ({"owner_email": "nobody@example.com"}, "owner_email"),
        ({"owner_email": BOB}, "owner_email"),
        ({"status": "resolved", "root_cause": "weather"}, "root_cause"),
        ({"root_cause": "courier"}, "root_cause"),
        ({"external_ticket_id": ""}, "external_ticket_id"),
        ({"external_ticket_id": "x" * 201}, "external_ticket_id"),
        ({"status": "resolved", "resolution_note": "   "}, "resolution_note"),
        ([], "body"),
    ],
)
async def test_a_bad_field_is_named_and_nothing_changes(client, api_key, case, body, field):
    if isinstance(body, dict):
        body = {"owner_email": ALICE, **body} if field != "owner_email" else body

    answer = await patch(client, api_key, case.id, body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field
    after = await FollowUpCase.get(id=case.id)
    assert (after.status, after.owner_email, after.external_ticket_id) == (
        CaseStatus.OPEN,
        None,
        None,
    )
    assert await CaseNote.filter(case_id=case.id).count() == 1


async def test_an_owner_must_be_a_team_member(client, api_key, case):
    answer = await patch(client, api_key, case.id, {"owner_email": BOB})

    assert answer.json()["error"]["message"] == f"{BOB} is not a member of team care"


# --- notes ----------------------------------------------------------------------------------


async def test_a_note_that_reached_the_customer_stops_the_first_response_clock(
    client, api_key, case
):
    answer = await client.post(
        f"/api/v1/cases/{case.id}/notes",
        json={"body": "Phoned Anna; <b>refund</b> agreed", "contacted": True},
        headers=bearer(api_key),
    )

    assert answer.status_code == 201, answer.text
    assert answer.json()["body"] == "Phoned Anna; <b>refund</b> agreed"
    after = await FollowUpCase.get(id=case.id)
    assert after.first_responded_at is not None
    assert await AuditEvent.filter(action="case.note_added").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": 3}, "body"),
        ({"body": "hi", "contacted": "yes"}, "contacted"),
        ({"body": "hi", "author": BEN.id}, "author"),
    ],
)
async def test_a_bad_note_is_named_and_not_written(client, api_key, case, body, field):
    answer = await client.post(f"/api/v1/cases/{case.id}/notes", json=body, headers=bearer(api_key))

    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == field
    assert await CaseNote.filter(case_id=case.id).count() == 1


async def test_the_openapi_document_describes_the_cases_api(client, db):
    document = (await client.get("/api/v1/openapi.json")).json()

    assert set(document["paths"]["/api/v1/cases/{id}"]) == {"get", "patch"}
    assert "post" in document["paths"]["/api/v1/cases/{id}/notes"]
    change = document["components"]["schemas"]["CaseChange"]
    assert set(change["properties"]) == set(PATCHABLE)
