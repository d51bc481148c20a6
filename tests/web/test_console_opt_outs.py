"""The console's opt-out page: an agent opts Anna out when she asks on the phone, and back in."""

from __future__ import annotations

import pytest

from dispatch.models import OptOut
from dispatch.optouts import is_opted_out, opt_in, opt_out
from dispatch.tasks import send_invitation
from surveys.models import Invitation, InvitationStatus
from tests.console import post_form, signed_in
from tests.stories import ANNA, BEN, Shop

PAGE = "/opt-outs"


@pytest.fixture(autouse=True)
async def agent(client, db) -> str:
    """An agent is signed in: the role that records what customers ask for."""
    return await signed_in(client, "agent")


def row_of(page: str, address: str) -> str:
    """The table row of an address, as HTML."""
    start = page.index(f"<td>{address}</td>")
    return page[page.rindex("<tr>", 0, start) : page.index("</tr>", start)]


async def add(client, **fields: str):
    return await post_form(client, PAGE, fields)


async def test_an_agent_opts_anna_out_and_the_page_says_so(client, db):
    answer = await add(client, phone="+1 415 555 0123", note="asked on the phone")

    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert "+14155550123 is opted out" in page.text
    row = row_of(page.text, ANNA.phone)
    assert "<td>SMS</td><td>console</td><td>asked on the phone</td>" in row.replace("\n", "")
    assert "holds" in row and 'value="+14155550123"' in row
    stored = await OptOut.get(address=ANNA.phone)
    assert (stored.source, stored.note, stored.revoked_at) == (
        "console",
        "asked on the phone",
        None,
    )


async def test_the_opt_out_stops_annas_next_survey_and_lifting_it_lets_one_go(
    client, api_key, shop_journey, runtime
):
    shop = Shop(client, api_key)
    await add(client, phone=ANNA.phone)
    await shop.delivered("A-1", to=ANNA)
    stopped = await shop.invitation_for("A-1")
    await send_invitation(runtime.worker_context(), stopped.id)

    lifted = await post_form(client, f"{PAGE}/lift", {"address": ANNA.phone}, page=PAGE)

    assert lifted.status_code == 303
    assert (await Invitation.get(id=stopped.id)).reason.startswith("opted out (console ")
    page = await client.get(lifted.headers["location"])
    assert "+14155550123 is opted back in" in page.text
    assert "lifted" in row_of(page.text, ANNA.phone) and "by console" in page.text
    await shop.delivered("A-2", to=ANNA)
    following = await shop.invitation_for("A-2")
    await send_invitation(runtime.worker_context(), following.id)
    assert (await Invitation.get(id=following.id)).status == InvitationStatus.SENT


async def test_the_page_lists_every_source_newest_first(client, db):
    await opt_out(BEN.email, "email", "email-unsubscribe", note="invitation 7")
    await opt_out(ANNA.phone, "phone", "sms-stop", note="STOP")
    await opt_in(BEN.email, "email", "api")

    page = (await client.get(PAGE)).text

    assert page.index(ANNA.phone) < page.index(BEN.email)
    assert "sms-stop" in row_of(page, ANNA.phone)
    ben = row_of(page, BEN.email)
    assert "<td>email</td>" in ben and "email-unsubscribe" in ben
    assert "lifted" in ben and "by api" in ben and "Lift</button>" not in ben
    assert 'href="/opt-outs" aria-current="page">Opt-outs</a>' in page


async def test_the_navigation_links_to_the_page(client, db):
    assert 'href="/opt-outs">Opt-outs</a>' in (await client.get("/outbox")).text


async def test_opting_out_an_address_opted_out_already_keeps_the_first(client, db):
    await opt_out(BEN.email, "email", "email-unsubscribe")

    answer = await add(client, email="BEN@example.com", note="asked again")

    page = await client.get(answer.headers["location"])
    assert "ben@example.com was opted out already" in page.text
    assert (await OptOut.get(address=BEN.email)).source == "email-unsubscribe"


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({}, "phone", "phone or the email"),
        ({"note": "no address"}, "phone", "phone or the email"),
        ({"phone": ANNA.phone, "email": BEN.email}, "email", "not both"),
        ({"phone": "12345"}, "phone", "phone number"),
        ({"email": "ben@"}, "email", "email"),
        ({"phone": ANNA.phone, "note": "x" * 301}, "note", "300"),
    ],
)
async def test_bad_input_is_shown_next_to_its_field_and_nothing_is_written(
    client, db, fields, field, words
):
    answer = await add(client, **fields)

    assert answer.status_code == 400
    error = answer.text.split(f'id="{field}-error">', 1)[1].split("</span>", 1)[0]
    assert words in error
    assert f'name="{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    for name, value in fields.items():
        assert f'name="{name}"' in answer.text and value in answer.text  # kept for correcting
    assert not await OptOut.exists()


async def test_lifting_an_address_that_never_opted_out_is_a_400(client, db):
    await opt_out(ANNA.phone, "phone", "sms-stop")

    answer = await post_form(client, f"{PAGE}/lift", {"address": BEN.email}, page=PAGE)

    assert answer.status_code == 400
    assert "ben@example.com never opted out." in answer.text
    assert await is_opted_out(ANNA.phone, "phone")


async def test_lifting_twice_says_it_was_not_opted_out(client, db):
    await opt_out(ANNA.phone, "phone", "sms-stop")
    await post_form(client, f"{PAGE}/lift", {"address": ANNA.phone}, page=PAGE)

    again = await post_form(client, f"{PAGE}/lift", {"address": ANNA.phone}, page=PAGE)

    assert again.status_code == 303
    assert "was not opted out" in (await client.get(again.headers["location"])).text
    assert (await OptOut.get(address=ANNA.phone)).revoked_by == "console"


async def test_a_notice_is_only_ever_one_of_ours(client, db):
    page = await client.get(PAGE, params={"done": "<b>hacked</b>", "address": "<script>"})

    assert page.status_code == 200
    assert "hacked" not in page.text and "<script>" not in page.text
    escaped = await client.get(PAGE, params={"done": "added", "address": "<script>"})
    assert "&lt;script&gt; is opted out" in escaped.text
