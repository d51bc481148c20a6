"""The stories' world: Touchpoint wired to the loopback Twilio and SMTP servers."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from dispatch.settings import SmtpSettings, TwilioSettings
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import Shop
from web.app import create_app
from web.runtime import Runtime, start_runtime, stop_runtime
from web.settings import Settings

SENDER = "+15005550006"


@pytest.fixture
def live_settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    """Credentials for both channels, so messages really leave through Twilio and SMTP."""
    return settings.model_copy(
        update={
            "twilio": TwilioSettings(
                account_sid=twilio.account_sid,
                auth_token=twilio.auth_token,
                from_=SENDER,
                api_url=twilio.url,
            ),
            "smtp": SmtpSettings(
                host=smtp.host,
                port=smtp.port,
                from_="surveys@shop.example",
                user=smtp.user,
                password=smtp.password,
                tls="none",
            ),
        }
    )


@pytest.fixture
async def live(live_settings: Settings) -> AsyncIterator[Runtime]:
    running = await start_runtime(live_settings, connect_database=False)
    try:
        yield running
    finally:
        await stop_runtime(running, disconnect_database=False)


@pytest.fixture
async def browser(live: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """What the customer's phone and the CX owner's laptop talk to: the app itself."""
    transport = httpx.ASGITransport(app=create_app(runtime=live))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", follow_redirects=True
    ) as http:
        yield http


@pytest.fixture
def shop(browser: httpx.AsyncClient, api_key: str) -> Shop:
    return Shop(browser, api_key)
