"""Twilio's webhooks as Twilio calls them: signed for the public URL, behind a proxy."""

from __future__ import annotations

import pytest

from dispatch.settings import TwilioSettings
from tests.stories import Shop
from tests.web.webhooks.signed import PUBLIC, TOKEN
from web.settings import Settings


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"public_url": PUBLIC, "twilio": TwilioSettings(auth_token=TOKEN)}
    )


@pytest.fixture
def shop(client, api_key, shop_journey) -> Shop:
    return Shop(client, api_key)
