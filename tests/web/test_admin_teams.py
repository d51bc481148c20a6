"""The admin's teams page: Olivia (admin) sets up the care team for Alice and Bob (agents);
Vera (viewer) may not be a member, and Alice (agent) may not open the page."""

from __future__ import annotations

import pytest

from surveys.models import Team, TeamMember
from tests.console import form_token, post_form, sign_in, signed_in
from web.models import AuditEvent, User
from web.routes.admin_teams import parse_root_causes
from web.users import create_user

PAGE = "/admin/teams"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
async def olivia(client, db) -> None:
    await signed_in(client, "admin", "olivia@shop.example")
    for name, role in (("alice", "agent"), ("bob", "agent"), ("vera", "viewer")):
        await create_user(f"{name}@shop.example", role, PASSWORD)


async def create(client, **fields: str):
    return await post_form(client, PAGE, fields)


async def test_olivia_creates_the_care_team(client):
    answer = await create(client, key="care", name="Customer care", email="Care@Shop.example")

    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert "The team care is created." in page.text
    assert 'id="team-care"' in page.text
    team = await Team.get(key="care")
    assert (team.name, team.email, team.root_causes) == ("Customer care", "care@shop.example", [])
    audit = await AuditEvent.get(action="team.created")
    assert audit.target == "care" and audit.actor_label == "olivia@shop.example"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"key": "Care Team", "name": "Care"}, "key", "lower case letters"),
        ({"key": "care", "name": ""}, "name", "a name has 1 to 100 characters"),
        ({"key": "care", "name": "Care", "email": "not-an-address"}, "email", "not an email"),
    ],
)
async def test_a_bad_field_is_shown_beside_it_and_no_team_is_made(client, fields, field, message):
    answer = await create(client, **fields)

    assert answer.status_code == 400
    assert f'id="{field}-error"' in answer.text and message in answer.text
    assert not await Team.exists()


async def test_a_second_team_with_the_same_key_is_refused(client):
    await create(client, key="care", name="Customer care")

    answer = await create(client, key="care", name="Other care")

    assert answer.status_code == 400
    assert "there is a team &#39;care&#39; already" in answer.text
    assert (await Team.get(key="care")).name == "Customer care"


async def test_members_are_added_paused_and_removed(client):
    await create(client, key="care", name="Customer care")
    user = await User.get(email="alice@shop.example")
    added = await post_form(client, f"{PAGE}/care/members", {"user": str(user.id)}, page=PAGE)
    assert added.status_code == 303
    member = await TeamMember.get(team__key="care", user_id=user.id)
    assert member.email == "alice@shop.example" and member.takes_cases

    paused = await post_form(
        client, f"{PAGE}/care/members/{user.id}/takes-cases", {"takes_cases": "off"}, page=PAGE
    )
    page = await client.get(paused.headers["location"])
    assert "alice@shop.example takes no new cases of care for now." in page.text
    assert not (await TeamMember.get(id=member.id)).takes_cases

    removed = await post_form(client, f"{PAGE}/care/members/{user.id}/remove", {}, page=PAGE)
    assert removed.status_code == 303
    assert not await TeamMember.exists()
    details = [e.detail for e in await AuditEvent.filter(action="team.changed").order_by("id")]
    assert details == [
        {"member_added": "alice@shop.example"},
        {"member": "alice@shop.example", "takes_cases": False},
        {"member_removed": "alice@shop.example"},
    ]


async def test_only_agents_and_admins_may_be_members(client):
    await create(client, key="care", name="Customer care")
    vera = await User.get(email="vera@shop.example")
    answer = await post_form(client, f"{PAGE}/care/members", {"user": str(vera.id)}, page=PAGE)
    nobody = await post_form(client, f"{PAGE}/care/members", {"user": "x"}, page=PAGE)

    assert answer.status_code == 400 and nobody.status_code == 400
    assert "choose a console user who is an agent or an admin" in answer.text
    assert not await TeamMember.exists()


async def test_the_root_causes_are_kept_one_per_line(client):
    await create(client, key="care", name="Customer care")

    saved = await post_form(
        client,
        f"{PAGE}/care/root-causes",
        {"root_causes": "Late delivery\r\n\r\n  Damaged   parcel \nLate delivery\n<b>Rude</b>"},
        page=PAGE,
    )

    assert saved.status_code == 303
    causes = ["Late delivery", "Damaged parcel", "<b>Rude</b>"]
    assert (await Team.get(key="care")).root_causes == causes
    page = await client.get(PAGE)
    assert "&lt;b&gt;Rude&lt;/b&gt;" in page.text and "<b>Rude" not in page.text
    assert (await AuditEvent.get(action="team.changed")).detail == {"root_causes": causes}


async def test_a_root_cause_too_long_is_a_form_error_and_the_list_stays(client):
    await create(client, key="care", name="Customer care")
    await post_form(client, f"{PAGE}/care/root-causes", {"root_causes": "Late"}, page=PAGE)

    answer = await post_form(
        client, f"{PAGE}/care/root-causes", {"root_causes": "x" * 101}, page=PAGE
    )

    assert answer.status_code == 400
    assert "a root cause has at most 100 characters" in answer.text
    assert (await Team.get(key="care")).root_causes == ["Late"]


async def test_an_unknown_team_is_a_404(client):
    answer = await post_form(client, f"{PAGE}/nope/root-causes", {"root_causes": "x"}, page=PAGE)

    assert answer.status_code == 404


async def test_an_agent_may_not_open_the_teams_page(client):
    await client.post("/sign-out", data={"csrf_token": await form_token(client, PAGE)})
    await sign_in(client, "alice@shop.example")

    assert (await client.get(PAGE)).status_code == 403


@pytest.mark.parametrize(
    ("text", "causes"),
    [
        ("", []),
        ("a\nb\n", ["a", "b"]),
        ("  a  \r\n\n a ", ["a"]),
        ("Late   delivery", ["Late delivery"]),
    ],
)
def test_parse_root_causes(text, causes):
    assert parse_root_causes(text) == causes


def test_too_many_root_causes():
    with pytest.raises(ValueError, match="at most 50 root causes"):
        parse_root_causes("\n".join(f"cause {n}" for n in range(51)))
