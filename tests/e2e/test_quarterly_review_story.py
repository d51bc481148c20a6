"""Mei prepares the shop's review of 2026-Q3: what moved, why, and what customers wrote.

In May the shop's customers were delighted with their purchases. In September a new courier
starts leaving parcels at the door: half the customers who answer are detractors, and they
say so in English and in Chinese. The shop tests two SMS wordings on the purchase survey.

On Monday 5 October Mei, the CX owner, signs in and opens the review of 2026-Q3. It says the
purchase touchpoint fell by more than the noise and missed its target, that delivery is the
theme of the quarter, that "courier" is a word detractors use and promoters do not, and it
shows what they wrote. She checks the wording experiment, downloads the figures for her
slides, reads the comments through the API, and the monthly insight report for September
reaches the CX team's inbox, once.

Events, sends (the loopback Twilio server), answers on the survey page, the worker's
analysis of the comments, the review page, the API and the mail (aiosmtpd) are all real;
the clock travels to May, September and October whatever day the story is run.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import httpx
import time_machine

from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.assignment import assign_variant
from surveys.models import Answer, AnswerTheme, Invitation
from tests.conftest import SHOP_JOURNEY
from tests.console import signed_in
from tests.stories import Person, Shop, run_worker_until_idle
from web.insight_mail import mail_due_report
from web.runtime import Runtime
from web.settings import Settings

MAY = datetime(2026, 5, 12, 10, 0, tzinfo=UTC)
SEPTEMBER = datetime(2026, 9, 15, 10, 0, tzinfo=UTC)
#: Monday 5 October 2026, 10:00: the review meeting is on Wednesday.
REVIEW_DAY = datetime(2026, 10, 5, 10, 0, tzinfo=UTC)
WORDING_B = "{first_name}, two taps tell us how your {touchpoint} went: {link} STOP to opt out"

HAPPY = [
    ("en", 10, 5, "Great quality, exactly as described. Thank you!"),
    ("zh-CN", 9, 5, "质量很好，非常满意，谢谢！"),
]
#: September's answers: what each customer gives and writes.
SEPTEMBER_ANSWERS = [
    ("en", 2, 1, "The courier left the parcel outside in the rain."),
    ("en", 3, 1, "Courier never rang the bell, parcel dumped at the door."),
    ("en", 4, 2, "The courier was rude and the box arrived damaged."),
    ("zh-CN", 2, 1, "快递员态度很差，包裹被扔在门口。"),
    ("zh-CN", 3, 2, "快递员没有打电话，包裹被放在门外淋湿了。"),
    ("zh-CN", 5, 2, "快递员送货太慢了，等了一个星期。"),
    ("en", 7, 4, "Fine overall."),
    ("en", 8, 4, None),
    ("zh-CN", 7, 4, "还可以。"),
    ("en", 10, 5, "Great quality, exactly as described. Thank you!"),
    ("en", 9, 5, "Lovely product, I use it every day."),
    ("zh-CN", 10, 5, "质量很好，非常满意，谢谢！"),
]


def review_journey() -> str:
    """The tests' shop, with a second SMS wording tested on the purchase survey."""
    text = SHOP_JOURNEY.read_text("utf-8")
    return text.replace(
        "\nmessages:\n  sms:\n",
        "\nexperiments:\n  sms-wording: {variants: {A: 1, B: 1}, touchpoints: [use]}\n"
        f'messages:\n  sms:\n    B: {{en: "{WORDING_B}"}}\n',
    )


def person(quarter: str, index: int, locale: str) -> Person:
    if locale == "zh-CN":
        return Person(f"{quarter}-{index}", phone=f"+861380013{8000 + index:04d}", locale=locale)
    return Person(f"{quarter}-{index}", phone=f"+1415555{100 + index:04d}", first_name="Sam")


async def customers_answer(
    shop: Shop, browser: httpx.AsyncClient, live: Runtime, quarter: str, answers: list
) -> list[Invitation]:
    """Each customer's order is delivered eight days ago; the purchase survey goes out by
    SMS and the customer answers it on the survey page."""
    people = [person(quarter, i, answer[0]) for i, answer in enumerate(answers)]
    for who in people:
        await shop.delivered(f"{who.id}-order", to=who, days_ago=8)
    await run_worker_until_idle(live)
    invitations = []
    for who, (_, nps, csat, comment) in zip(people, answers, strict=True):
        invitation = await shop.invitation_for(f"{who.id}-order")
        form = {"nps": str(nps), "csat": str(csat), "comment": comment or ""}
        answered = await browser.post(f"/s/{invitation.token}", data=form)
        assert answered.status_code == 200, answered.text
        invitations.append(invitation)
    await run_worker_until_idle(live)  # the worker reads what they wrote
    return invitations


async def test_the_review_shows_what_moved_and_why(
    shop: Shop, browser: httpx.AsyncClient, live: Runtime, twilio, smtp, api_key, settings: Settings
):
    text = review_journey()
    await apply_journey(load_journey(text, source="shop.yaml"), text)

    with time_machine.travel(MAY, tick=True):
        await customers_answer(shop, browser, live, "may", HAPPY * 6)
    with time_machine.travel(SEPTEMBER, tick=True):
        september = await customers_answer(shop, browser, live, "sep", SEPTEMBER_ANSWERS)

    # Each customer read the wording the experiment gave them, the same way every time.
    weights = {"A": 1.0, "B": 1.0}
    for invitation in september:
        expected = assign_variant(invitation.customer.external_id, "sms-wording", weights)
        assert (invitation.experiment, invitation.variant) == ("sms-wording", expected)
    b_texts = [m.body for m in twilio.messages if "two taps tell us" in m.body]
    assert 0 < len(b_texts) < len(twilio.messages)

    # The comments were read: sentiment and themes in both languages.
    courier = await Answer.get(comment="快递员态度很差，包裹被扔在门口。")
    assert courier.sentiment == "negative"
    assert await AnswerTheme.filter(answer_id=courier.id, theme="delivery").exists()

    with time_machine.travel(REVIEW_DAY, tick=True):
        browser.follow_redirects = False
        await signed_in(browser, "viewer", "mei@shop.example")
        browser.follow_redirects = True
        page = await browser.get("/review/shop/2026-Q3")
        assert page.status_code == 200, page.text
        review = page.text
        assert "larger than the noise" in review
        assert "target missed" in review
        assert "courier" in review  # an emerging term, and in the examples
        detractors_wrote = [comment for _, nps, _, comment in SEPTEMBER_ANSWERS[:6]]
        shown = [comment for comment in detractors_wrote if comment in review]
        assert len(shown) >= 3, shown  # examples, detractors first
        assert any("快递员" in comment for comment in shown)
        assert "purchase: NPS by quarter" in review  # the trend chart, drawn as SVG
        assert "sms-wording" in review

        # The figures, as the API gives them: NPS 100 in Q2, -25 in Q3, a real fall.
        figures = await browser.get(
            "/api/v1/reports/touchpoints",
            params={"journey": "shop", "period": "2026-Q3"},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        [use] = [row for row in figures.json()["touchpoints"] if row["touchpoint"] == "use"]
        assert use["n"] == 12
        assert use["nps"]["score"] == -25.0 and use["nps"]["previous"]["score"] == 100.0
        assert use["nps"]["change"]["significant"] is True
        assert use["nps"]["target_met"] is False

        # For the slides: the figures as CSV, and the trend as a PNG.
        exported = await browser.get("/review/shop/2026-Q3/export.csv")
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert any(row["touchpoint"] == "use" for row in rows)
        chart = await browser.get("/review/shop/2026-Q3/charts/trend-use-nps.png")
        assert chart.status_code == 200
        assert chart.content.startswith(b"\x89PNG\r\n\x1a\n")

        # What detractors wrote about delivery, through the API: all six, mostly negative.
        found = await browser.get(
            "/api/v1/responses",
            params={
                "journey": "shop",
                "touchpoint": "use",
                "since": "2026-07-01",
                "group": "detractors",
                "theme": "delivery",
            },
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert found.status_code == 200, found.text
        wrote = found.json()["responses"]
        assert sorted(a["comment"] for a in wrote) == sorted(detractors_wrote)
        assert sum(a["sentiment"] == "negative" for a in wrote) >= 4

        # The monthly insight report for September reaches the CX team once.
        mailing = settings.model_copy(update={"insights_recipients": "cx@shop.example"})
        assert str(await mail_due_report(mailing, datetime.now(UTC))) == "2026-09"
        assert await mail_due_report(mailing, datetime.now(UTC)) is None
        [report] = [m for m in smtp.messages if m["To"] == "cx@shop.example"]
        body = report.get_body(("plain",)).get_content()
        assert "September 2026" in report["Subject"] + body
        assert "purchase" in body and "courier" in body.lower()
