"""Guessing survey links is slowed per client address; an unknown, expired or answered link
changes nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from dispatch.models import OptOut
from surveys.models import Answer, Invitation, InvitationStatus
from tests.processes import clean_environment, free_port, running
from tests.stories import sent_invitation
from web.app import create_app
from web.models import AuditEvent
from web.settings import Settings

ALLOWED = 3
GUESSER, NEIGHBOUR = "203.0.113.5", "203.0.113.6"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"survey_link_misses_allowed": ALLOWED})


def client_from(runtime, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime), client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


@pytest.fixture
async def guesser(runtime) -> AsyncIterator[httpx.AsyncClient]:
    async with client_from(runtime, GUESSER) as http:
        yield http


async def test_past_the_allowed_misses_every_link_answers_429_to_that_address_only(
    guesser, runtime, client, api_key, shop_journey
):
    anna = await sent_invitation(client, api_key)
    for path in ("/s/guess-1", "/r/guess-2", "/u/guess-3"):
        assert (await guesser.get(path)).status_code == 404

    refused = await guesser.get(f"/s/{anna.token}")

    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 10 * 60
    assert "Too many unknown links" in refused.text
    async with client_from(runtime, NEIGHBOUR) as neighbour:
        assert (await neighbour.get(f"/s/{anna.token}")).status_code == 200
        assert (await neighbour.get("/s/guess-4")).status_code == 404


async def test_known_links_count_nothing_closed_or_not(guesser, client, api_key, shop_journey):
    anna = await sent_invitation(client, api_key)
    await Invitation.filter(id=anna.id).update(status=InvitationStatus.EXPIRED)

    answers = [await guesser.get(f"/s/{anna.token}") for _ in range(ALLOWED + 2)]

    assert {a.status_code for a in answers} == {410}


async def everything(invitation_id: int) -> tuple[object, ...]:
    invitation = await Invitation.get(id=invitation_id)
    return (
        invitation.status,
        invitation.reason,
        await Answer.all().values_list("id", "nps", "csat", "comment", "updated_at"),
        await OptOut.all().count(),
        await AuditEvent.all().count(),
    )


@pytest.mark.parametrize("state", ["unknown", "expired", "answered"])
async def test_an_unknown_expired_or_answered_link_changes_nothing(
    client, api_key, shop_journey, state
):
    anna = await sent_invitation(client, api_key, customer={"id": "anna", "email": "a@x.org"})
    token = "no-such-token" if state == "unknown" else anna.token
    if state == "expired":
        await Invitation.filter(id=anna.id).update(status=InvitationStatus.EXPIRED)
    if state == "answered":
        await client.post(f"/s/{anna.token}", data={"nps": "9", "csat": "4", "comment": "ok"})
    before = await everything(anna.id)

    await client.get(f"/s/{token}")
    await client.get(f"/s/{token}/thanks")
    await client.get(f"/r/{token}")
    await client.post(f"/r/{token}", data={"score": "5"})
    if state != "answered":
        await client.post(f"/s/{token}", data={"nps": "1"})
        await client.get(f"/s/{token}", params={"score": "1"})
    if state == "unknown":
        await client.get(f"/u/{token}")
        await client.post(f"/u/{token}")

    assert await everything(anna.id) == before


@pytest.fixture
def web_process(db: str, redis_url: str, tmp_path: Path) -> Iterator[str]:
    """`touchpoint web` behind a trusted proxy on 127.0.0.1, allowing ALLOWED misses."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        public_url=base,
        secret_key="a test key, shared by the test's processes",
        survey_link_misses_allowed=str(ALLOWED),
        forwarded_allow_ips="127.0.0.1",
    )
    args = ["web", "--port", str(port)]
    with running(args, environment, f"{base}/healthz", tmp_path / "web.log"):
        yield base


@pytest.mark.slow
async def test_behind_a_trusted_proxy_the_forwarded_address_is_the_one_counted(web_process):
    async with httpx.AsyncClient(base_url=web_process) as http:

        async def guess(address: str) -> int:
            answer = await http.get("/s/guess", headers={"X-Forwarded-For": address})
            return answer.status_code

        guessed = [await guess(GUESSER) for _ in range(ALLOWED + 1)]
        neighbour = await guess(NEIGHBOUR)

    assert guessed == [404] * ALLOWED + [429]
    assert neighbour == 404
