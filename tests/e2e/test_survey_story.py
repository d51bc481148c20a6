"""From the first event to the quarterly score, through every real part.

A shop posts an order that was delivered eight days ago. The worker, on a real Redis,
sends the survey through the `twilio` library to a Twilio-compatible server on loopback
(or by SMTP to an aiosmtpd server). The customer opens the link from the message that
server received, answers 9 and 5, and the report reads n=1, NPS 100, CSAT 100.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from journeys.periods import current_period
from surveys.models import Invitation, InvitationStatus
from tests.servers.settings import SENDER
from tests.stories import ANNA, BEN, run_worker_until_idle

LINK = re.compile(r"http://testserver/s/[A-Za-z0-9_-]+")


async def answer_survey(browser, link: str, nps: int, csat: int) -> None:
    page = await browser.get(link)
    assert page.status_code == 200
    assert "How likely are you to recommend us" in page.text
    thanks = await browser.post(link, data={"nps": str(nps), "csat": str(csat), "comment": ""})
    assert thanks.status_code == 200
    assert "Thank you" in thanks.text


async def read_report(browser, api_key: str) -> dict:
    period = current_period(datetime.now(UTC), ZoneInfo("UTC"))
    answer = await browser.get(
        f"/api/v1/reports/touchpoints?journey=shop&period={period}",
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert answer.status_code == 200, answer.text
    return {row["touchpoint"]: row for row in answer.json()["touchpoints"]}


async def test_anna_answers_the_sms_survey_and_the_use_touchpoint_scores_100(
    shop, browser, live, twilio, shop_journey, api_key
):
    await shop.delivered("A-1", to=ANNA, days_ago=8)

    await run_worker_until_idle(live)

    [sms] = twilio.messages
    assert (sms.to, sms.from_) == (ANNA.phone, SENDER)
    assert sms.status_callback == "http://testserver/twilio/status"
    invitation = await shop.invitation_for("A-1")
    assert invitation.status == InvitationStatus.SENT
    link = LINK.search(sms.body).group(0)
    assert link.endswith(invitation.token)

    await answer_survey(browser, link, nps=9, csat=5)

    use = (await read_report(browser, api_key))["use"]
    assert use["n"] == 1
    assert use["nps"]["score"] == 100
    assert use["csat"]["score"] == 100
    assert (await Invitation.get(id=invitation.id)).status == InvitationStatus.ANSWERED


async def test_ben_answers_the_email_survey_with_one_tap_and_the_score_counts(
    shop, browser, live, smtp, twilio, shop_journey, api_key
):
    await shop.delivered("B-1", to=BEN, days_ago=8)

    await run_worker_until_idle(live)

    [email] = smtp.messages
    assert email["To"] == BEN.email
    assert not twilio.messages
    text = email.get_body(("plain",)).get_content()
    html = email.get_body(("html",)).get_content()
    link = LINK.search(text).group(0)
    assert f'href="{link}?score=9"' in html

    tapped = await browser.get(f"{link}?score=9")
    assert tapped.status_code == 200
    await answer_survey(browser, link, nps=9, csat=5)

    use = (await read_report(browser, api_key))["use"]
    assert (use["n"], use["nps"]["score"], use["csat"]["score"]) == (1, 100, 100)
