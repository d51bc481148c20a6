"""Routing: the touchpoint's channels in order, each to the customer's address of its kind."""

from __future__ import annotations

import pytest

from dispatch.channels.console import ConsoleChannel
from dispatch.channels.email import EmailChannel
from dispatch.channels.registry import Channels
from dispatch.channels.sms import SmsChannel
from dispatch.routing import consented_channels, declined, unreachable_reason, usable_routes
from dispatch.settings import SmtpSettings

PHONE, EMAIL = "+14155550123", "anna@example.com"
CONSOLE = ConsoleChannel()
CHANNELS = Channels(CONSOLE)


@pytest.mark.parametrize(
    ("names", "phone", "email", "routes"),
    [
        (["sms", "email"], PHONE, EMAIL, [("sms", PHONE), ("email", EMAIL)]),
        (["email", "sms"], PHONE, EMAIL, [("email", EMAIL), ("sms", PHONE)]),
        (["sms", "email"], None, EMAIL, [("email", EMAIL)]),
        (["sms"], None, EMAIL, []),
        (["fax", "sms"], PHONE, None, [("sms", PHONE)]),
    ],
)
def test_the_touchpoints_order_and_the_customers_addresses_decide(names, phone, email, routes):
    found = usable_routes(names, {"phone": phone, "email": email}, CHANNELS)

    assert [(route.name, route.address) for route in found] == routes


def test_the_console_carries_a_channel_without_settings():
    [route] = usable_routes(["sms"], {"phone": PHONE}, CHANNELS)

    assert route.requested is SmsChannel and route.carrier is CONSOLE


def test_a_channel_with_settings_carries_itself():
    email = EmailChannel(SmtpSettings(host="mail.shop.example", from_="surveys@shop.example"))
    [route] = usable_routes(["email"], {"email": EMAIL}, Channels(CONSOLE, {"email": email}))

    assert route.requested is EmailChannel and route.carrier is email


@pytest.mark.parametrize(
    ("names", "consent", "allowed", "refused"),
    [
        (["sms", "email"], {}, ["sms", "email"], []),
        (["sms", "email"], None, ["sms", "email"], []),
        (["sms", "email"], {"sms": False}, ["email"], ["sms"]),
        (["sms", "email"], {"sms": True, "email": False}, ["sms"], ["email"]),
        (["sms", "email"], {"sms": False, "email": False}, [], ["sms", "email"]),
        (["email"], {"sms": False}, ["email"], []),  # a channel the touchpoint does not use
    ],
)
def test_a_channel_the_customer_declined_is_never_used(names, consent, allowed, refused):
    assert consented_channels(names, consent) == (allowed, refused)


@pytest.mark.parametrize(
    ("allowed", "refused", "reason"),
    [
        ([], ["sms", "email"], "no consent for sms, email"),
        (["sms", "email"], [], "no address for sms, email"),
        (["email"], ["sms"], "no consent for sms; no address for email"),
    ],
)
def test_the_reason_says_why_no_channel_is_left(allowed, refused, reason):
    assert unreachable_reason(allowed, refused) == reason


def test_only_an_explicit_no_declines_a_channel():
    assert declined({"sms": False}, "sms")
    assert not declined({"sms": True}, "sms")
    assert not declined({}, "sms")
    assert not declined(None, "sms")
