"""The stories' world: Touchpoint wired to the loopback Twilio and SMTP servers.

The root fixtures (`settings`, `runtime`, `client`) are reused: here `settings` carries
credentials for both channels, so messages really leave through Twilio and SMTP.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import Shop
from web.runtime import Runtime
from web.settings import Settings


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    """Real channels: the loopback Twilio and SMTP servers."""
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
def live(runtime: Runtime) -> Runtime:
    """The running parts, with real channels."""
    return runtime


@pytest.fixture
async def browser(client: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """What the customer's phone and the CX owner's laptop talk to: the app, following
    redirects as a browser does."""
    client.follow_redirects = True
    yield client


@pytest.fixture
def shop(browser: httpx.AsyncClient, api_key: str) -> Shop:
    return Shop(browser, api_key)
