"""The CX owner's console: journeys, the outbox, and the old report address.

/reports now leads to the quarterly review (tests/web/test_review_page.py reads the page
itself); these tests follow the redirect and check the report's old promises still hold.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dispatch.models import Message
from journeys.periods import current_period
from surveys.responses import record_response
from tests.console import signed_in
from tests.stories import ANNA as STORY_ANNA
from tests.stories import Shop, sent_invitation
from web.routes.console import describe_delay, linkify


@pytest.fixture(autouse=True)
async def viewer(client, db) -> str:
    """A viewer is signed in: every page here is for reading."""
    return await signed_in(client, "viewer")


async def test_the_outbox_shows_a_console_message_with_a_link(client, api_key, shop_journey):
    anna = await sent_invitation(client, api_key)
    link = f"http://testserver/s/{anna.token}"
    await Message.create(
        invitation=anna,
        channel="console",
        recipient="+14155550123",
        body=f"How was your delivery? 10 seconds: {link}. <script>alert(1)</script>",
        status="sent",
    )

    page = await client.get("/outbox")

    assert page.status_code == 200
    assert f'<a href="{link}" rel="noreferrer">{link}</a>.' in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>" not in page.text
    assert "<td>console</td>" in page.text and "+14155550123" in page.text
    assert "sent" in page.text
    # the link opens the survey the message invites to
    assert (await client.get(link.removeprefix("http://testserver"))).status_code == 200


async def test_the_outbox_lists_what_is_scheduled_and_when(client, api_key, shop_journey):
    shop = Shop(client, api_key)
    await shop.delivered("A-1", to=STORY_ANNA, days_ago=2)

    page = await client.get("/outbox")

    scheduled = page.text.split("<h2>Scheduled</h2>", 1)[1]
    invitation = await shop.invitation_for("A-1")
    assert f"{invitation.send_at:%Y-%m-%d %H:%M}" in scheduled
    assert "<td>use</td>" in scheduled and "<td>anna</td>" in scheduled


async def test_the_report_shows_the_touchpoint_table_with_numbers(client, api_key, shop_journey):
    scores = [(10, 5), (9, 4), (9, 4), (7, 3), (3, 1)]
    for index, (nps, csat) in enumerate(scores):
        customer = {"id": f"customer-{index}", "phone": f"+1415555010{index}"}
        invitation = await sent_invitation(client, api_key, customer, event_id=f"evt-{index}")
        await record_response(invitation, nps=nps, csat=csat, comment=None)
    await sent_invitation(client, api_key, {"id": "silent", "phone": "+14155550199"}, "evt-9")
    period = current_period(datetime.now(UTC), ZoneInfo("UTC"))

    page = await client.get("/reports", params={"journey": "shop"}, follow_redirects=True)

    assert page.status_code == 200
    assert f"Shop: review of {period}" in page.text
    row = page.text[page.text.index('id="row-use"') :].split("</tr>")[0]
    assert "+40.0 ± " in row  # 3 promoters, 1 detractor of 5
    assert "60.0%" in row and "(n=5)" in row  # 3 of 5 satisfied
    assert "83.3%" in row and "(5/6)" in row  # response rate
    assert "low sample" in row
    assert f"/review/shop/{period.previous()}" in page.text
    assert f"/review/shop/{period.next()}" in page.text


async def test_a_past_quarter_can_be_chosen(client, shop_journey):
    page = await client.get(
        "/reports", params={"journey": "shop", "period": "2025-Q4"}, follow_redirects=True
    )

    assert page.status_code == 200
    assert "Shop: review of 2025-Q4" in page.text
    assert "2025-10-01 to 2025-12-31, in the journey's time zone (UTC)" in page.text
    assert "/review/shop/2025-Q3" in page.text and "/review/shop/2026-Q1" in page.text


async def test_a_bad_period_gets_a_400_page_saying_so(client, shop_journey):
    page = await client.get(
        "/reports", params={"journey": "shop", "period": "2026-Q5"}, follow_redirects=True
    )

    assert page.status_code == 400
    assert "2026-Q5" in page.text and "Q1 to Q4" in page.text


async def test_an_unknown_journey_gets_a_404_page(client, shop_journey):
    page = await client.get("/reports", params={"journey": "nope"}, follow_redirects=True)

    assert page.status_code == 404
    assert "no journey with the key &#39;nope&#39;" in page.text


async def test_without_a_journey_the_report_page_offers_the_journeys(client, shop_journey):
    page = await client.get("/reports", follow_redirects=True)

    assert page.status_code == 200
    assert 'href="/review/shop"' in page.text


def test_links_in_a_message_are_escaped_before_they_are_linked():
    assert linkify('see "https://x.test/s/a?b=1&c=2" now') == (
        'see &#34;<a href="https://x.test/s/a?b=1&amp;c=2" rel="noreferrer">'
        "https://x.test/s/a?b=1&amp;c=2</a>&#34; now"
    )
    assert linkify("javascript:alert(1) <https://x.test/s/a>") == (
        'javascript:alert(1) &lt;<a href="https://x.test/s/a" rel="noreferrer">'
        "https://x.test/s/a</a>&gt;"
    )


def test_delays_read_as_a_cx_owner_says_them():
    from datetime import timedelta

    assert describe_delay(timedelta(0)) == "at once"
    assert describe_delay(timedelta(days=1, hours=12)) == "1 day 12 hours"
    assert describe_delay(timedelta(minutes=90)) == "1 hour 30 minutes"
