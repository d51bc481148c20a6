"""Ben (English) and Chen (Chinese) leave survey emails from the link or their mail client."""

from __future__ import annotations

import pytest

from surveys.models import Invitation
from tests.stories import BEN, CHEN, sent_invitation


@pytest.fixture
async def ben(client, api_key, shop_journey) -> Invitation:
    return await sent_invitation(client, api_key, BEN.as_customer())


async def test_the_page_asks_before_it_unsubscribes(client, ben):
    from dispatch.optouts import is_opted_out

    page = await client.get(f"/u/{ben.token}")

    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "b***@example.com" in page.text and BEN.email not in page.text
    assert f'<form method="post" action="/u/{ben.token}">' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert not await is_opted_out(BEN.email, "email")


async def test_the_button_records_the_opt_out(client, ben):
    from dispatch.optouts import is_opted_out

    done = await client.post(f"/u/{ben.token}")

    assert done.status_code == 200
    assert "You are unsubscribed" in done.text
    assert await is_opted_out(BEN.email, "email")


async def test_a_mail_clients_one_click_post_records_the_opt_out(client, ben):
    from dispatch.optouts import is_opted_out

    done = await client.post(
        f"/u/{ben.token}",
        content="List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert done.status_code == 200
    assert await is_opted_out(BEN.email, "email")
    again = await client.post(f"/u/{ben.token}", content="List-Unsubscribe=One-Click")
    assert again.status_code == 200


async def test_chen_reads_the_page_in_chinese(client, api_key, shop_journey):
    chen = await sent_invitation(client, api_key, CHEN.as_customer())

    page = await client.get(f"/u/{chen.token}")

    assert '<html lang="zh-CN">' in page.text and "确认退订" in page.text


@pytest.mark.parametrize("token", ["no-such-token", "bad token!", "x" * 200])
async def test_an_unknown_link_gets_a_friendly_404(client, shop_journey, token):
    for answer in (await client.get(f"/u/{token}"), await client.post(f"/u/{token}")):
        assert answer.status_code == 404
        assert "This survey link is not valid" in answer.text


async def test_a_customer_without_email_has_nothing_to_unsubscribe(client, api_key, shop_journey):
    anna = await sent_invitation(client, api_key)

    assert (await client.post(f"/u/{anna.token}")).status_code == 404
