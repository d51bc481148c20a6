"""Log lines as an operator reads them: JSON with the request id and the invitation being
sent, and never a customer's phone number or address, on the real request and send paths."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from dispatch.reminders import send_reminder
from dispatch.tasks import send_invitation
from surveys.models import Invitation
from tests.processes import clean_environment, touchpoint
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, BEN, Shop
from tests.web.webhooks.signed import PUBLIC, post_signed
from web.logs import log_handler
from web.request_id import HEADER
from web.settings import Settings

Lines = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    """SMS through the loopback Twilio server, whose auth token also signs its webhooks."""
    channels = with_loopback_channels(settings, twilio, smtp)
    return channels.model_copy(update={"public_url": PUBLIC})


def _captured(log_format: str) -> Iterator[io.StringIO]:
    """What the CLI's handler writes, in `log_format`, while the test runs."""
    stream = io.StringIO()
    handler = log_handler(log_format, stream)  # type: ignore[arg-type]
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    yield from _captured("json")


@pytest.fixture
def text_log() -> Iterator[io.StringIO]:
    yield from _captured("text")


def parsed(stream: io.StringIO) -> list[dict[str, Any]]:
    """Every line is one JSON object."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.fixture
def shop(client, api_key, shop_journey) -> Shop:
    return Shop(client, api_key)


async def test_every_answer_carries_a_request_id_and_a_plain_one_from_the_client_is_kept(
    client,
):
    made = await client.get("/healthz")
    kept = await client.get("/healthz", headers={HEADER: "lb-7f3a:42"})
    replaced = await client.get("/healthz", headers={HEADER: "x" * 129})
    odd = await client.get("/healthz", headers={HEADER: "<script>"})

    assert len(made.headers[HEADER]) == 32
    assert kept.headers[HEADER] == "lb-7f3a:42"
    assert replaced.headers[HEADER] not in ("x" * 129, made.headers[HEADER])
    assert odd.headers[HEADER] != "<script>"
    assert made.headers[HEADER] != (await client.get("/healthz")).headers[HEADER]


async def test_a_sms_reply_is_logged_with_its_request_id_and_the_number_masked(
    client, twilio, json_log
):
    params = {"From": ANNA.phone, "To": "+15005550006", "Body": "9", "MessageSid": "SMin"}
    client.headers[HEADER] = "reply-1"
    answer = await post_signed(client, "/twilio/sms", params, token=twilio.auth_token)

    assert answer.status_code == 200
    [line] = [line for line in parsed(json_log) if line["message"].startswith("sms reply")]
    assert line["message"] == "sms reply from +1******0123: Score"
    assert line["request_id"] == "reply-1"
    assert line["level"] == "INFO" and line["logger"] == "touchpoint.twilio"
    assert line["time"].endswith("Z")
    assert ANNA.phone not in json_log.getvalue()


async def test_a_send_is_logged_with_its_invitation_id_and_the_address_masked(
    shop, runtime, twilio, json_log
):
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    about = [line for line in parsed(json_log) if line.get("invitation_id") == invitation.id]
    sent = [line["message"] for line in about if "sent by" in line["message"]]
    assert sent == [f"invitation {invitation.id} sent by sms to +1******0123"]
    assert ANNA.phone not in json_log.getvalue()


async def test_a_failed_send_is_logged_with_its_invitation_id_and_no_address(
    shop, runtime, twilio, json_log
):
    twilio.reject(ANNA.phone, code=21211)
    await shop.delivered("A-1", to=ANNA)
    invitation = await shop.invitation_for("A-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    [failed] = [line for line in parsed(json_log) if " failed: " in line["message"]]
    assert failed["invitation_id"] == invitation.id
    assert failed["logger"] == "touchpoint.dispatch"
    assert ANNA.phone not in json_log.getvalue()


async def test_an_email_send_in_text_masks_the_address(shop, runtime, smtp, text_log):
    await shop.delivered("B-1", to=BEN)
    invitation = await shop.invitation_for("B-1")

    await send_invitation(runtime.worker_context(), invitation.id)

    assert f"invitation {invitation.id} sent by email to b***@example.com" in text_log.getvalue()
    assert BEN.email not in text_log.getvalue()


async def test_a_reminder_is_logged_with_its_invitation_id_and_the_address_masked(
    shop, runtime, smtp, json_log
):
    await shop.delivered("B-1", to=BEN)
    invitation = await shop.invitation_for("B-1")
    context = runtime.worker_context()
    # Each job in a task of its own, as arq runs them, so neither sees the other's id.
    await asyncio.create_task(send_invitation(context, invitation.id))
    past = datetime.now(UTC) - timedelta(minutes=1)
    await Invitation.filter(id=invitation.id).update(reminder_due_at=past)
    json_log.truncate(0)
    json_log.seek(0)

    await asyncio.create_task(send_reminder(context, invitation.id))

    [line] = [line for line in parsed(json_log) if line["message"].startswith("reminder")]
    assert line["message"] == (
        f"reminder for invitation {invitation.id} sent by email to b***@example.com"
    )
    assert line["invitation_id"] == invitation.id
    assert BEN.email not in json_log.getvalue()


def test_an_exception_s_traceback_is_masked_too(json_log):
    try:
        raise ValueError(f"the provider refused {ANNA.phone}")
    except ValueError:
        logging.getLogger("touchpoint.dispatch").exception("a send broke")

    [line] = parsed(json_log)
    assert line["message"] == "a send broke" and line["level"] == "ERROR"
    assert "ValueError: the provider refused +1******0123" in line["exception"]
    assert ANNA.phone not in json_log.getvalue()


def test_a_log_format_that_is_neither_text_nor_json_stops_the_command(tmp_path):
    env = clean_environment(data_dir=str(tmp_path), log_format="xml")

    result = touchpoint("migrate", env=env)

    assert result.returncode == 2
    assert "TOUCHPOINT_LOG_FORMAT: Input should be 'text' or 'json'" in result.stderr
