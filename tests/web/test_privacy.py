"""Chen asks what is held about him, then to be forgotten.

Chen got a survey by SMS, answered it unhappily with a comment (which opened a follow-up
case, on which an agent wrote a note), and replied STOP. His export holds all of it; after
the erasure no column of any table holds his phone, his email, his name or his comment,
the quarter's figures read the same, and his order's event sent again brings nothing back.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from tortoise import Tortoise

from dispatch.models import Message, OptOut, WebhookDelivery, WebhookEndpoint
from dispatch.optouts import is_opted_out
from dispatch.settings import TwilioSettings
from journeys.models import Customer, Interaction
from journeys.periods import current_period
from surveys.models import Answer, CaseNote, FollowUpCase, Invitation, OutboxEvent
from surveys.reports import touchpoint_report
from surveys.responses import record_response
from tests.stories import CHEN, Shop
from tests.web.webhooks.signed import PUBLIC, TOKEN, reply, sent_to
from web.models import AuditEvent
from web.privacy import CustomerNotFound, erase_customer, erased_marker, export_customer
from web.settings import Settings

COMMENT = "The courier threw the parcel over the fence, 陈 is not happy"
NOTE = "Called Chen back on +8613800138000, he wants a refund"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Twilio's webhooks are signed for the public URL, as in tests/web/webhooks."""
    return settings.model_copy(
        update={"public_url": PUBLIC, "twilio": TwilioSettings(auth_token=TOKEN)}
    )


@pytest.fixture
async def chens_story(client, api_key, shop_journey, runtime) -> Invitation:
    """Chen's survey sent, answered 3 with a comment (a case opens), a note, and STOP."""
    shop = Shop(client, api_key)
    invitation = await sent_to(shop, runtime, "C-1", person=CHEN)
    await record_response(invitation, nps=3, csat=2, comment=COMMENT)
    case = await FollowUpCase.get(invitation_id=invitation.id)
    answer = await client.post(
        f"/api/v1/cases/{case.id}/notes",
        json={"body": NOTE, "contacted": True},
        headers=shop.headers,
    )
    assert answer.status_code == 201, answer.text
    await reply(client, "STOP", phone=CHEN.phone)
    await _a_webhook_delivery_of_the_answer(invitation)
    return invitation


async def _a_webhook_delivery_of_the_answer(invitation: Invitation) -> None:
    """What the outbox publisher leaves for a subscriber: the event's body as it was sent."""
    event = await OutboxEvent.get(type="response.created")
    endpoint = await WebhookEndpoint.create(
        url="https://desk.example.com/hook", secret="s" * 32, events=["response.created"]
    )
    body = json.dumps({"id": event.event_id, "type": event.type, "data": event.data})
    await WebhookDelivery.create(
        endpoint=endpoint,
        event_id=event.event_id,
        event_type=event.type,
        body=body,
        give_up_at=datetime.now(UTC),
    )


def personal_data() -> list[str]:
    return [CHEN.phone, CHEN.email, CHEN.first_name, COMMENT, NOTE]


async def every_text_held() -> list[tuple[str, str, str]]:
    """(table, column, text) for every value of every column of every table; JSON is read
    decoded too, so "\\u9648" in a JSON column is found as 陈."""
    found = []
    for app in Tortoise.apps.values():
        for model in app.values():
            table = model._meta.db_table
            connection = model._meta.db
            for row in await connection.execute_query_dict(f"SELECT * FROM {table}"):
                for column, value in row.items():
                    if value is None:
                        continue
                    text = str(value)
                    found.append((table, column, text))
                    if isinstance(value, str) and text[:1] in "[{":
                        try:
                            decoded = json.dumps(json.loads(text), ensure_ascii=False)
                        except ValueError:
                            continue
                        found.append((table, column, decoded))
    return found


async def holding(texts: list[str]) -> list[tuple[str, str, str]]:
    return [
        (table, column, text)
        for table, column, value in await every_text_held()
        for text in texts
        if text in value
    ]


async def quarter_report() -> dict:
    period = current_period(datetime.now(UTC), ZoneInfo("UTC"))
    return (await touchpoint_report("shop", period)).as_dict()


# --- export ---------------------------------------------------------------------------------


async def test_chens_export_holds_what_was_stored(chens_story):
    data = await export_customer(CHEN.id)

    profile = data["customer"]
    assert (profile["id"], profile["phone"], profile["email"]) == (CHEN.id, CHEN.phone, CHEN.email)
    assert profile["attributes"]["first_name"] == CHEN.first_name
    assert [e["id"] for e in data["events"]] == ["C-1"]
    [invitation] = data["invitations"]
    assert (invitation["touchpoint"], invitation["status"]) == ("use", "answered")
    [answer] = data["answers"]
    assert (answer["nps"], answer["csat"], answer["comment"]) == (3, 2, COMMENT)
    assert [m["recipient"] for m in data["messages"]] == [CHEN.phone]
    [case] = data["cases"]
    assert case["reason"] == "detractor"
    assert NOTE in [n["body"] for n in case["notes"]]
    assert [(o["address"], o["source"]) for o in data["opt_outs"]] == [(CHEN.phone, "sms-stop")]
    json.dumps(data)  # all of it is JSON


async def test_an_unknown_customer_has_no_export(db):
    with pytest.raises(CustomerNotFound):
        await export_customer("nobody")


# --- erasure --------------------------------------------------------------------------------


async def test_before_the_erasure_the_scan_finds_chen(chens_story):
    """The scan below would see him: each of his strings is held somewhere now."""
    found = {
        text for _, _, value in await every_text_held() for text in personal_data() if text in value
    }
    assert found == set(personal_data())


async def test_after_the_erasure_no_table_holds_chens_personal_data(chens_story):
    summary = await erase_customer(CHEN.id)

    assert summary.interactions == 1 and summary.answers == 1 and summary.cases == 1
    assert await holding(personal_data()) == []


async def test_the_quarters_figures_do_not_change(chens_story):
    before = await quarter_report()

    await erase_customer(CHEN.id)

    assert await quarter_report() == before
    answer = await Answer.get(invitation_id=chens_story.id)
    assert (answer.nps, answer.csat, answer.comment) == (3, 2, None)
    invitation = await Invitation.get(id=chens_story.id)
    assert invitation.status.value == "answered" and invitation.sent_at is not None


async def test_the_audit_of_his_stop_names_his_erased_marker_instead_of_his_phone(chens_story):
    summary = await erase_customer(CHEN.id)

    assert summary.audit_rows == 1

    stop = await AuditEvent.get(action="opt_out.created")
    assert (stop.actor_kind, stop.actor_label, stop.target) == (
        "customer",
        erased_marker(CHEN.id),
        erased_marker(CHEN.id),
    )


async def test_his_opt_out_still_refuses_his_phone(chens_story):
    await erase_customer(CHEN.id)

    assert await is_opted_out(CHEN.phone, "phone")
    [kept] = await OptOut.all()
    assert kept.address.startswith("sha256:") and kept.source == "sms-stop"


async def test_the_case_keeps_its_changes_but_not_his_words(chens_story):
    await erase_customer(CHEN.id)

    notes = await CaseNote.filter(case__invitation_id=chens_story.id).order_by("id")
    assert "Opened: the customer is a detractor." in [n.body for n in notes]
    assert "[erased]" in [n.body for n in notes]
    message = await Message.get(invitation_id=chens_story.id)
    assert (message.recipient, message.body) == ("[erased]", "[erased]")


async def test_a_replayed_event_brings_nothing_back(chens_story, client, api_key):
    await erase_customer(CHEN.id)

    result = await Shop(client, api_key).delivered("C-1", to=CHEN)

    assert result["status"] == "duplicate"
    customer = await Customer.get(external_id=CHEN.id)
    assert (customer.phone, customer.email, customer.attributes) == (None, None, {})
    assert await Interaction.filter(customer=customer).count() == 1
    assert await holding(personal_data()) == []


async def test_erasing_twice_changes_nothing_more(chens_story):
    first = await erase_customer(CHEN.id)

    again = await erase_customer(CHEN.id)

    assert again.already_erased and again.erased_at == first.erased_at
    customer = await Customer.get(external_id=CHEN.id)
    assert customer.erased_at == first.erased_at


async def test_erasing_an_unknown_customer_changes_nothing(chens_story):
    before = await every_text_held()

    with pytest.raises(CustomerNotFound):
        await erase_customer("nobody")

    assert await every_text_held() == before
