"""Signing in and out of the console in a real browser, and what a role or a missing CSRF
token does not let through."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from dispatch.optouts import is_opted_out, opt_out
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer
from tests.browser.signing_in import person, sign_in, signed_in
from tests.stories import BEN


def test_a_cx_owner_signs_in_after_a_wrong_password_and_signs_out(live: LiveServer, page: Page):
    email = person(live, "admin", "olivia@shop.example")

    page.goto(f"{live.url}/sign-in")
    assert_accessible(page)
    sign_in(page, live.url, email, password="not my password")
    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page.get_by_label("Email")).to_have_value(email)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)

    page.goto(f"{live.url}/outbox")
    expect(page).to_have_url(f"{live.url}/sign-in?next=%2Foutbox")
    sign_in(page, live.url, email)
    expect(page).to_have_url(f"{live.url}/outbox")
    expect(page.get_by_role("banner")).to_contain_text("olivia@shop.example (admin)")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(f"{live.url}/outbox")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))


def _ben_opted_out(live: LiveServer) -> None:
    assert BEN.email is not None
    live.run(lambda: opt_out(BEN.email, "email", "email-unsubscribe"))


def test_a_viewer_sees_the_opt_outs_but_is_refused_lifting_one(live: LiveServer, page: Page):
    _ben_opted_out(live)
    signed_in(page, live, "viewer")

    page.goto(f"{live.url}/opt-outs")
    page.get_by_role("row", name=BEN.email).get_by_role("button", name="Lift").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed for your role")
    expect(page.get_by_role("main")).to_contain_text("agent")
    assert_accessible(page)
    assert live.run(lambda: is_opted_out(BEN.email, "email"))


def test_a_form_sent_without_its_csrf_token_is_refused_and_changes_nothing(
    live: LiveServer, page: Page
):
    _ben_opted_out(live)
    signed_in(page, live, "admin")
    page.goto(f"{live.url}/opt-outs")
    row = page.get_by_role("row", name=BEN.email)
    row.locator('input[name="csrf_token"]').evaluate("input => input.remove()")

    row.get_by_role("button", name="Lift").click()

    expect(page.get_by_role("main")).to_contain_text(re.compile("CSRF|security token", re.I))
    assert_accessible(page)
    assert live.run(lambda: is_opted_out(BEN.email, "email"))
