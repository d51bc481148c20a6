"""The quarterly review in a real browser: a CX owner opens the shop's review, reads the
charts, downloads one for a slide, and prints the page as a report."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.accessibility import describe, violations
from tests.browser.live import LiveServer, LiveShop
from tests.browser.reviewing import a_year_of_answers
from tests.browser.signing_in import signed_in

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def reviewed(live: LiveServer, shop: LiveShop, page: Page) -> Page:
    a_year_of_answers(live)
    signed_in(page, live, "viewer")
    page.goto(f"{live.url}/review/shop")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shop: review of")
    return page


def test_the_charts_are_svg_in_the_page_with_their_titles(reviewed: Page):
    page = reviewed

    expect(page.locator("svg#chart-trend-use-nps > title")).to_have_text("purchase: NPS by quarter")
    expect(page.locator("svg#chart-mix > title")).to_contain_text("Promoters, passives")
    expect(page.locator("svg#chart-themes > title")).to_contain_text("Top themes")
    expect(page.get_by_role("img", name="purchase: NPS by quarter")).to_be_visible()
    assert page.locator("svg.chart").count() >= 5
    expect(page.get_by_role("heading", name="What customers wrote")).to_be_visible()
    expect(page.get_by_text("客服回复太慢。").first).to_be_visible()


def test_a_chart_downloads_as_png_for_a_slide(reviewed: Page):
    figure = reviewed.locator("#figure-mix")

    with reviewed.expect_download() as downloading:
        figure.get_by_role("link", name="PNG").click()

    download = downloading.value
    assert download.suggested_filename.startswith(
        "mix-20"
    ) and download.suggested_filename.endswith(".png")
    with open(download.path(), "rb") as picture:
        assert picture.read(8) == PNG_SIGNATURE


def test_printed_the_page_has_no_navigation_or_forms(reviewed: Page):
    page = reviewed
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.get_by_role("navigation", name="Console")).to_be_hidden()
    expect(page.get_by_role("form", name="Filters")).to_be_hidden()
    expect(page.locator(".filters-in-use")).to_be_visible()
    expect(page.locator("svg#chart-mix")).to_be_visible()
    breaks = page.locator("#figures").evaluate(
        "h => getComputedStyle(h.closest('section')).breakBefore"
    )
    assert breaks == "page"


def test_the_review_is_accessible(reviewed: Page):
    broken = violations(reviewed)

    assert not broken, describe(broken)
