"""Alice, an agent of the care team, follows up Anna in a real browser: she finds Anna's
case in the queue (overdue), notes what she did (her note has HTML in it, which stays
text), takes the case, and resolves it with a root cause from the team's list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import Page, expect

from surveys.models import CaseStatus, FollowUpCase, Team
from tests.browser.accessibility import assert_accessible
from tests.browser.live import LiveServer
from tests.browser.signing_in import person, sign_in
from tests.cases import a_case, care_journey, care_team
from tests.stories import ANNA

NOTE = "Called Anna <script>document.title='owned'</script> and offered a refund"


def annas_overdue_case(live: LiveServer, agent: str) -> FollowUpCase:
    """Anna's answer opened a case three hours ago, before Alice joined the team: it is
    overdue and nobody owns it."""

    async def open_it() -> FollowUpCase:
        await care_journey()
        case = await a_case(ANNA, opened_at=datetime.now(UTC) - timedelta(hours=3))
        await care_team(agent)
        return case

    return live.run(open_it)


def test_alice_follows_up_annas_overdue_case(live: LiveServer, page: Page):
    alice = person(live, "agent", "alice@shop.example")
    case = annas_overdue_case(live, alice)
    sign_in(page, live.url, alice)

    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cases")
    row = page.get_by_role("row", name=f"Case {case.id}")
    expect(row).to_contain_text("overdue by 1 h")
    expect(row).to_contain_text("detractor (NPS 3)")
    expect(row).to_contain_text("unassigned")
    assert_accessible(page)
    row.get_by_role("link", name=f"Case {case.id}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {case.id}: anna")
    expect(page.get_by_role("blockquote")).to_have_text("The parcel came two days late.")
    assert_accessible(page)
    page.get_by_label("Note (only the team sees it)").fill(NOTE)
    page.get_by_label("I reached the customer").check()
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_role("status")).to_have_text("Your note is on the timeline.")
    expect(page.get_by_role("list").filter(has_text="offered a refund")).to_contain_text(
        "<script>document.title='owned'</script>"
    )
    assert page.title() != "owned"

    page.get_by_label("Give the case to").select_option(label=f"me ({alice})")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_role("status")).to_have_text("The case is assigned.")
    expect(page.locator(".case-summary").first).to_contain_text(alice)

    page.get_by_label("Root cause").select_option("Late delivery")
    page.get_by_label("What was done (optional)").fill("Refunded the shipping.")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_contain_text("The case is resolved")
    expect(page.get_by_text("Resolved. Root cause: Late delivery.")).to_be_visible()
    assert_accessible(page)

    stored = live.run(lambda: FollowUpCase.get(id=case.id))
    assert stored.status == CaseStatus.RESOLVED and stored.owner_email == alice
    assert stored.root_cause == "Late delivery" and stored.first_responded_at is not None


def test_olivia_sets_up_the_care_team(live: LiveServer, page: Page):
    alice = person(live, "agent", "alice@shop.example")
    olivia = person(live, "admin", "olivia@shop.example")
    sign_in(page, live.url, olivia)

    page.get_by_role("link", name="Teams").click()
    page.get_by_label("Key").fill("care")
    page.get_by_label("Name", exact=True).fill("Customer care")
    page.get_by_label("Team email (optional)").fill("care@shop.example")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("status")).to_have_text("The team care is created.")
    page.get_by_label("Add a member").select_option(label=f"{alice} (agent)")
    page.get_by_role("button", name="Add to Customer care").click()
    expect(page.get_by_role("status")).to_have_text(f"{alice} is a member of care.")
    page.get_by_label("Root causes, one per line").fill("Late delivery\nDamaged parcel")
    page.get_by_role("button", name="Save root causes of Customer care").click()
    expect(page.get_by_role("status")).to_have_text("The root causes of care are saved.")
    expect(page.get_by_role("row", name=alice)).to_contain_text("takes cases")
    assert_accessible(page)

    team = live.run(lambda: Team.get(key="care").prefetch_related("members"))
    assert team.root_causes == ["Late delivery", "Damaged parcel"]
    assert [member.email for member in team.members] == [alice]
