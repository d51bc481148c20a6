"""The dashboard: this quarter's scores, the answers of the last 7 days and delivery health,
each figure checked against the invitations, answers, messages and opt-outs seeded for it."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from dispatch.models import Message, OptOut
from journeys.models import Journey, Touchpoint
from journeys.periods import current_period
from surveys.models import Invitation, InvitationStatus
from tests.console import signed_in
from tests.surveys.cases import answered, care_team, case_opened, follow_up_journey
from tests.surveys.factories import answers, invitations
from web.routes.dashboard import answers_per_day, delivery_health, last_days


@pytest.fixture
async def viewer(client: httpx.AsyncClient, shop_journey) -> httpx.AsyncClient:
    await signed_in(client, "viewer", "victor@shop.example")
    return client


async def with_status(touchpoint: Touchpoint, status: InvitationStatus, reasons: list[str | None]):
    """One scheduled invitation per reason, then moved to `status` with that reason."""
    await invitations(touchpoint, len(reasons), sent_at=None)
    fresh = (
        await Invitation.filter(
            touchpoint=touchpoint, status=InvitationStatus.SCHEDULED, reason=None
        )
        .order_by("-id")
        .limit(len(reasons))
    )
    for invitation, reason in zip(fresh, reasons, strict=True):
        await Invitation.filter(id=invitation.id).update(status=status, reason=reason)


def figure(page: str, label: str) -> int:
    found = re.search(rf'<th scope="row">{re.escape(label)}</th><td class="num">(\d+)</td>', page)
    assert found, label
    return int(found.group(1))


@pytest.fixture
async def seeded(shop_journey) -> Touchpoint:
    now = datetime.now(UTC)  # at seeding, not at import: a long run may cross midnight
    use = await Touchpoint.get(key="use")
    order = await Touchpoint.get(key="order")
    # scores this quarter: 30 promoters and 10 detractors on use, all satisfied
    await answers(use, 30, answered_at=now, nps=10, csat=5)
    await answers(order, 10, answered_at=now, nps=0, csat=5)
    # answers without scores on earlier days (comments), and one outside the 7 days
    await answers(use, 3, answered_at=now - timedelta(days=1))
    await answers(use, 2, answered_at=now - timedelta(days=6))
    await answers(use, 4, answered_at=now - timedelta(days=8))
    # delivery: 4 sent in the week (plus the 49 answered above), one sent long ago
    await invitations(use, 4, sent_at=now - timedelta(days=1))
    await invitations(use, 1, sent_at=now - timedelta(days=10))
    await with_status(use, InvitationStatus.FAILED, ["sms: invalid phone number", None])
    await with_status(use, InvitationStatus.UNKNOWN, ["gave up; may have reached the provider"])
    await with_status(
        use,
        InvitationStatus.SUPPRESSED,
        [
            "opted out (sms-stop 2026-11-23)",
            "opted out (api 2026-11-20)",
            "opted out",
            "contact policy: 2 surveys this quarter already, maximum 2",
            "lost to shop/order (higher priority)",
            "not sampled: 5% of product.viewed events are surveyed",
            "journey paused",
        ],
    )
    await with_status(
        use,
        InvitationStatus.SCHEDULED,
        ["outside the send window", "contact policy: surveyed 3 days ago by shop/order", None],
    )
    sent = await Invitation.filter(touchpoint=use, status=InvitationStatus.SENT).first()
    for status in ("delivered", "delivered", "failed", "sent"):
        await Message.create(
            invitation=sent, channel="sms", recipient="+1", body="b", status=status
        )
    for address in ("+14155550101", "+14155550102", "a@shop.example"):
        await OptOut.create(address=address, kind="phone", source="sms-stop")
    await OptOut.filter(address="+14155550102").update(revoked_at=now)
    await OptOut.create(address="+14155550103", kind="phone", source="sms-stop")
    await OptOut.filter(address="+14155550103").update(created_at=now - timedelta(days=9))
    return use


async def test_delivery_health_counts_the_week(seeded):
    week_ago = datetime.now(UTC) - timedelta(days=7)
    health = await delivery_health(await Journey.get(key="shop"), week_ago)

    assert health.sent == 40 + 3 + 2 + 4  # every invitation sent in the 7 days
    assert health.delivered == 2
    assert health.failed == 3
    assert (health.suppressed_opted_out, health.suppressed_contact_rule) == (3, 2)
    assert health.suppressed_other == 2
    assert health.held == 2


async def test_answers_are_counted_per_day_of_the_journey(seeded):
    journey = await Journey.get(key="shop")
    days = last_days(datetime.now(UTC), ZoneInfo(journey.timezone))

    counts = await answers_per_day(journey, days)

    assert counts[days[-1]] == 40
    assert counts[days[-2]] == 3
    assert counts[days[0]] == 2
    assert sum(counts.values()) == 45


async def test_the_dashboard_shows_the_figures(viewer, seeded):
    page = await viewer.get("/")

    assert page.status_code == 200
    text = page.text
    # NPS: 30 promoters, 10 detractors of 40: +50, above the target of 40
    assert re.search(
        r'<th scope="row">NPS</th><td class="num">\+50.0 ± [\d.]+</td>'
        r'<td class="num">40</td><td>above 40</td><td>met</td>',
        text,
    )
    assert '<th scope="row">CSAT</th><td class="num">100.0%</td><td class="num">40</td>' in text
    assert "Answers, last 7 days: 45" in text
    assert figure(text, "sent") == 49
    assert figure(text, "delivered (confirmed by the provider)") == 2
    assert figure(text, "failed") == 3
    assert figure(text, "suppressed: opted out") == 3
    assert figure(text, "suppressed: contact rule") == 2
    assert figure(text, "held now by a contact rule or the send window") == 2
    assert "Opt-outs in the last 7 days, across every journey: <strong>2</strong>" in text
    assert '<h2 id="followups">Follow-ups</h2>' in text


async def test_the_dashboard_of_an_empty_week_says_zero(viewer):
    page = await viewer.get("/")

    assert page.status_code == 200
    assert "Answers, last 7 days: 0" in page.text
    assert figure(page.text, "sent") == 0
    assert 'NPS</th><td class="num">—</td><td class="num">0</td>' in page.text


async def test_signed_out_the_dashboard_asks_to_sign_in(client):
    answer = await client.get("/")

    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")


def follow_up(page: str, label: str) -> tuple[str, str]:
    found = re.search(
        rf'<th scope="row">{re.escape(label)}</th><td class="num">([^<]*)</td>'
        rf'<td class="num">([^<]*)</td>',
        page,
    )
    assert found, label
    return found.group(1), found.group(2)


async def test_the_dashboard_shows_this_quarters_follow_ups_per_team(viewer):
    now = datetime.now(UTC)
    start, _ = current_period(now, ZoneInfo("UTC")).bounds(ZoneInfo("UTC"))
    await follow_up_journey({"first_response": "PT2H", "resolution": "P1D", "team": "care"})
    await care_team()
    opened = max(start, now - timedelta(hours=2))
    await case_opened(opened, responded=timedelta(hours=1), resolved=timedelta(hours=1.5), score=5)
    await case_opened(start - timedelta(days=1))  # last quarter's, still open and overdue
    await answered(nps=0)  # opened just now

    page = (await viewer.get("/")).text

    assert "Cases open now: <strong>2</strong>; overdue now: <strong>1</strong>" in page
    assert '<a href="/cases?overdue=1">' in page
    assert "Team care" in page
    assert follow_up(page, "cases opened") == ("2", "")
    assert follow_up(page, "first response, median") == ("1h", "1")
    assert follow_up(page, "resolution, 90th percentile") == ("1h30m", "1")
    assert follow_up(page, "first response within SLA") == ("100%", "1")
    assert follow_up(page, "satisfied with the resolution (target 90%)") == ("100%, met", "1")
    assert follow_up(page, "overdue now") == ("1", "")


async def test_with_no_cases_the_follow_ups_say_so(viewer):
    page = (await viewer.get("/")).text

    assert "Cases open now: <strong>0</strong>; overdue now: <strong>0</strong>" in page
    assert "No follow-up cases yet." in page
