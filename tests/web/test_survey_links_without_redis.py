"""The survey-link throttle with Redis away: the customer's page still works.

The throttle (web/token_throttle.py) counts unknown links in Redis. When Redis is away it
fails open: the pages are served unthrottled and the operator's log says so. That is the
right way round for a customer on a phone: the link in their SMS is their only way in, and
an answer turned away is an answer lost (few open a survey twice), while a guesser gains
next to nothing from minutes without the throttle against links of 144 random bits. The
survey pages themselves need only the database, so nothing else stops them.

Two ways for Redis to be away, both real: nothing listening (connections refused) and a
Redis that takes the connection and never answers (a hung server, a half-open socket
after a failover), which must not hold the customer's page either.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from arq.connections import ArqRedis

from surveys.models import Answer, Invitation
from tests.processes import free_port
from tests.stories import sent_invitation
from web.app import create_app
from web.runtime import Runtime


@pytest.fixture
def silent_redis() -> Iterator[str]:
    """A server that takes connections and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    yield f"redis://127.0.0.1:{listener.getsockname()[1]}/0"
    listener.close()


@pytest.fixture(params=["refused", "silent"])
async def redis_away(request, runtime: Runtime) -> AsyncIterator[Runtime]:
    """The test's runtime, its Redis replaced by one that is away."""
    if request.param == "refused":
        url = f"redis://127.0.0.1:{free_port()}/0"
    else:
        url = request.getfixturevalue("silent_redis")
    away = ArqRedis.from_url(url)
    replaced = dataclasses.replace(runtime, redis=away)
    yield replaced
    await replaced.token_blocks.stop()  # its listener, still trying to subscribe
    await away.aclose()


@pytest.fixture
async def phone(redis_away: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=redis_away), client=("198.51.100.7", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def timed(request) -> tuple[httpx.Response, float]:
    began = time.monotonic()
    answer = await asyncio.wait_for(request, timeout=10)
    return answer, time.monotonic() - began


async def test_the_customer_opens_and_answers_the_survey_with_redis_away(
    client, api_key, shop_journey, phone, caplog
):
    invitation = await sent_invitation(client, api_key)
    caplog.set_level(logging.WARNING, logger="touchpoint.token_throttle")

    page, took = await timed(phone.get(f"/s/{invitation.token}"))
    assert page.status_code == 200, page.text
    assert 'name="nps"' in page.text
    assert took < 3, f"the page waited {took:.1f} s on Redis"

    sent, took = await timed(
        phone.post(f"/s/{invitation.token}", data={"nps": "9", "csat": "5", "comment": ""})
    )
    assert sent.status_code in (200, 303), sent.text
    assert took < 3
    assert (await Answer.get(invitation_id=invitation.id)).nps == 9
    assert (await Invitation.get(id=invitation.id)).status == "answered"
    assert "survey links served unthrottled, Redis did not answer" in caplog.text


async def test_an_unknown_link_is_still_not_found_and_its_miss_is_logged(db, phone, caplog):
    caplog.set_level(logging.WARNING, logger="touchpoint.token_throttle")

    for _ in range(3):
        missed, took = await timed(phone.get("/s/no-such-token"))
        assert (missed.status_code, took < 3) == (404, True)

    assert "survey links served unthrottled" in caplog.text
