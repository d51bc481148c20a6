"""The console's people, and signing in as they do it: typing into the sign-in form."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.live import LiveServer
from tests.console import PASSWORD
from web.users import create_user


def person(live: LiveServer, role: str, email: str | None = None) -> str:
    """A console user with `role` and the tests' password; returns the email."""
    address = email or f"{role}@example.com"
    live.run(lambda: create_user(address, role, PASSWORD))
    return address


def sign_in(page: Page, base: str, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form (opening it first unless the page is on it)."""
    if not page.url.startswith(f"{base}/sign-in"):
        page.goto(f"{base}/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def signed_in(page: Page, live: LiveServer, role: str) -> str:
    """A new user of `role`, signed in on `page`; returns the email."""
    email = person(live, role)
    sign_in(page, live.url, email)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    return email
