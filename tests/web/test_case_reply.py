"""Lee, an agent of the logistics team, replies to Anna from her case page; a viewer, an
agent of another team and a reply that may not go are refused with the reason, and the
text Lee typed comes back in the form."""

from __future__ import annotations

import pytest

from dispatch.models import Message
from dispatch.optouts import opt_out
from surveys.models import CaseNote, FollowUpCase, Team, TeamMember
from tests.console import post_form, signed_in
from tests.dispatch.cases import LEE, MONDAY_10, logistics, store, unhappy
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA
from web.models import AuditEvent
from web.settings import Settings
from web.users import find_user

SORRY = "Sorry about the late parcel <Anna> & co. We refunded the shipping."
#: Any console page gives a form's CSRF token; the case page is another module's.
TOKEN_PAGE = "/opt-outs"


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
async def annas_case(db: str) -> FollowUpCase:
    touchpoints = await store()
    await logistics()
    return await unhappy(touchpoints["after-sales"], ANNA, answered_at=MONDAY_10)


async def agent_of(team_key: str, client, email: str = LEE) -> None:
    await signed_in(client, "agent", email)
    user = await find_user(email)
    team, _ = await Team.get_or_create(key=team_key, defaults={"name": team_key.title()})
    await TeamMember.create(team=team, user_id=user.id, email=email)


async def reply(client, case: FollowUpCase, channel: str = "sms", body: str = SORRY):
    path = f"/cases/{case.id}/reply"
    return await post_form(client, path, {"channel": channel, "body": body}, page=TOKEN_PAGE)


async def test_lee_replies_to_anna_by_sms_from_her_case(client, annas_case, twilio):
    await agent_of("logistics", client)

    answer = await reply(client, annas_case)

    assert answer.status_code == 303
    assert answer.headers["location"] == f"/cases/{annas_case.id}?done=replied"
    [sent] = twilio.messages
    assert (sent.to, sent.body) == (ANNA.phone, SORRY)
    [note] = await CaseNote.filter(case_id=annas_case.id, kind="reply")
    assert (note.body, note.channel, note.author_label) == (SORRY, "sms", LEE)
    assert (await FollowUpCase.get(id=annas_case.id)).first_responded_at is not None
    [event] = await AuditEvent.filter(action="case.replied")
    assert event.actor_label == LEE and event.target == f"case {annas_case.id}"
    assert event.detail["channel"] == "sms" and event.detail["carried_by"] == "sms"


async def test_a_reply_to_a_number_that_said_stop_comes_back_with_the_reason(
    client, annas_case, twilio
):
    await agent_of("logistics", client)
    await opt_out(ANNA.phone, "phone", "sms-stop")

    answer = await reply(client, annas_case)

    assert answer.status_code == 400
    assert f"Not sent: {ANNA.phone} opted out (sms-stop" in answer.text
    assert "Not by SMS to" in answer.text  # the page no longer offers the stopped number
    assert twilio.messages == []
    assert await Message.filter(case_id=annas_case.id).count() == 0
    assert await AuditEvent.filter(action="case.replied").count() == 0


async def test_an_empty_reply_is_refused(client, annas_case, twilio):
    await agent_of("logistics", client)

    answer = await reply(client, annas_case, body="   ")

    assert answer.status_code == 400 and "Not sent: write something" in answer.text
    assert twilio.messages == []


async def test_a_number_twilio_refuses_is_shown_as_not_sent(client, annas_case, twilio):
    await agent_of("logistics", client)
    twilio.reject(ANNA.phone, code=21211)

    answer = await reply(client, annas_case)

    assert answer.status_code == 502
    assert "Not sent: invalid phone number" in answer.text


async def test_an_agent_of_another_team_may_not_reply(client, annas_case, twilio):
    await agent_of("billing", client, "mia@shop.example")

    answer = await reply(client, annas_case)

    assert answer.status_code == 403 and "logistics team" in answer.text
    assert twilio.messages == []


async def test_an_admin_may_reply_to_any_case(client, annas_case, twilio):
    await signed_in(client, "admin")

    answer = await reply(client, annas_case)

    assert answer.status_code == 303 and len(twilio.messages) == 1


async def test_a_viewer_may_not_reply(client, annas_case, twilio):
    await signed_in(client, "viewer")

    answer = await reply(client, annas_case)

    assert answer.status_code == 403 and twilio.messages == []


async def test_an_unknown_case_is_404(client, annas_case, twilio):
    await signed_in(client, "admin")

    answer = await post_form(
        client, "/cases/999999/reply", {"channel": "sms", "body": SORRY}, page=TOKEN_PAGE
    )

    assert answer.status_code == 404 and "no case 999999" in answer.text
