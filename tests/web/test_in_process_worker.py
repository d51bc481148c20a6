"""`touchpoint up` runs the worker in the web process: when the app shuts down (uvicorn's
SIGTERM or Ctrl-C), a send in flight finishes before the process goes, as it does when
`touchpoint worker` gets SIGTERM.

The app's real lifespan with the real worker, sending through the twilio library to the
loopback Twilio server, which holds its answer for a few seconds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from surveys.models import Invitation
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, Shop
from web.app import create_app
from web.runtime import Runtime
from web.settings import Settings
from web.workers import start_in_process_worker


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an app without a worker, to post events before the worker runs."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


async def at_twilio(twilio: TwilioServer, phone: str, within: float = 30) -> None:
    deadline = time.monotonic() + within
    while not twilio.attempts(phone):
        assert time.monotonic() < deadline, "the worker never sent"
        await asyncio.sleep(0.05)


async def test_a_send_in_flight_finishes_when_the_app_shuts_down(
    client, api_key, shop_journey, runtime, twilio
):
    await Shop(client, api_key).delivered("A-1", to=ANNA)
    invitation = await Invitation.get(interaction__event_id="A-1")
    twilio.delay_next(1, seconds=3)
    app = create_app(runtime=runtime, run_worker=True)

    async with app.router.lifespan_context(app):
        await at_twilio(twilio, ANNA.phone)  # the send waits for Twilio's answer
        began = time.monotonic()

    assert time.monotonic() - began >= 2, "the shutdown did not wait for the send"
    assert [message.to for message in twilio.messages] == [ANNA.phone]
    await invitation.refresh_from_db()
    assert (invitation.status, invitation.reason) == ("sent", None)


async def test_a_worker_stopped_as_it_starts_stops_at_once(runtime, db):
    worker = await start_in_process_worker(runtime)

    await asyncio.wait_for(worker.stop(), timeout=5)

    assert worker.task.done()
