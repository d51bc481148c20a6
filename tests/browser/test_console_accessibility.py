"""Every console page, as a signed-in admin finds it with a journey, messages and opt-outs,
checked with axe-core in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from dispatch.optouts import opt_out
from surveys.responses import record_response
from tests.browser.accessibility import describe, violations
from tests.browser.live import LiveServer, LiveShop
from tests.browser.signing_in import signed_in
from tests.stories import ANNA, BEN
from web.models import ApiKey

PAGES = [
    ("/", "Dashboard"),
    ("/journeys", "Journeys"),
    ("/journeys/shop", "Shop"),
    ("/journeys/shop/edit", "Edit Shop"),
    ("/journeys/shop/versions", "Versions of Shop"),
    ("/journeys/shop/diff?from=1&to=2", "Shop"),
    ("/journeys/new", "New journey"),
    ("/journeys/shop/touchpoints/use/preview", "Preview"),
    ("/journeys/shop/touchpoints/use/preview/survey?locale=en", "Your feedback"),
    ("/journeys/shop/touchpoints/use/preview/survey?locale=zh-CN", "反馈"),
    ("/outbox", "Outbox"),
    ("/reports?journey=shop", "Shop"),
    ("/opt-outs", "Opt-outs"),
    ("/account/password", "password"),
    ("/admin/users", "Users"),
    ("/admin/api-keys", "API keys"),
    ("/admin/audit", "Audit log"),
]


@pytest.fixture
def busy_shop(live: LiveServer, shop: LiveShop) -> LiveShop:
    """The shop after a few days of business: two surveys sent, one answered, an opt-out,
    and a second version of the journey."""
    anna = shop.delivered("A-1", ANNA)
    live.run(lambda: record_response(anna, nps=9, csat=5, comment="Fast delivery"))
    shop.ticket_closed("T-1", BEN)
    shop.revise("P7D", "P5D", note="Ask five days after delivery")
    assert BEN.email is not None
    live.run(lambda: opt_out(BEN.email, "email", "email-unsubscribe"))
    return shop


def test_every_console_page_is_accessible(live: LiveServer, busy_shop: LiveShop, page: Page):
    signed_in(page, live, "admin")
    key = live.run(lambda: ApiKey.get(name="shop"))
    broken = {}
    for path, heading in [*PAGES, (f"/admin/api-keys/{key.id}/revoke", "Revoke the key shop")]:
        opened = page.goto(f"{live.url}{path}")
        assert opened is not None and opened.status == 200, path
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
        if found := violations(page):
            broken[path] = describe(found)

    assert not broken, "\n\n".join(f"{path}:\n{report}" for path, report in broken.items())
