"""The agents' queue and the case page: Alice, an agent of the care team, follows up Anna,
who gave the shop a 3 and said the parcel came late. Bob is an agent of no team."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.optouts import opt_out
from surveys.models import CaseNote, CaseStatus, FollowUpCase
from tests.cases import a_case, care_journey, care_team
from tests.console import form_token, post_form, sign_in, signed_in
from tests.stories import ANNA, BEN, CHEN
from web.models import AuditEvent
from web.users import create_user

ALICE = "alice@shop.example"
BOB = "bob@shop.example"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
async def care(client, db) -> None:
    """The shop's cases go to care, whose one member is Alice; Alice is signed in."""
    await care_journey()
    await signed_in(client, "agent", ALICE)
    await create_user(BOB, "agent", PASSWORD)
    await care_team(ALICE)


def row_of(page: str, case: FollowUpCase) -> str:
    start = page.index(f'href="/cases/{case.id}"')
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def notes_of(case: FollowUpCase) -> list[CaseNote]:
    return await CaseNote.filter(case_id=case.id).order_by("id")


# -- the queue -------------------------------------------------------------------------


async def test_the_queue_shows_annas_case_with_its_reason_owner_and_due_time(client):
    case = await a_case(ANNA, nps=3)

    page = await client.get("/cases")

    assert page.status_code == 200
    row = text_of(row_of(page.text, case))
    assert "anna +14•••••0123" in row
    assert "shop / use" in row and "detractor (NPS 3)" in row
    assert "care" in row and ALICE in row  # round-robin gave it to Alice
    assert re.search(r"due in 1 h 5\d min \d{4}-\d\d-\d\d \d\d:\d\d UTC", row), row
    assert "open" in row and "overdue" not in row
    assert ANNA.phone not in page.text  # the queue masks the phone


async def test_an_overdue_case_says_so_in_words_and_the_overdue_filter_keeps_it_alone(client):
    late = await a_case(ANNA, opened_at=datetime.now(UTC) - timedelta(hours=2, minutes=13))
    fresh = await a_case(CHEN)

    page = await client.get("/cases?overdue=1")

    assert page.status_code == 200
    row = row_of(page.text, late)
    assert 'class="overdue"' in row
    assert re.search(r"overdue by 1[23] min", text_of(row)), text_of(row)
    assert f'href="/cases/{fresh.id}"' not in page.text


async def test_the_queue_is_sorted_by_the_next_due_time(client):
    later = await a_case(ANNA, opened_at=datetime.now(UTC) - timedelta(minutes=5))
    sooner = await a_case(CHEN, opened_at=datetime.now(UTC) - timedelta(minutes=50))

    page = (await client.get("/cases")).text

    assert page.index(f'href="/cases/{sooner.id}"') < page.index(f'href="/cases/{later.id}"')


async def test_an_agent_sees_her_teams_cases_by_default_and_others_on_asking(client):
    await a_case(ANNA)
    await client.post("/sign-out", data={"csrf_token": await form_token(client, "/cases")})
    await sign_in(client, BOB)

    mine = await client.get("/cases")
    every = await client.get("/cases?team=any")

    assert "No cases in this view." in mine.text
    assert "anna" in text_of(every.text)


async def test_owner_status_journey_and_touchpoint_filters(client):
    mine = await a_case(ANNA)
    await FollowUpCase.filter(id=mine.id).update(owner_id=None, owner_email=None)
    other = await a_case(BEN, touchpoint="after-sales")

    unassigned = (await client.get("/cases?owner=unassigned")).text
    by_me = (await client.get("/cases?owner=me")).text
    after_sales = (await client.get("/cases?journey=shop&touchpoint=after-sales")).text
    resolved = (await client.get("/cases?status=resolved")).text

    assert f"/cases/{mine.id}" in unassigned and f"/cases/{other.id}" not in unassigned
    assert f"/cases/{other.id}" in by_me and f"/cases/{mine.id}" not in by_me
    assert f"/cases/{other.id}" in after_sales and f"/cases/{mine.id}" not in after_sales
    assert "No cases in this view." in resolved


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("status=closed", "&#39;closed&#39; is not one of: active, open, waiting, resolved"),
        ("owner=boss", "&#39;boss&#39; is not one of: anyone, me, unassigned"),
        ("team=nope", "there is no team &#39;nope&#39;"),
        ("journey=Shop!", "is not a journey key"),
        ("journey=shop&touchpoint=nowhere", "no touchpoint &#39;nowhere&#39; in the journey"),
        ("overdue=maybe", "overdue is 1"),
        ("page=0", "page is a whole number from 1"),
    ],
)
async def test_a_bad_filter_is_a_400_that_says_what_was_wrong(client, query, message):
    await a_case(ANNA)

    page = await client.get(f"/cases?{query}")

    assert page.status_code == 400
    assert message in page.text
    assert "anna" not in text_of(page.text.split("</form>")[-1])


async def test_a_viewer_may_not_open_the_queue(client, runtime):
    await client.post("/sign-out", data={"csrf_token": await form_token(client, "/cases")})
    await create_user("vera@shop.example", "viewer", PASSWORD)
    await sign_in(client, "vera@shop.example")

    page = await client.get("/cases")

    assert page.status_code == 403
    assert "agent or admin" in page.text


# -- the case page ---------------------------------------------------------------------


async def test_the_case_page_shows_the_answer_history_timeline_and_earlier_cases(client):
    earlier = await a_case(CHEN, nps=5, opened_at=datetime.now(UTC) - timedelta(days=30))
    case = await a_case(CHEN, nps=2, comment="送货太慢了 <b>really</b>")

    page = await client.get(f"/cases/{case.id}")

    assert page.status_code == 200
    text = text_of(page.text)
    assert f"Case {case.id}: chen" in text
    assert "NPS 2 of 10" in text
    assert "送货太慢了 &lt;b&gt;really&lt;/b&gt;" in page.text
    for heading in ("The customer's answer", "Timeline", "History with us", "Work on the case"):
        assert f">{heading}</h2>" in page.text
    assert "Opened: the customer is a detractor." in text
    assert f"Assigned to {ALICE} (round-robin)." in text
    history = page.text.split('id="history-heading"')[1]
    assert text_of(history).count("answered by sms") == 2
    assert "survey by sms, sent" in text_of(history)
    assert "NPS 5 (web)" in text_of(history)
    assert f'href="/cases/{earlier.id}"' in page.text.split('id="earlier-heading"')[1]


async def test_the_reply_form_offers_only_the_addresses_the_customer_has(client):
    anna = await a_case(ANNA)
    chen = await a_case(CHEN)

    only_sms = (await client.get(f"/cases/{anna.id}")).text
    both = (await client.get(f"/cases/{chen.id}")).text

    assert f'action="/cases/{anna.id}/reply"' in only_sms
    assert f'<option value="sms">SMS to {ANNA.phone}</option>' in only_sms
    assert 'value="email"' not in only_sms.split("reply-channel")[1].split("</select>")[0]
    assert f'<option value="email">Email to {CHEN.email}</option>' in both


async def test_an_opted_out_address_is_not_offered_for_a_reply(client):
    case = await a_case(CHEN)
    await opt_out(CHEN.phone, "phone", "sms-stop")

    page = (await client.get(f"/cases/{case.id}")).text

    choices = page.split('id="reply-channel"')[1].split("</select>")[0]
    assert 'value="sms"' not in choices and 'value="email"' in choices
    assert f"Not by SMS to {CHEN.phone}: the customer opted out." in page


async def test_an_unknown_case_is_a_404(client):
    assert (await client.get("/cases/999")).status_code == 404


# -- changing a case -------------------------------------------------------------------


async def test_a_note_with_html_is_kept_as_typed_and_shown_as_text(client):
    case = await a_case(ANNA)
    typed = "Called her <script>alert('x')</script> & left a message"

    answer = await post_form(
        client, f"/cases/{case.id}/notes", {"body": typed}, page=f"/cases/{case.id}"
    )

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{case.id}?done=noted"
    page = await client.get(answer.headers["location"])
    assert "Your note is on the timeline." in page.text
    assert "<script>alert" not in page.text
    assert (
        "Called her &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; left a message"
        in page.text
    )
    assert (await notes_of(case))[-1].body == typed
    audit = await AuditEvent.get(action="case.note_added")
    assert audit.target == f"case {case.id}" and audit.actor_label == ALICE


async def test_i_reached_the_customer_stops_the_first_response_clock(client):
    case = await a_case(ANNA)

    await post_form(
        client,
        f"/cases/{case.id}/notes",
        {"body": "Called, she is fine now", "reached": "1"},
        page=f"/cases/{case.id}",
    )

    stored = await FollowUpCase.get(id=case.id)
    assert stored.first_responded_at is not None
    assert stored.next_due_at == stored.resolution_due_at


async def test_an_empty_note_is_a_form_error_and_nothing_is_written(client):
    case = await a_case(ANNA)
    before = len(await notes_of(case))

    answer = await post_form(
        client, f"/cases/{case.id}/notes", {"body": "  "}, page=f"/cases/{case.id}"
    )

    assert answer.status_code == 400
    assert "write something" in answer.text
    assert len(await notes_of(case)) == before


async def test_alice_gives_the_case_back_to_the_team_and_takes_it_again(client):
    case = await a_case(ANNA)
    path = f"/cases/{case.id}"

    back = await post_form(client, f"{path}/assign", {"owner": "nobody"}, page=path)
    stored = await FollowUpCase.get(id=case.id)
    assert back.status_code == 303 and stored.owner_id is None
    mine = await post_form(client, f"{path}/assign", {"owner": "me"}, page=path)

    stored = await FollowUpCase.get(id=case.id)
    assert mine.status_code == 303 and stored.owner_email == ALICE
    assert [e.detail for e in await AuditEvent.filter(action="case.assigned").order_by("id")] == [
        {"owner": None},
        {"owner": ALICE},
    ]


async def test_a_case_is_not_given_to_someone_outside_the_team(client):
    case = await a_case(ANNA)
    bob = await create_user("bob2@shop.example", "agent", PASSWORD)

    answer = await post_form(
        client, f"/cases/{case.id}/assign", {"owner": str(bob.id)}, page=f"/cases/{case.id}"
    )

    assert answer.status_code == 400
    assert "choose someone of the case&#39;s team" in answer.text
    assert (await FollowUpCase.get(id=case.id)).owner_email == ALICE


async def test_waiting_on_the_customer_and_resuming(client):
    case = await a_case(ANNA)
    path = f"/cases/{case.id}"

    waiting = await post_form(client, f"{path}/wait", {}, page=path)
    assert waiting.status_code == 303
    assert (await FollowUpCase.get(id=case.id)).status == CaseStatus.WAITING
    resumed = await post_form(client, f"{path}/resume", {}, page=path)

    assert resumed.status_code == 303
    assert (await FollowUpCase.get(id=case.id)).status == CaseStatus.OPEN
    assert {e.action for e in await AuditEvent.filter(action__startswith="case.")} == {
        "case.waiting",
        "case.resumed",
    }


async def test_alice_resolves_with_a_root_cause_and_a_second_resolve_is_a_409(client):
    case = await a_case(ANNA)
    path = f"/cases/{case.id}"
    token = await form_token(client, path)

    done = await client.post(
        f"{path}/resolve",
        data={"csrf_token": token, "root_cause": "Late delivery", "note": "Refunded shipping"},
    )
    notes = len(await notes_of(case))
    again = await client.post(
        f"{path}/resolve", data={"csrf_token": token, "root_cause": "Damaged parcel"}
    )

    assert done.status_code == 303
    stored = await FollowUpCase.get(id=case.id)
    assert stored.status == CaseStatus.RESOLVED and stored.root_cause == "Late delivery"
    assert stored.resolution_survey_status == "scheduled"
    assert again.status_code == 409
    assert f"case {case.id} is resolved, not open or waiting; nothing was changed" in again.text
    assert (await FollowUpCase.get(id=case.id)).root_cause == "Late delivery"
    assert len(await notes_of(case)) == notes
    assert await AuditEvent.filter(action="case.resolved").count() == 1


async def test_resolving_needs_a_root_cause_from_the_teams_list(client):
    case = await a_case(ANNA)
    path = f"/cases/{case.id}"

    none = await post_form(client, f"{path}/resolve", {"root_cause": ""}, page=path)
    other = await post_form(client, f"{path}/resolve", {"root_cause": "Bad luck"}, page=path)

    assert none.status_code == 400 and "choose the root cause" in none.text
    assert other.status_code == 400 and "team&#39;s root causes" in other.text
    assert (await FollowUpCase.get(id=case.id)).status == CaseStatus.OPEN


async def test_bob_may_read_but_not_act_on_cares_case(client):
    case = await a_case(ANNA)
    path = f"/cases/{case.id}"
    await client.post("/sign-out", data={"csrf_token": await form_token(client, path)})
    await sign_in(client, BOB)
    before = len(await notes_of(case))

    page = await client.get(path)
    note = await post_form(client, f"{path}/notes", {"body": "mine now"}, page=path)
    taken = await post_form(client, f"{path}/assign", {"owner": "me"}, page=path)
    resolved = await post_form(
        client, f"{path}/resolve", {"root_cause": "Late delivery"}, page=path
    )

    assert page.status_code == 200 and "you may read it but not act on it" in page.text
    assert f'action="{path}/notes"' not in page.text
    assert [note.status_code, taken.status_code, resolved.status_code] == [403, 403, 403]
    assert "which you are not a member of" in note.text
    stored = await FollowUpCase.get(id=case.id)
    assert (stored.owner_email, stored.status) == (ALICE, CaseStatus.OPEN)
    assert len(await notes_of(case)) == before
    assert not await AuditEvent.filter(action__startswith="case.").exists()
