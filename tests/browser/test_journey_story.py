"""The CX team works on the shop's journey in the console, in a real browser: the dashboard,
an edit with a mistake shown at its line, the fix on the map, a roll back, a survey previewed
on a phone, and a viewer kept out of the editor."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from journeys.models import Journey
from surveys.models import Answer, Invitation
from surveys.responses import record_response
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PHONE
from tests.browser.live import LiveServer, LiveShop
from tests.browser.signing_in import signed_in
from tests.stories import ANNA

#: The `use` touchpoint of tests/journeys/fixtures/shop.yaml, and the line it is on.
USE_LINE = 12
USE_DELAY = "trigger: order.delivered, delay: P7D"


def _answered(live: LiveServer, invitation: Invitation, nps: int, csat: int) -> None:
    live.run(lambda: record_response(invitation, nps=nps, csat=csat, comment=None))


def test_the_cx_owner_sees_the_dashboard(live: LiveServer, shop: LiveShop, page: Page):
    anna = shop.delivered("A-1", ANNA)
    _answered(live, anna, nps=9, csat=5)

    signed_in(page, live, "viewer")

    expect(page).to_have_url(f"{live.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    board = page.get_by_role("region", name="Shop")
    expect(board.get_by_role("heading", name=re.compile("Answers, last 7 days: 1"))).to_be_visible()
    expect(board.get_by_role("row", name=re.compile("^sent"))).to_contain_text("1")
    assert_accessible(page)


def test_an_editor_fixes_a_mistake_shown_at_its_line_then_rolls_back(
    live: LiveServer, shop: LiveShop, page: Page
):
    signed_in(page, live, "editor")
    page.get_by_role("link", name="Journeys").first.click()
    page.get_by_role("link", name="Shop").click()
    card = page.locator("#touchpoint-use")
    expect(card).to_contain_text("7 days")

    page.get_by_role("link", name="Edit YAML").click()
    source = page.get_by_label("Journey YAML")
    original = source.input_value()
    assert USE_DELAY in original.splitlines()[USE_LINE - 1]
    source.fill(original.replace(USE_DELAY, "trigger: order.delivered, delay: next week"))
    page.get_by_role("button", name="Save as a new version").click()

    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Not saved: 1 problem in the file.")
    expect(problems.get_by_role("listitem")).to_contain_text(f"line {USE_LINE}:")
    expect(problems.get_by_role("listitem")).to_contain_text("delay: next week")
    expect(source).to_have_value(re.compile("delay: next week"))
    assert_accessible(page)
    assert live.run(lambda: Journey.get(key="shop")).version == 1

    source.fill(source.input_value().replace("delay: next week", "delay: P5D"))
    page.get_by_label("What changed and why").fill("Ask five days after delivery")
    page.get_by_role("button", name="Save as a new version").click()

    expect(page.get_by_role("status")).to_have_text("Saved as version 2.")
    expect(card).to_contain_text("5 days")
    assert_accessible(page)

    page.get_by_role("link", name="Versions").click()
    expect(page.get_by_role("row", name=re.compile("^2 \\(current\\)"))).to_contain_text(
        "Ask five days after delivery"
    )
    assert_accessible(page)
    page.get_by_role("button", name="Roll back to version 1").click()

    expect(page.get_by_role("status")).to_have_text("Saved as version 3.")
    expect(card).to_contain_text("7 days")
    assert live.run(lambda: Journey.get(key="shop")).version == 3


def test_an_editor_previews_the_survey_on_a_phone_and_nothing_is_recorded(
    live: LiveServer, shop: LiveShop, new_page
):
    phone: Page = new_page(**PHONE)
    signed_in(phone, live, "editor")
    phone.goto(f"{live.url}/journeys/shop")
    phone.locator("#touchpoint-use").get_by_role("link", name="Preview survey").tap()
    expect(phone.get_by_role("region", name="sms en variant A")).to_contain_text("SMS segment")
    assert_accessible(phone)

    phone.get_by_role("link", name="Survey page in zh-CN").tap()
    expect(phone.get_by_role("note")).to_contain_text("nothing you choose here is recorded")
    expect(phone.locator("html")).to_have_attribute("lang", "zh-CN")
    assert_accessible(phone)
    phone.get_by_role("radio", name="9", exact=True).tap()
    phone.get_by_role("button", name="提交").tap()

    expect(phone.get_by_role("status")).to_contain_text("These answers would be accepted")
    assert not live.run(lambda: Answer.all().exists())


def test_a_viewer_is_refused_the_journey_editor(live: LiveServer, shop: LiveShop, page: Page):
    signed_in(page, live, "viewer")
    page.goto(f"{live.url}/journeys/shop")
    expect(page.get_by_role("link", name="Edit YAML")).to_have_count(0)

    refused = page.goto(f"{live.url}/journeys/shop/edit")

    assert refused is not None and refused.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Not allowed for your role")
    expect(page.get_by_role("main")).to_contain_text("editor")
    assert_accessible(page)
