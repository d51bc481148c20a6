"""Dave's parcel came late: the loop closed, step by step, as the service team lives it.

Dave answers the delivery survey on a Monday at 10:00 as a detractor. A case opens for the
logistics team with its first response due at 12:00 (business hours, 09:00-18:00 in
London); Lena, the team's agent, is emailed, and the shop's CRM gets a signed
`case.opened`. Nobody acts: one reminder reaches Lena before 12:00, and at 12:00 the case
shows as overdue in the queue. Lena texts Dave, resolves the case with its root cause, the
resolution survey goes out by SMS inside Dave's send window, Dave answers 5, and the
figures read what happened: first response after 2 h 05, SLA missed, resolution
satisfaction 100%.

The story runs on Monday 30 November 2026 whatever day it is run (the clock travels); the
worker, Redis, SMTP, Twilio and the webhook receiver are real and on loopback.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import httpx
import time_machine

from dispatch.models import Message, WebhookEndpoint
from journeys.loader import load_journey
from journeys.store import apply_journey
from surveys.models import CaseStatus, FollowUpCase, Team, TeamMember
from tests.conftest import SHOP_JOURNEY
from tests.console import post_form, signed_in
from tests.servers.webhooks import WebhookReceiver
from tests.stories import Person, Shop, run_worker_until_idle
from web.runtime import Runtime
from web.users import find_user

DAVE = Person("dave", phone="+447911123456", first_name="Dave")
LENA = "lena@shop.example"
#: 10:00 in London (GMT in winter) on a Monday.
MONDAY_10 = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
SECRET = "whsec_the_crm_knows_this"
#: The story's clock moves on while the code runs, as a real one does: by a few seconds.
SECONDS = timedelta(seconds=10)


def story_journey() -> str:
    """The shop's journey, in London, with the logistics team following up in business hours."""
    text = SHOP_JOURNEY.read_text("utf-8")
    text = text.replace("timezone: UTC", "timezone: Europe/London")
    text = text.replace(
        'send_window: {start: "00:00", end: "24:00"}',
        'send_window: {start: "08:00", end: "21:00"}\n'
        "follow_up: {first_response: PT2H, resolution: PT24H, hours: business, team: logistics}\n"
        'business_hours: {start: "09:00", end: "18:00", days: [mon, tue, wed, thu, fri]}',
    )
    return text


async def setting_up(client: httpx.AsyncClient, receiver: WebhookReceiver) -> None:
    text = story_journey()
    await apply_journey(load_journey(text, source="story.yaml"), text)
    client.follow_redirects = False  # signing in checks the form's own redirect
    await signed_in(client, "agent", LENA)
    client.follow_redirects = True
    lena = await find_user(LENA)
    team = await Team.create(
        key="logistics", name="Logistics", root_causes=["carrier delay", "wrong address"]
    )
    await TeamMember.create(team=team, user_id=lena.id, email=LENA)
    await WebhookEndpoint.create(
        url=receiver.url, secret=SECRET, events=["case.opened", "case.resolved"]
    )
    receiver.secret = SECRET


async def test_a_detractor_is_followed_up_and_the_loop_closes(
    shop: Shop, browser: httpx.AsyncClient, live: Runtime, twilio, smtp, receiver, api_key
):
    with time_machine.travel(MONDAY_10 - timedelta(minutes=15), tick=True) as clock:
        await setting_up(browser, receiver)
        await shop.delivered("D-1", to=DAVE, days_ago=8)
        await run_worker_until_idle(live)
        [survey_sms] = twilio.messages
        invitation = await shop.invitation_for("D-1")

        # Monday 10:00: Dave answers, unhappy.
        clock.move_to(MONDAY_10)
        answered = await browser.post(
            f"/s/{invitation.token}",
            data={"nps": "3", "csat": "2", "comment": "The parcel came three days late."},
        )
        assert answered.status_code == 200
        case = await FollowUpCase.get(invitation_id=invitation.id)
        assert (case.team_key, case.owner_email, case.reason) == ("logistics", LENA, "detractor")
        noon = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
        assert case.first_response_due_at - case.opened_at == timedelta(hours=2)
        assert noon <= case.first_response_due_at < noon + SECONDS

        await run_worker_until_idle(live)
        [opened] = [m for m in smtp.messages if m["To"] == LENA]
        assert f"/cases/{case.id}" in opened.get_body(("plain",)).get_content()
        assert "three days late" in opened.get_body(("plain",)).get_content()
        [announced] = [p for p in receiver.posts if p.event_type == "case.opened"]
        assert announced.signed is True
        assert announced.json()["data"]["case_id"] == case.id

        # Nobody acts: one reminder before 12:00, however often the worker runs.
        clock.move_to(MONDAY_10 + timedelta(minutes=91))
        await run_worker_until_idle(live)
        await run_worker_until_idle(live)
        to_lena = [m for m in smtp.messages if m["To"] == LENA]
        assert len(to_lena) == 2
        assert "due" in to_lena[1]["Subject"].lower()

        # 12:00: overdue in the queue.
        clock.move_to(MONDAY_10 + timedelta(hours=2, seconds=30))
        queue = await browser.get("/cases", params={"overdue": "1"})
        assert queue.status_code == 200
        assert f"/cases/{case.id}" in queue.text
        assert "overdue" in queue.text.lower()

        # 12:05: Lena texts Dave from the case, then resolves it.
        clock.move_to(MONDAY_10 + timedelta(hours=2, minutes=5))
        page = f"/cases/{case.id}"
        sorry = "Hi Dave, sorry about the wait: your next delivery is on us."
        replied = await post_form(
            browser, f"{page}/reply", {"channel": "sms", "body": sorry}, page=page
        )
        assert replied.status_code == 200, replied.text
        assert twilio.messages[-1].to == DAVE.phone
        assert twilio.messages[-1].body == sorry

        clock.move_to(MONDAY_10 + timedelta(hours=2, minutes=20))
        resolved = await post_form(
            browser,
            f"{page}/resolve",
            {"root_cause": "carrier delay", "note": "Refund of delivery fee."},
            page=page,
        )
        assert resolved.status_code == 200, resolved.text
        case = await FollowUpCase.get(id=case.id)
        assert case.status == CaseStatus.RESOLVED and case.root_cause == "carrier delay"

        # The resolution survey goes out by SMS, inside Dave's window (London, 08:00-21:00).
        await run_worker_until_idle(live)
        survey = await Message.get(case_id=case.id, purpose="resolution-survey")
        assert survey.channel == "sms" and survey.recipient == DAVE.phone
        link = re.search(r"/r/[A-Za-z0-9_-]+", twilio.messages[-1].body)
        assert link is not None, twilio.messages[-1].body

        clock.move_to(MONDAY_10 + timedelta(hours=3))
        answered = await browser.post(link.group(0), data={"score": "5"})
        assert answered.status_code == 200

        await run_worker_until_idle(live)
        assert [p.event_type for p in receiver.posts] == ["case.opened", "case.resolved"]

        figures = await browser.get(
            "/api/v1/cases/figures",
            params={"period": "2026-Q4", "group_by": "team"},
            headers={"Authorization": f"Bearer {api_key}"},
        )
        assert figures.status_code == 200, figures.text
        [logistics] = [g for g in figures.json()["figures"] if g["team"] == "logistics"]
        assert logistics["opened"] == 1
        waited = timedelta(seconds=logistics["first_response"]["median_seconds"])
        assert timedelta(hours=2, minutes=5) <= waited < timedelta(hours=2, minutes=5) + SECONDS
        assert logistics["first_response_within_sla"] == {"percent": 0.0, "met": 0, "n": 1}
        assert logistics["resolution_within_sla"]["met"] == 1
        assert logistics["resolution_satisfaction"]["percent"] == 100.0
        assert logistics["resolution_satisfaction"]["target_met"] is True
        assert len(survey_sms.body) > 0
