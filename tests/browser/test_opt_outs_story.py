"""An agent lifts an opt-out on the console's opt-out page, in a real browser: Ben asked to
hear from the shop again. The record stays, stamped with when it was lifted."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from dispatch.models import OptOut
from dispatch.optouts import is_opted_out, opt_out
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer
from tests.browser.signing_in import signed_in
from tests.stories import BEN


def test_an_agent_lifts_bens_opt_out(live: LiveServer, page: Page):
    assert BEN.email is not None
    live.run(lambda: opt_out(BEN.email, "email", "email-unsubscribe"))
    signed_in(page, live, "agent")

    page.get_by_role("link", name="Opt-outs").click()
    row = page.get_by_role("row", name=BEN.email)
    expect(row).to_contain_text("email-unsubscribe")
    assert_accessible(page)
    row.get_by_role("button", name="Lift").click()

    expect(page.get_by_role("status")).to_have_text(
        "ben@example.com is opted back in: surveys may go to it again."
    )
    expect(page.get_by_role("row", name=BEN.email)).to_contain_text("lifted")
    expect(page.get_by_role("row", name=BEN.email).get_by_role("button")).to_have_count(0)
    assert_accessible(page)
    assert not live.run(lambda: is_opted_out(BEN.email, "email"))
    kept = live.run(lambda: OptOut.get(address=BEN.email))
    assert kept.revoked_at is not None and kept.source == "email-unsubscribe"
