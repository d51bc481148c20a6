"""The loopback Twilio and SMTP servers, started once per run and emptied for each test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[TwilioServer]:
    with TwilioServer() as server:
        yield server


@pytest.fixture
def twilio(twilio_server: TwilioServer) -> Iterator[TwilioServer]:
    """A Twilio-compatible Messages API at `twilio.url`, with no messages and no faults."""
    twilio_server.reset()
    yield twilio_server
    twilio_server.reset()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        yield server


@pytest.fixture
def smtp(smtp_server: SmtpServer) -> Iterator[SmtpServer]:
    """An SMTP server at `smtp.host`:`smtp.port`, with no messages and no refusals."""
    smtp_server.reset()
    yield smtp_server
    smtp_server.reset()
