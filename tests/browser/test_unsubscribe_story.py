"""Ben leaves the survey emails from the link in one, in a real browser: the page asks first,
the button unsubscribes him, and the opt-out is stored. Both pages are checked with axe-core."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dispatch.optouts import is_opted_out
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer, LiveShop
from tests.stories import BEN, CHEN


def test_ben_confirms_and_is_unsubscribed(live: LiveServer, shop: LiveShop, phone: Page):
    invitation = shop.delivered("A-1", BEN)

    phone.goto(shop.link_sent_for(invitation, page="u"))
    expect(phone.get_by_role("heading", level=1)).to_have_text("Unsubscribe from survey emails")
    expect(phone.get_by_role("main")).to_contain_text("no more survey emails to b***@example.com")
    assert_accessible(phone)
    assert not live.run(lambda: is_opted_out(BEN.email, "email"))

    phone.get_by_role("button", name="Unsubscribe").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    assert_accessible(phone)
    assert live.run(lambda: is_opted_out(BEN.email, "email"))


def test_chen_unsubscribes_in_chinese(live: LiveServer, shop: LiveShop, phone: Page):
    invitation = shop.ticket_closed("T-1", CHEN)

    phone.goto(shop.link_sent_for(invitation, page="u"))
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_accessible(phone)
    phone.get_by_role("button", name="确认退订").tap()

    expect(phone.get_by_role("heading", level=1)).to_have_text("您已退订")
    assert_accessible(phone)
    assert live.run(lambda: is_opted_out(CHEN.email, "email"))
