"""The console's customers: an admin finds Anna, downloads her export, and erases her data
after typing her id; an agent may export but not erase; a viewer may only read."""

from __future__ import annotations

import pytest

from journeys.models import Customer
from tests.console import post_form, signed_in
from tests.stories import ANNA, BEN, Shop
from web.models import AuditEvent


@pytest.fixture
async def shop(client, api_key, shop_journey) -> Shop:
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=ANNA)
    await shop.delivered("B-1", to=BEN)
    return shop


@pytest.mark.parametrize("typed", ["anna", "+1 415 555 0123", ANNA.phone])
async def test_anna_is_found_by_her_id_or_her_phone(client, shop, typed):
    await signed_in(client, "viewer")

    page = await client.get("/customers", params={"q": typed})

    assert page.status_code == 200
    assert '<a href="/customers/anna">anna</a>' in page.text
    assert "/customers/ben" not in page.text


async def test_ben_is_found_by_his_email_in_any_case(client, shop):
    await signed_in(client, "viewer")

    page = await client.get("/customers", params={"q": "BEN@example.com"})

    assert '<a href="/customers/ben">ben</a>' in page.text


async def test_nobody_found_says_so(client, shop):
    await signed_in(client, "viewer")

    page = await client.get("/customers", params={"q": "<b>zoe</b>"})

    assert "No customer has the id, phone or email “&lt;b&gt;zoe&lt;/b&gt;”." in page.text


async def test_annas_page_shows_her_profile_and_history(client, shop):
    await signed_in(client, "viewer")

    page = await client.get("/customers/anna")

    assert page.status_code == 200
    assert ANNA.phone in page.text and ANNA.first_name in page.text
    assert "<td>A-1</td>" in page.text
    assert "Download export (JSON)" in page.text
    assert "Erase personal data" not in page.text  # a viewer may not


async def test_an_agent_downloads_annas_export_and_it_is_audited(client, shop):
    await signed_in(client, "agent")

    answer = await client.get("/customers/anna/export")

    assert answer.status_code == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.json()["customer"]["phone"] == ANNA.phone
    [event] = await AuditEvent.filter(action="customer.exported")
    assert (event.actor_label, event.target) == ("agent@example.com", "anna")


async def test_a_viewer_may_not_download_it(client, shop):
    await signed_in(client, "viewer")

    answer = await client.get("/customers/anna/export")

    assert answer.status_code == 403
    assert await AuditEvent.filter(action="customer.exported").count() == 0


async def test_an_admin_erases_anna_after_typing_her_id(client, shop):
    await signed_in(client, "admin")
    confirm = await client.get("/customers/anna/erase")
    assert "Type the customer's id, anna, to confirm" in confirm.text

    answer = await post_form(
        client, "/customers/anna/erase", {"confirm": "anna"}, page="/customers/anna/erase"
    )

    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert "The personal data of anna is erased." in page.text
    assert ANNA.phone not in page.text
    customer = await Customer.get(external_id="anna")
    assert customer.phone is None and customer.erased_at is not None
    [event] = await AuditEvent.filter(action="customer.erased")
    assert (event.actor_label, event.target, event.detail["via"]) == (
        "admin@example.com",
        "anna",
        "console",
    )


@pytest.mark.parametrize("typed", ["", "Anna", "ben"])
async def test_a_wrong_confirmation_erases_nothing(client, shop, typed):
    await signed_in(client, "admin")

    answer = await post_form(
        client, "/customers/anna/erase", {"confirm": typed}, page="/customers/anna/erase"
    )

    assert answer.status_code == 400
    assert "Type the customer&#39;s id exactly to confirm; nothing was erased." in answer.text
    assert (await Customer.get(external_id="anna")).phone == ANNA.phone
    assert await AuditEvent.filter(action="customer.erased").count() == 0


async def test_an_agent_may_not_erase(client, shop):
    await signed_in(client, "agent")

    page = await client.get("/customers/anna/erase")

    assert page.status_code == 403
    assert (await Customer.get(external_id="anna")).phone == ANNA.phone


@pytest.mark.parametrize("path", ["/customers/nobody", "/customers/nobody/export"])
async def test_an_unknown_customer_is_a_404(client, shop, path):
    await signed_in(client, "admin")

    page = await client.get(path)

    assert page.status_code == 404
    assert "no customer with id &#39;nobody&#39;" in page.text


async def test_erasing_an_unknown_customer_is_a_404_and_changes_nothing(client, shop):
    await signed_in(client, "admin")

    answer = await post_form(
        client, "/customers/nobody/erase", {"confirm": "nobody"}, page="/customers"
    )

    assert answer.status_code == 404
    assert await AuditEvent.filter(action="customer.erased").count() == 0
