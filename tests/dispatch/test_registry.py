"""The registry: the channels a touchpoint can ask for are the modules of dispatch.channels,
and the service runs those whose settings are complete, the console standing in for the rest.
"""

from __future__ import annotations

import importlib
import textwrap
from pathlib import Path

import pytest
from redis.asyncio import Redis

from dispatch.channels.base import BuildContext
from dispatch.channels.console import ConsoleChannel
from dispatch.channels.email import EmailChannel
from dispatch.channels.registry import (
    build_channels,
    channel_named,
    channel_names,
    find_channels,
)
from dispatch.channels.sms import SmsChannel
from dispatch.settings import SmtpSettings, TwilioSettings
from web.settings import Settings

PAGER = """
from dispatch.channels.base import Channel, OutgoingMessage, Receipt


class PagerChannel(Channel):
    name = "pager"
    address_kind = "phone"

    async def send(self, message: OutgoingMessage) -> Receipt:
        return Receipt("page-1")
"""


def a_package(root: Path, name: str, modules: dict[str, str]) -> object:
    package = root / name
    package.mkdir()
    (package / "__init__.py").write_text("")
    for module, text in modules.items():
        (package / f"{module}.py").write_text(textwrap.dedent(text))
    return importlib.import_module(name)


def test_the_channels_a_touchpoint_can_ask_for_are_sms_and_email():
    assert channel_names() == ("email", "sms")
    assert channel_named("sms") is SmsChannel and channel_named("email") is EmailChannel
    assert channel_named("console") is None, "the console only stands in"
    assert channel_named("fax") is None


def test_each_channel_says_what_the_rest_asks_of_it():
    assert (SmsChannel.address_kind, SmsChannel.counts_segments) == ("phone", True)
    assert (EmailChannel.address_kind, EmailChannel.counts_segments) == ("email", False)
    assert (SmsChannel.settings_section, EmailChannel.settings_section) == ("twilio", "smtp")


def test_a_new_module_is_a_new_channel(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    package = a_package(tmp_path, "more_channels", {"pager": PAGER, "notes": "X = 1\n"})

    found = find_channels(package)  # type: ignore[arg-type]

    assert list(found) == ["pager"]
    assert found["pager"].address_kind == "phone"


def test_two_channels_of_one_name_stop_start_up(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(tmp_path))
    package = a_package(tmp_path, "twin_channels", {"pager": PAGER, "pager2": PAGER})

    with pytest.raises(RuntimeError, match="two channels are named 'pager'"):
        find_channels(package)  # type: ignore[arg-type]


async def test_only_channels_with_complete_settings_run(settings: Settings, redis_url: str):
    twilio = TwilioSettings(account_sid="AC1", auth_token="secret", from_="+15005550006")
    configured = settings.model_copy(update={"twilio": twilio, "smtp": SmtpSettings()})
    redis = Redis.from_url(redis_url)

    channels = build_channels(configured, BuildContext("https://t.example/", redis))

    assert isinstance(channels.carrier("sms"), SmsChannel)
    assert isinstance(channels.carrier("email"), ConsoleChannel), "no SMTP host: the console"
    sms = channels.carrier("sms")
    assert sms.status_callback_url == "https://t.example/twilio/status"  # type: ignore[attr-defined]
    assert sms.limiter is not None  # type: ignore[attr-defined]
    assert channels.running("sms") is sms and channels.running("console") is channels.console
    assert channels.running("email") is None
    await channels.close()
    await redis.aclose()


def test_without_credentials_the_console_carries_everything(settings: Settings):
    channels = build_channels(settings, BuildContext("http://127.0.0.1:8000"))

    assert channels.configured == {}
    assert channels.carrier("sms") is channels.carrier("email") is channels.console
