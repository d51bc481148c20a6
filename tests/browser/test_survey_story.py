"""Anna and Chen answer their surveys on their phones, in a real browser: the link from the
message they received, a tap on the score, a comment, the thank-you page, the answer stored.
Every page on the way is checked with axe-core."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from surveys.models import Answer, Invitation
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer, LiveShop
from tests.stories import ANNA, CHEN, Person

ENGLISH = {
    "score": "9",
    "satisfaction": "5 Very satisfied",
    "comment_box": "What could we do better?",
    "comment": "Quick delivery, the box was a bit dented.",
    "send": "Submit",
    "thanks": "Thank you!",
}
CHINESE = {
    "score": "9",
    "satisfaction": "5 非常满意",
    "comment_box": "我们还能做得更好吗？",
    "comment": "送货很快，盒子有点压坏了。",
    "send": "提交",
    "thanks": "谢谢！",
}


@pytest.mark.parametrize(
    ("customer", "words"), [(ANNA, ENGLISH), (CHEN, CHINESE)], ids=["en", "zh-CN"]
)
def test_a_customer_answers_on_a_phone(
    live: LiveServer, shop: LiveShop, phone: Page, customer: Person, words: dict[str, str]
):
    invitation = shop.delivered("A-1", customer)

    phone.goto(shop.link_sent_for(invitation))
    expect(phone.locator("html")).to_have_attribute("lang", customer.locale)
    assert_accessible(phone)
    score = phone.get_by_role("radio", name=words["score"], exact=True)
    score.tap()
    expect(score).to_be_checked()
    phone.get_by_role("radio", name=words["satisfaction"]).tap()
    phone.get_by_role("textbox", name=words["comment_box"]).fill(words["comment"])
    phone.get_by_role("button", name=words["send"]).tap()

    expect(phone).to_have_url(f"{live.url}/s/{invitation.token}/thanks")
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    assert_accessible(phone)
    answer = live.run(lambda: Answer.get(invitation_id=invitation.id))
    assert (answer.nps, answer.csat, answer.comment) == (9, 5, words["comment"])
    assert answer.source == "web"


def test_an_expired_link_says_so_and_offers_no_form(live: LiveServer, shop: LiveShop, phone: Page):
    invitation = shop.delivered("A-1", ANNA)
    past = datetime.now(UTC) - timedelta(minutes=1)
    live.run(lambda: Invitation.filter(id=invitation.id).update(expires_at=past))

    opened = phone.goto(shop.link_sent_for(invitation))

    assert opened is not None and opened.status == 410
    expect(phone.get_by_role("heading", level=1)).to_have_text("This survey is closed")
    expect(phone.get_by_text("The time to answer this survey has passed")).to_be_visible()
    expect(phone.locator("form")).to_have_count(0)
    assert_accessible(phone)


def test_an_unknown_link_says_so_in_both_languages(live_server: str, phone: Page):
    opened = phone.goto(f"{live_server}/s/not-a-real-token")

    assert opened is not None and opened.status == 404
    expect(phone.get_by_role("heading", name="This survey link is not valid")).to_be_visible()
    expect(phone.get_by_role("heading", name="此问卷链接无效")).to_be_visible()
    assert_accessible(phone)
