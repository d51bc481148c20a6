"""Anna opens her survey link: the invitation, its survey as sent and her answer so far,
read in one statement; the journey version parsed once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from tortoise import connections

from journeys.loader import load_journey
from journeys.models import Touchpoint
from journeys.store import apply_journey
from surveys.invitation_survey import (
    LinkInvitation,
    invitation_survey,
    locked_invitation,
    open_invitation,
    parse_definition,
)
from surveys.models import Invitation, InvitationStatus
from surveys.responses import record_response
from tests.conftest import SHOP_JOURNEY
from tests.stories import sent_invitation

RECOMMEND = "How likely are you to recommend us to a friend?"


@pytest.fixture
async def anna(client, api_key, shop_journey) -> Invitation:
    return await sent_invitation(client, api_key)


def statements(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "tortoise.db_client"]


async def test_a_link_opens_with_the_survey_of_the_version_it_was_sent_with(anna):
    text = SHOP_JOURNEY.read_text("utf-8").replace(RECOMMEND, "Would you recommend us?")
    assert (await apply_journey(load_journey(text), text)).version == 2

    opened = await open_invitation(anna.token)

    assert opened is not None and opened.invitation.id == anna.id
    assert opened.plan.survey.questions[0].text.in_locale("en") == RECOMMEND
    assert (opened.plan.journey_key, opened.plan.touchpoint_key) == ("shop", "use")
    use = await Touchpoint.get(key="use")
    assert opened.plan.touchpoint_id == use.id
    assert opened.saved is None and opened.dimensions is None
    assert (await invitation_survey(anna)).survey == opened.plan.survey


async def test_the_link_reads_the_invitation_as_tortoise_would(anna):
    """The page's invitation is a plain record of the row: the same values, the status as
    its enum and the stamp aware, on either database."""
    await Invitation.filter(id=anna.id).update(expires_at=datetime(2030, 1, 2, 3, 4, 5, 6, UTC))
    opened = await open_invitation(anna.token)

    assert opened is not None
    stored = await Invitation.get(id=anna.id)
    for field in LinkInvitation.__slots__:
        assert getattr(opened.invitation, field) == getattr(stored, field), field
    assert isinstance(opened.invitation.status, InvitationStatus)
    assert opened.invitation.expires_at == datetime(2030, 1, 2, 3, 4, 5, 6, UTC)
    assert opened.invitation.expires_at.utcoffset() is not None


async def test_the_answer_so_far_comes_with_the_link(anna):
    await record_response(anna, nps=9, csat=None, comment="Fast", partial=True)

    opened = await open_invitation(anna.token)

    assert opened is not None and opened.saved is not None
    assert (opened.saved.nps, opened.saved.csat, opened.saved.comment) == (9, None, "Fast")
    locked, answer = await locked_invitation(anna.id)
    assert locked.status == "answered" and answer is not None and answer.nps == 9


async def test_opening_to_answer_brings_what_a_first_answer_copies(anna):
    opened = await open_invitation(anna.token, answering=True)

    assert opened is not None and opened.dimensions is not None
    customer, columns, _ = opened.dimensions
    assert customer.external_id == "anna"
    assert columns["channel"] == "sms" and columns["locale"] == "en"
    assert columns["interaction_at"] is not None


async def test_an_unknown_token_opens_nothing(anna):
    assert await open_invitation("not-a-token-anybody-was-sent") is None


async def test_a_version_is_parsed_once_and_kept_apart_from_any_other(anna):
    first = await open_invitation(anna.token)
    again = await open_invitation(anna.token)
    assert first is not None and again is not None
    assert again.plan.journey is first.plan.journey  # the same parsed definition

    other = load_journey(SHOP_JOURNEY.read_text("utf-8").replace(RECOMMEND, "Recommend us?"))
    text = other.model_dump_json(by_alias=True)
    assert parse_definition(text) is not first.plan.journey
    assert parse_definition(text).surveys["nps-csat"].questions[0].text.in_locale("en") == (
        "Recommend us?"
    )


async def test_the_survey_page_is_one_statement(client, anna, caplog):
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        page = await client.get(f"/s/{anna.token}")

    assert page.status_code == 200
    assert len(statements(caplog)) == 1


async def test_a_first_answer_takes_two_statements_or_three(client, anna, caplog):
    form = {"nps": "8", "csat": "4", "comment": "Quick"}
    with caplog.at_level(logging.DEBUG, logger="tortoise.db_client"):
        answer = await client.post(f"/s/{anna.token}", data=form)

    assert answer.status_code == 303
    # The link; then one statement writing the answer, its attributes, response.created and
    # the invitation answered, gated on the invitation still open (PostgreSQL); on SQLite,
    # in one transaction, the invitation read with its answer and then that one trip.
    found = statements(caplog)
    postgres = connections.get("default").capabilities.dialect == "postgres"
    assert len(found) == (2 if postgres else 3), "\n".join(found)
