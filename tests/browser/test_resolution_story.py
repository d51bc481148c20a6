"""Anna's complaint is resolved and she says so, on her phone, in a real browser.

She answered her survey with a 3, which opened a case; an agent resolved it; the worker
sent her the resolution survey; she opens its link, taps 5, and the case reads answered,
5, the loop closed. Chen does the same in Chinese on the narrowest phone. Every page on
the way is checked with axe-core, and the question is photographed at phone width.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dispatch.models import Message
from surveys.followups import resolve
from surveys.models import CaseNote, FollowUpCase, Invitation
from surveys.responses import record_response
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PHONE
from tests.browser.live import LiveServer, LiveShop
from tests.stories import ANNA, CHEN, Person, run_worker_until
from tests.surveys.resolution_cases import AGENT

ENGLISH = {
    "question": "Are you satisfied with how we handled it?",
    "five": "5 Very satisfied",
    "thanks": "Thank you!",
    "given": "You told us: 5 (Very satisfied).",
}
CHINESE = {
    "question": "您对我们的处理结果满意吗？",
    "five": "5 非常满意",
    "thanks": "谢谢！",
    "given": "您的回答：5（非常满意）。",
}


def resolved_and_surveyed(live: LiveServer, shop: LiveShop, customer: Person) -> str:
    """The survey answered with a 3, the case resolved, the resolution survey sent by the
    worker: the link in the message the customer received."""
    invitation = shop.delivered("A-1", customer)

    async def answer_and_resolve(i: Invitation = invitation) -> int:
        await record_response(i, nps=3, csat=None, comment=None, partial=True)
        case = await FollowUpCase.get(invitation_id=i.id)
        await resolve(case, AGENT, root_cause="late delivery")
        return case.id

    case_id = live.run(answer_and_resolve)
    runtime = live.runtime
    assert runtime is not None

    async def sent() -> bool:
        case = await FollowUpCase.get(id=case_id)
        return case.resolution_survey_status == "sent"

    live.run(lambda: run_worker_until(runtime, sent))
    message = live.run(lambda: Message.get(case_id=case_id, purpose="resolution-survey"))
    assert message.recipient == customer.phone
    found = re.search(r"https?://[^\s/]+/r/[A-Za-z0-9_-]+", message.body)
    assert found, f"no /r/ link in {message.body!r}"
    return found.group(0)


@pytest.mark.parametrize(
    ("customer", "words", "width"),
    [(ANNA, ENGLISH, 390), (CHEN, CHINESE, 320)],
    ids=["en-390", "zh-CN-320"],
)
def test_a_resolved_customer_answers_5_and_closes_the_loop(
    live: LiveServer,
    shop: LiveShop,
    new_page: Callable[..., Page],
    tmp_path: Path,
    customer: Person,
    words: dict[str, str],
    width: int,
):
    link = resolved_and_surveyed(live, shop, customer)
    phone = new_page(**{**PHONE, "viewport": {"width": width, "height": 740}})

    opened = phone.goto(link)

    assert opened is not None and opened.status == 200
    expect(phone.locator("html")).to_have_attribute("lang", customer.locale)
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["question"])
    assert phone.evaluate("document.documentElement.scrollWidth") <= width, "scrolls sideways"
    buttons = phone.get_by_role("group").get_by_role("button")
    expect(buttons).to_have_count(5)
    heights = [buttons.nth(i).bounding_box()["height"] for i in range(5)]
    assert min(heights) >= 44, heights
    assert_accessible(phone)
    shot = tmp_path / f"resolution-{customer.locale}-{width}.png"
    phone.screenshot(path=shot, full_page=True, animations="disabled")
    assert shot.stat().st_size > 10_000

    phone.get_by_role("button", name=words["five"]).tap()

    expect(phone).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]+/thanks$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(words["thanks"])
    expect(phone.get_by_role("status")).to_have_text(words["given"])
    assert_accessible(phone)
    token = link.rsplit("/", 1)[1]
    case = live.run(lambda: FollowUpCase.get(resolution_survey_token=token))
    assert (case.resolution_survey_status, case.resolution_score) == ("answered", 5)
    closed = live.run(lambda: CaseNote.filter(case_id=case.id, body__contains="loop is closed"))
    assert len(closed) == 1


def test_an_unknown_resolution_link_is_a_friendly_404(live_server: str, phone: Page):
    opened = phone.goto(f"{live_server}/r/not-a-real-token")

    assert opened is not None and opened.status == 404
    expect(phone.get_by_role("heading", name="This survey link is not valid")).to_be_visible()
    assert_accessible(phone)
