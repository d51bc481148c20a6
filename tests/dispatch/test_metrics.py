"""What a worker counts, read from the worker's own /metrics endpoint (a real HTTP server,
as `touchpoint worker --metrics-port` starts it), after real sends by the real worker:
SMS through the loopback Twilio server, email through the loopback SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from dispatch.metrics import MAX_REASONS, reason_label
from tests.scrape import samples, value
from tests.servers.settings import with_loopback_channels
from tests.servers.smtp import SmtpServer
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA, Person, Shop, run_worker_until_idle
from web.metrics import serve_worker_metrics
from web.settings import Settings


@pytest.fixture
def settings(settings: Settings, twilio: TwilioServer, smtp: SmtpServer) -> Settings:
    return with_loopback_channels(settings, twilio, smtp)


@pytest.fixture
def worker_metrics() -> Iterator[str]:
    server = serve_worker_metrics("127.0.0.1", 0, token="scrape-me")
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def scrape(url: str):
    answer = httpx.get(f"{url}/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert answer.status_code == 200, answer.text
    return samples(answer.text)


def gained(before, after, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


async def test_a_sent_sms_counts_its_message_and_how_late_it_went(
    client, api_key, shop_journey, runtime, twilio, worker_metrics
):
    before = scrape(worker_metrics)
    await Shop(client, api_key).delivered("A-1", to=ANNA)

    await run_worker_until_idle(runtime)

    after = scrape(worker_metrics)
    assert len(twilio.messages) == 1
    assert gained(before, after, "touchpoint_messages_total", channel="sms", status="sent") == 1
    delay = "touchpoint_send_delay_seconds"
    assert gained(before, after, f"{delay}_count", channel="sms") == 1
    assert 0 <= gained(before, after, f"{delay}_sum", channel="sms") < 30
    assert gained(before, after, f"{delay}_bucket", channel="sms", le="+Inf") == 1


async def test_a_refused_sms_counts_failed_and_the_invitation_ends_with_its_reason_kind(
    client, api_key, shop_journey, runtime, twilio, worker_metrics
):
    twilio.reject(ANNA.phone, code=21211)
    before = scrape(worker_metrics)
    await Shop(client, api_key).delivered("A-1", to=ANNA)

    await run_worker_until_idle(runtime)

    after = scrape(worker_metrics)
    assert gained(before, after, "touchpoint_messages_total", channel="sms", status="failed") == 1
    ended = "touchpoint_invitations_ended_total"
    assert gained(before, after, ended, state="failed", reason="sms") == 1
    assert gained(before, after, "touchpoint_send_delay_seconds_count", channel="sms") == 0


async def test_a_customer_with_no_address_counts_as_suppressed(
    client, api_key, shop_journey, runtime, worker_metrics
):
    before = scrape(worker_metrics)
    await Shop(client, api_key).delivered("D-1", to=Person("dora"))

    await run_worker_until_idle(runtime)

    after = scrape(worker_metrics)
    reason = "no address for sms, email"
    assert (
        gained(
            before, after, "touchpoint_invitations_ended_total", state="suppressed", reason=reason
        )
        == 1
    )


def test_the_worker_endpoint_asks_for_the_token_and_serves_only_metrics(worker_metrics):
    missing = httpx.get(f"{worker_metrics}/metrics")
    elsewhere = httpx.get(f"{worker_metrics}/", headers={"Authorization": "Bearer scrape-me"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert elsewhere.status_code == 404


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("opted out (sms 2026-10-01)", "opted out"),
        ("sms: invalid phone number (code 21211)", "sms"),
        ("contact policy: surveyed 3 days ago", "contact policy"),
        ("no consent for sms; no address for email", "no consent for sms"),
        ("lost to online-store/use (higher priority)", "lost to online-store/use"),
        ("stale: due 2026-10-01 09:00 UTC, more than 7 days ago", "stale"),
        ("", "unspecified"),
    ],
)
def test_a_reason_is_labelled_by_its_leading_words(reason, label):
    assert reason_label(reason) == label


def test_reason_labels_stay_a_short_list():
    labels = {reason_label(f"rule {chr(97 + i // 26)}{chr(97 + i % 26)}") for i in range(200)}

    assert len(labels) <= MAX_REASONS + 1
    assert "other" in labels
