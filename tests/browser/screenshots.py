"""The README's screenshots, taken from the real pages: `make screenshots` writes them into
docs/screenshots/. Not part of `make test` (its name does not start with test_), because
every run would rewrite the pictures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from surveys.models import Answer, Invitation
from surveys.responses import record_response
from tests.browser.conftest import PHONE
from tests.browser.live import LiveServer, LiveShop
from tests.browser.signing_in import person, sign_in
from tests.processes import ROOT
from tests.stories import ANNA, BEN, CHEN

SHOTS = ROOT / "docs" / "screenshots"
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


#: A week of answers: (who, which touchpoint's event, days ago, NPS, CSAT, comment).
WEEK = [
    (ANNA, "delivered", 6, 9, 5, "Quick delivery, the box was a bit dented."),
    (CHEN, "delivered", 6, 10, 5, "送货很快，包装很好。"),
    (BEN, "ticket_closed", 5, 6, 3, "It took three emails to get an answer."),
    (ANNA, "delivered", 4, 10, 5, None),
    (CHEN, "ticket_closed", 4, 8, 4, None),
    (BEN, "delivered", 3, 7, 4, "Fine, nothing special."),
    (ANNA, "ticket_closed", 2, 9, 4, "Sorted out on the first call."),
    (CHEN, "delivered", 1, 9, 5, None),
    (BEN, "delivered", 0, 3, 2, "The parcel sat at the depot for four days."),
]


def _a_week_of_business(live: LiveServer, shop: LiveShop) -> None:
    """Surveys sent to the cast over the last week, answered on different days."""
    for number, (customer, event, days_ago, nps, csat, comment) in enumerate(WEEK):
        invitation = getattr(shop, event)(f"W-{number}", customer, days_ago=7 + days_ago)
        answered = datetime.now(UTC) - timedelta(days=days_ago, hours=1)

        async def answer(
            i: Invitation = invitation,
            n: int = nps,
            c: int = csat,
            t: str | None = comment,
            at: datetime = answered,
        ) -> None:
            await record_response(i, nps=n, csat=c, comment=t)
            await Answer.filter(invitation_id=i.id).update(answered_at=at)

        live.run(answer)


def _save(page: Page, name: str, *, full_page: bool = True) -> None:
    page.screenshot(path=SHOTS / name, full_page=full_page, animations="disabled")


def test_take_the_screenshots(live: LiveServer, shop: LiveShop, new_page: Callable[..., Page]):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _a_week_of_business(live, shop)
    chen = shop.delivered("C-1", CHEN)
    anna = shop.delivered("A-1", ANNA)

    phone = new_page(**PHONE)
    phone.goto(shop.link_sent_for(anna))
    phone.get_by_role("radio", name="9", exact=True).tap()
    phone.get_by_role("radio", name="5 Very satisfied").tap()
    _save(phone, "survey-phone.png")
    phone.goto(shop.link_sent_for(chen))
    phone.get_by_role("radio", name="10", exact=True).tap()
    _save(phone, "survey-phone-zh-CN.png")

    page = new_page(**DESKTOP)
    email = person(live, "admin", "olivia@shop.example")
    page.goto(f"{live.url}/sign-in")
    page.get_by_label("Email").fill(email)
    page.screenshot(path=SHOTS / "sign-in.png", clip={"x": 0, "y": 0, "width": 800, "height": 440})
    sign_in(page, live.url, email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    _save(page, "dashboard.png")

    page.goto(f"{live.url}/journeys/shop")
    _save(page, "journey-map.png")

    page.goto(f"{live.url}/journeys/shop/edit")
    source = page.get_by_label("Journey YAML")
    source.fill(source.input_value().replace("delay: P7D, survey", "delay: next week, survey", 1))
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_role("alert")).to_be_visible()
    _save(page, "journey-editor-error.png")

    page.goto(f"{live.url}/outbox")
    _save(page, "outbox.png", full_page=False)

    taken = sorted(path.name for path in SHOTS.glob("*.png"))
    assert len(taken) >= 7, taken


def _a_care_queue(live: LiveServer, agent: str) -> int:
    """The care team's queue: Anna's case overdue, Ben's and Chen's due soon; Chen's has
    history (an earlier, resolved case). Returns the id of Anna's case."""
    from surveys.followups import Actor, add_note, resolve
    from tests.cases import a_case, care_journey, care_team

    async def fill() -> int:
        await care_journey()
        now = datetime.now(UTC)
        earlier = await a_case(
            CHEN, nps=4, comment="客服回复太慢。", opened_at=now - timedelta(days=40)
        )
        await resolve(earlier, Actor("user", None, agent), root_cause="Late delivery")
        anna = await a_case(ANNA, nps=2, opened_at=now - timedelta(hours=2, minutes=12))
        await care_team(agent)
        await a_case(BEN, nps=5, touchpoint="after-sales", opened_at=now - timedelta(minutes=85))
        chen = await a_case(
            CHEN, nps=6, comment="包装破损了。", opened_at=now - timedelta(minutes=20)
        )
        await add_note(chen, "Asked the courier for photos.", Actor("user", None, agent))
        return anna.id

    return live.run(fill)


def test_take_the_case_screenshots(live: LiveServer, new_page: Callable[..., Page]):
    SHOTS.mkdir(parents=True, exist_ok=True)
    agent = person(live, "agent", "alice@shop.example")
    case_id = _a_care_queue(live, agent)
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        page = new_page(**options)
        sign_in(page, live.url, agent)
        page.goto(f"{live.url}/cases")
        expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
        _save(page, f"cases-queue-{name}.png")
        page.goto(f"{live.url}/cases/{case_id}")
        expect(page.get_by_role("heading", level=1)).to_contain_text(f"Case {case_id}")
        _save(page, f"case-page-{name}.png")
    taken = sorted(path.name for path in SHOTS.glob("case*.png"))
    assert len(taken) == 4, taken


def test_take_the_review_screenshots(
    live: LiveServer, shop: LiveShop, new_page: Callable[..., Page]
):
    """The quarterly review of the shop after five quarters, on a desktop and printed."""
    from tests.browser.reviewing import a_year_of_answers

    SHOTS.mkdir(parents=True, exist_ok=True)
    a_year_of_answers(live)
    viewer = person(live, "viewer", "victor@shop.example")
    page = new_page(**DESKTOP)
    sign_in(page, live.url, viewer)
    page.goto(f"{live.url}/review/shop")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Shop: review of")
    _save(page, "review-desktop.png")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    _save(page, "review-print.png")
    taken = sorted(path.name for path in SHOTS.glob("review-*.png"))
    assert taken == ["review-desktop.png", "review-print.png"], taken
