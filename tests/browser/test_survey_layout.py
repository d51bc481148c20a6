"""The 0-10 scale is one row on any phone: a scale broken over two lines reads as two scales,
and how a scale is laid out is known to move the score it collects."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import pytest
from playwright.sync_api import Page

from tests.browser.live import LiveShop
from tests.stories import ANNA, CHEN, Person

#: The narrowest phones still sold, and the most common width today.
WIDTHS = [320, 390]
#: WCAG 2.2's minimum target size, in CSS pixels.
SMALLEST_TARGET = 24

MEASURE = """() => {
    const box = (element) => {
        const r = element.getBoundingClientRect();
        return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width,
                height: r.height, overflows: element.scrollWidth > element.clientWidth};
    };
    const scale = document.querySelectorAll("#nps-scale span");
    return {
        buttons: [...document.querySelectorAll(".nps .choice label")].map(box),
        low: box(scale[0]),
        high: box(scale[1]),
        page: document.documentElement.scrollWidth,
        viewport: window.innerWidth,
    };
}"""


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("customer", [ANNA, CHEN], ids=["en", "zh-CN"])
def test_the_scale_is_one_row_that_fits_the_phone(
    shop: LiveShop, new_page: Callable[..., Page], width: int, customer: Person
):
    invitation = shop.delivered("A-1", customer)
    phone = new_page(viewport={"width": width, "height": 800}, is_mobile=True, has_touch=True)
    phone.goto(shop.link_sent_for(invitation))

    found = phone.evaluate(MEASURE)
    buttons, low, high = found["buttons"], found["low"], found["high"]

    assert len(buttons) == 11
    assert {round(button["top"]) for button in buttons} == {round(buttons[0]["top"])}
    assert all(a["right"] <= b["left"] for a, b in pairwise(buttons))
    assert buttons[0]["left"] >= 0 and buttons[-1]["right"] <= width
    assert found["page"] <= found["viewport"] == width, "the page scrolls sideways"
    assert min(button["width"] for button in buttons) >= SMALLEST_TARGET
    assert min(button["height"] for button in buttons) >= 44
    assert not any(button["overflows"] for button in buttons), "a number spills out"
    # the ends' labels sit under the ends of the row
    assert low["top"] >= buttons[0]["bottom"] and high["top"] >= buttons[0]["bottom"]
    assert abs(low["left"] - buttons[0]["left"]) <= 1
    assert abs(high["right"] - buttons[-1]["right"]) <= 1
    assert low["right"] < high["left"]
