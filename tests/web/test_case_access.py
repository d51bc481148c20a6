"""Who may act on a case: Alice (agent of care) on care's cases, Bob (agent of nobody) on
none of them, Olivia (admin) on every case, Vera (viewer) on none."""

from __future__ import annotations

import pytest

from surveys.followups import CaseError
from tests.cases import a_case, care_journey, care_team
from tests.stories import ANNA
from web.access import ConsoleUser
from web.case_access import ensure_may_act, may_act_on
from web.users import create_user

PASSWORD = "correct horse battery staple"


@pytest.fixture
async def people(db) -> dict[str, ConsoleUser]:
    found = {}
    for name, role in (
        ("alice", "agent"),
        ("bob", "agent"),
        ("olivia", "admin"),
        ("vera", "viewer"),
    ):
        user = await create_user(f"{name}@shop.example", role, PASSWORD)
        found[name] = ConsoleUser(user.id, user.email, user.role)
    await care_journey()
    await care_team("alice@shop.example")
    return found


async def test_an_agent_acts_on_her_teams_cases_only(people):
    case = await a_case(ANNA)

    assert await may_act_on(people["alice"], case)
    assert not await may_act_on(people["bob"], case)


async def test_an_admin_acts_on_any_case_and_a_viewer_on_none(people):
    case = await a_case(ANNA)

    assert await may_act_on(people["olivia"], case)
    assert not await may_act_on(people["vera"], case)


async def test_a_case_of_no_team_is_anyone_on_dutys(people):
    case = await a_case(ANNA)
    case.team_key = None  # as a journey with no team would open it

    assert await may_act_on(people["bob"], case)
    assert not await may_act_on(people["vera"], case)


async def test_the_refusal_is_a_403_that_names_the_team(people):
    case = await a_case(ANNA)

    with pytest.raises(CaseError) as refused:
        await ensure_may_act(people["bob"], case)

    assert refused.value.status == 403
    assert "'care'" in refused.value.message and "nothing was changed" in refused.value.message
    await ensure_may_act(people["alice"], case)  # no refusal
