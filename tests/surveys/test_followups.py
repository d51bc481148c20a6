"""Follow-up cases, as the care team lives them: an unhappy answer opens one case, round-robin
gives it to the agent who has waited longest, the agent notes, responds, waits on the
customer, resolves with a root cause; the clocks, the queue and the outbox follow."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.business_hours import due_after
from surveys.followups import (
    SYSTEM,
    Actor,
    CaseConflict,
    CaseError,
    add_note,
    assign,
    case_queue,
    is_overdue,
    open_case,
    record_first_response,
    resolve,
    resume,
    wait_on_customer,
)
from surveys.models import CaseNote, CaseStatus, FollowUpCase, OutboxEvent, TeamMember
from surveys.responses import record_response
from tests.surveys.cases import ALICE, BOB, CAROL, ROOT_CAUSES, answered, care_team, invitation
from tests.surveys.cases import follow_up_journey as journey

ALICE_ACTS = Actor("user", ALICE.user_id, ALICE.email)
CARE = {"first_response": "PT2H", "resolution": "P1D", "team": "care"}


async def timeline(case: FollowUpCase) -> list[str]:
    return [n.body for n in await CaseNote.filter(case_id=case.id).order_by("id")]


async def events(type: str) -> list[dict]:
    return [e.data for e in await OutboxEvent.filter(type=type).order_by("id")]


async def stored(case: FollowUpCase) -> FollowUpCase:
    return await FollowUpCase.get(id=case.id)


@pytest.fixture
async def care(db):
    await journey(CARE)
    return await care_team()


# -- a case opens ----------------------------------------------------------------------


async def test_a_detractors_answer_opens_one_case_with_its_due_times_and_reason(care):
    _, answer, case = await answered(nps=3, csat=4, comment="Late again")

    assert case is not None
    assert (case.reason, case.status, case.team_key) == ("detractor", CaseStatus.OPEN, "care")
    assert case.opened_at == answer.answered_at
    assert case.first_response_due_at == answer.answered_at + timedelta(hours=2)
    assert case.resolution_due_at == answer.answered_at + timedelta(days=1)
    assert case.next_due_at == case.first_response_due_at
    assert case.answer_id == answer.id and case.journey_key == "shop"  # type: ignore[attr-defined]
    assert (await timeline(case))[0] == "Opened: the customer is a detractor."


async def test_a_second_answer_to_the_same_invitation_opens_no_second_case(care):
    invitation, _, _ = await answered(nps=3)
    turns = await TeamMember.all().order_by("id").values_list("last_assigned_at", flat=True)

    await record_response(invitation, nps=0, csat=1, comment="Worse", partial=True)

    assert await FollowUpCase.filter(invitation_id=invitation.id).count() == 1
    assert len(await events("case.opened")) == 1
    assert await TeamMember.all().order_by("id").values_list("last_assigned_at", flat=True) == turns


async def test_a_passive_answer_opens_none_but_is_announced(care):
    _, answer, case = await answered(nps=7, csat=3)

    assert case is None
    assert await FollowUpCase.all().count() == 0
    assert [e["response_id"] for e in await events("response.created")] == [answer.id]


@pytest.mark.parametrize(("csat", "opens"), [(1, True), (2, True), (3, False), (5, False)])
async def test_a_csat_of_1_or_2_opens_a_case(care, csat, opens):
    _, _, case = await answered("ship", csat=csat)

    assert (case.reason if case else None) == ("low-csat" if opens else None)


async def test_a_passive_who_asks_to_be_contacted_gets_a_case(care):
    _, _, case = await answered(nps=8, contact_requested=True)

    assert case is not None and case.reason == "contact-request"


async def test_a_request_to_be_contacted_without_an_answer_opens_a_case(care):
    found = await invitation()
    case = await open_case(found, contact_requested=True)

    assert case is not None and case.answer_id is None  # type: ignore[attr-defined]
    assert await open_case(found, contact_requested=True) is None


async def test_a_journey_with_follow_up_off_opens_none(db):
    await journey("off")

    _, _, case = await answered(nps=0, csat=1)

    assert case is None and not await events("case.opened")


async def test_a_touchpoints_own_rule_overrides_the_journeys(db):
    await journey(CARE, ship="off", use={"when": {"nps_at_most": 3}, "first_response": "PT4H"})

    _, _, quiet = await answered("ship", csat=1)
    _, _, passive_enough = await answered("use", nps=5)
    _, answer, opened = await answered("use", nps=2)

    assert quiet is None and passive_enough is None
    assert opened is not None and opened.team_key == "care"
    assert opened.first_response_due_at == answer.answered_at + timedelta(hours=4)


async def test_business_hours_clocks_come_from_the_journeys_calendar(db):
    definition = await journey(CARE | {"hours": "business"})
    tz = ZoneInfo(definition.timezone)
    try:
        due_after(datetime.now(UTC), timedelta(hours=2), definition.business_hours, tz)
    except NotImplementedError:
        pytest.skip("business-hours arithmetic is not in this checkout yet")

    _, answer, case = await answered(nps=1)

    assert case is not None and case.hours == "business"
    hours = definition.business_hours
    assert case.first_response_due_at == due_after(
        answer.answered_at, timedelta(hours=2), hours, tz
    )
    assert case.resolution_due_at == due_after(answer.answered_at, timedelta(days=1), hours, tz)


# -- who gets it -----------------------------------------------------------------------


async def test_round_robin_gives_each_case_to_the_longest_waiting_agent_who_takes_cases(care):
    await TeamMember.filter(user_id=ALICE.user_id).update(
        last_assigned_at=datetime.now(UTC) - timedelta(hours=2)
    )

    owners = [(await answered(nps=2))[2].owner_email for _ in range(4)]  # type: ignore[union-attr]

    assert owners == [BOB.email, ALICE.email, BOB.email, ALICE.email]  # never Carol, on leave
    assert (await TeamMember.get(user_id=CAROL.user_id)).last_assigned_at is None
    first = await FollowUpCase.all().order_by("id").first()
    assert f"Assigned to {BOB.email} (round-robin)." in await timeline(first)  # type: ignore[arg-type]


async def test_a_team_where_nobody_takes_cases_leaves_the_case_to_the_team(care):
    await TeamMember.all().update(takes_cases=False)

    _, _, case = await answered(nps=2)

    assert case is not None and case.team_key == "care" and case.owner_id is None


async def test_an_agent_assigns_by_hand_and_back_to_the_team(care):
    _, _, case = await answered(nps=2)
    assert case is not None and case.owner_email == ALICE.email  # never given one, first

    await assign(case, user_id=BOB.user_id, email=BOB.email, actor=ALICE_ACTS)
    assert (case.owner_id, (await stored(case)).owner_email) == (BOB.user_id, BOB.email)
    await assign(case, user_id=None, email=None, actor=ALICE_ACTS)

    assert (await stored(case)).owner_id is None
    assert (await timeline(case))[-2:] == [
        f"Assigned to {BOB.email}.",
        "Unassigned: back to the team.",
    ]
    with pytest.raises(CaseError) as raised:
        await assign(case, user_id=ALICE.user_id, email=None, actor=ALICE_ACTS)
    assert raised.value.field == "owner"


# -- working the case ------------------------------------------------------------------


async def test_a_note_keeps_html_as_text_and_refuses_an_empty_one(care):
    _, _, case = await answered(nps=2)
    assert case is not None

    note = await add_note(case, "<b>Called</b> <script>alert(1)</script>\x00 twice\r\n", ALICE_ACTS)

    assert note.body == "<b>Called</b> <script>alert(1)</script> twice"
    assert (note.author_kind, note.author_label) == ("user", ALICE.email)
    for body in ("  \n ", "x" * 5001):
        with pytest.raises(CaseError) as raised:
            await add_note(case, body, ALICE_ACTS, responded=True)
        assert raised.value.field == "body"
    assert (await stored(case)).first_responded_at is None
    assert await CaseNote.filter(case_id=case.id, kind="note").count() == 1


async def test_the_first_response_is_stamped_once_and_stops_its_clock(care):
    _, answer, case = await answered(nps=2)
    assert case is not None
    reached = answer.answered_at + timedelta(minutes=40)

    await add_note(
        case, "Phoned Anna, she will send a photo", ALICE_ACTS, responded=True, now=reached
    )
    again = await record_first_response(case, reached + timedelta(hours=1))

    assert again is False
    saved = await stored(case)
    assert saved.first_responded_at == reached == case.first_responded_at
    assert saved.next_due_at == saved.resolution_due_at


async def test_waiting_without_pause_keeps_the_clocks_running(care):
    _, answer, case = await answered(nps=2)
    assert case is not None
    due = case.first_response_due_at

    await wait_on_customer(case, ALICE_ACTS, now=answer.answered_at + timedelta(minutes=30))
    waiting = await stored(case)
    await resume(case, ALICE_ACTS, now=answer.answered_at + timedelta(hours=5))

    assert (waiting.status, waiting.next_due_at) == (CaseStatus.WAITING, due)
    resumed = await stored(case)
    assert (resumed.status, resumed.first_response_due_at, resumed.next_due_at) == (
        CaseStatus.OPEN,
        due,
        due,
    )
    assert resumed.waiting_since is None


async def test_waiting_pauses_the_clocks_and_resuming_moves_them_by_the_time_waited(db):
    await journey(CARE | {"pause_while_waiting": True})
    await care_team()
    _, _, case = await answered(nps=2)
    assert case is not None
    opened, first_due, resolution_due = (
        case.opened_at,
        case.first_response_due_at,
        case.resolution_due_at,
    )

    await wait_on_customer(case, ALICE_ACTS, now=opened + timedelta(minutes=30))
    paused = await stored(case)
    late = opened + timedelta(days=3)
    assert paused.next_due_at is None
    assert not await case_queue(overdue=True, now=late) and not is_overdue(paused, late)
    await resume(case, ALICE_ACTS, None, ZoneInfo("UTC"), now=opened + timedelta(minutes=90))

    resumed = await stored(case)
    assert resumed.first_response_due_at == first_due + timedelta(hours=1)
    assert resumed.resolution_due_at == resolution_due + timedelta(hours=1)
    assert resumed.next_due_at == resumed.first_response_due_at
    with pytest.raises(CaseConflict):
        await resume(case, ALICE_ACTS, now=late)


async def test_a_responded_case_resumes_only_its_resolution_clock(db):
    await journey(CARE | {"pause_while_waiting": True})
    _, _, case = await answered(nps=2)
    assert case is not None
    opened = case.opened_at
    await record_first_response(case, opened + timedelta(minutes=10))

    await wait_on_customer(case, SYSTEM, now=opened + timedelta(hours=1))
    await resume(case, SYSTEM, now=opened + timedelta(hours=4))

    resumed = await stored(case)
    assert resumed.first_response_due_at == opened + timedelta(hours=2)
    assert resumed.resolution_due_at == opened + timedelta(days=1, hours=3)
    assert resumed.next_due_at == resumed.resolution_due_at


# -- resolving -------------------------------------------------------------------------


async def test_resolving_with_a_root_cause_stops_the_clocks_and_schedules_the_survey(care):
    _, _, case = await answered(nps=2)
    assert case is not None

    await resolve(case, ALICE_ACTS, root_cause="late delivery", note="Refunded the shipping")

    saved = await stored(case)
    assert (saved.status, saved.root_cause, saved.next_due_at) == (
        CaseStatus.RESOLVED,
        "late delivery",
        None,
    )
    assert saved.resolution_note == "Refunded the shipping"
    assert saved.resolution_survey_status == "scheduled" and saved.resolution_survey_token
    assert saved.resolution_survey_send_at == saved.resolved_at
    assert (await timeline(case))[
        -1
    ] == "Resolved. Root cause: late delivery.\nRefunded the shipping"
    assert case.status == CaseStatus.RESOLVED  # the caller's copy follows


async def test_a_root_cause_not_on_the_teams_list_is_refused_with_the_list(care):
    _, _, case = await answered(nps=2)
    assert case is not None
    notes = await timeline(case)

    with pytest.raises(CaseError) as raised:
        await resolve(case, ALICE_ACTS, root_cause="bad weather", note="Nothing to do")

    assert raised.value.field == "root_cause" and raised.value.status == 400
    assert all(cause in raised.value.message for cause in ROOT_CAUSES)
    saved = await stored(case)
    assert (saved.status, saved.resolved_at, saved.resolution_survey_token) == (
        CaseStatus.OPEN,
        None,
        None,
    )
    assert await timeline(case) == notes and not await events("case.resolved")


async def test_resolving_twice_is_a_conflict_that_changes_nothing(care):
    _, _, case = await answered(nps=2)
    assert case is not None
    stale = await stored(case)  # a second agent's page, opened before the first resolved
    await resolve(case, ALICE_ACTS, root_cause="damaged item")
    first = await stored(case)
    notes = await timeline(case)

    for copy in (case, stale):
        with pytest.raises(CaseConflict) as raised:
            await resolve(copy, SYSTEM, root_cause="wrong item", note="again")
        assert raised.value.status == 409 and "resolved" in raised.value.message

    again = await stored(case)
    assert (again.resolved_at, again.root_cause, again.resolution_survey_token) == (
        first.resolved_at,
        "damaged item",
        first.resolution_survey_token,
    )
    assert await timeline(case) == notes and len(await events("case.resolved")) == 1
    with pytest.raises(CaseConflict):
        await wait_on_customer(stale, SYSTEM)


# -- the queue and the outbox ----------------------------------------------------------


async def test_overdue_is_a_query_that_turns_true_just_after_the_due_time(care):
    _, _, case = await answered(nps=2)
    _, _, later = await answered(nps=1)
    assert case is not None and later is not None
    due = case.first_response_due_at
    assert due is not None

    assert [c.id for c in await case_queue()] == [case.id, later.id]
    assert not await case_queue(overdue=True, now=due)
    assert [c.id for c in await case_queue(overdue=True, now=due + timedelta(microseconds=1))] == [
        case.id
    ]
    await record_first_response(case, due - timedelta(minutes=1))
    assert case.id not in {
        c.id for c in await case_queue(overdue=True, now=due + timedelta(hours=1))
    }
    assert is_overdue(await stored(case), case.resolution_due_at + timedelta(seconds=1))  # type: ignore[operator]
    assert [c.id for c in await case_queue(team="care", owner_id=ALICE.user_id)] == [case.id]


async def test_the_outbox_announces_the_answer_the_opening_and_the_resolution(care):
    invitation, answer, case = await answered(nps=2, comment="Broken lid", customer="anna")
    assert case is not None
    await resolve(case, ALICE_ACTS, root_cause="damaged item", external_ticket_id="HD-7")

    (response,) = await events("response.created")
    (opened,) = await events("case.opened")
    (resolved,) = await events("case.resolved")
    assert response | {"answered_at": None} == {
        "response_id": answer.id,
        "invitation_id": invitation.id,
        "journey": "shop",
        "touchpoint": "use",
        "customer_id": "anna",
        "nps": 2,
        "csat": None,
        "comment": "Broken lid",
        "source": "web",
        "answered_at": None,
    }
    assert opened["case_id"] == case.id and opened["status"] == "open"
    assert (opened["reason"], opened["team"], opened["owner"]) == ("detractor", "care", ALICE.email)
    assert opened["first_response_due_at"].endswith("Z") and opened["resolved_at"] is None
    assert (resolved["status"], resolved["root_cause"], resolved["external_ticket_id"]) == (
        "resolved",
        "damaged item",
        "HD-7",
    )
    assert resolved["resolved_at"] is not None and resolved["customer_id"] == "anna"


async def test_two_agents_resolving_at_once_get_one_resolution_and_one_conflict(care):
    _, _, case = await answered(nps=2)
    assert case is not None
    mine, theirs = await stored(case), await stored(case)

    outcomes = await asyncio.gather(
        resolve(mine, ALICE_ACTS, root_cause="late delivery"),
        resolve(theirs, SYSTEM, root_cause="wrong item"),
        return_exceptions=True,
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["CaseConflict", "NoneType"]
    assert len(await events("case.resolved")) == 1
    assert await CaseNote.filter(case_id=case.id, body__startswith="Resolved").count() == 1


async def test_two_cases_opening_at_once_go_to_two_agents(care):
    opened = await asyncio.gather(answered(nps=1), answered(nps=2))

    assert sorted(case.owner_email for _, _, case in opened) == [ALICE.email, BOB.email]  # type: ignore[union-attr]
