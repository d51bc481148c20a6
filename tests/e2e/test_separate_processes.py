"""Web and worker as separate processes, as they run in production.

`touchpoint web` takes the event over real HTTP; `touchpoint worker` (another process, on
the same database and Redis) sends the SMS through the loopback Twilio server.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import ROOT, clean_environment, free_port, running, touchpoint
from tests.servers.twilio import TwilioServer
from tests.stories import ANNA

SHOP = ROOT / "tests" / "journeys" / "fixtures" / "shop.yaml"


@pytest.fixture
def environment(db: str, redis_url: str, twilio: TwilioServer, tmp_path: Path) -> dict[str, str]:
    port = free_port()
    return clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        public_url=f"http://127.0.0.1:{port}",
        secret_key="a test key, shared by the test's processes",
        twilio_account_sid=twilio.account_sid,
        twilio_auth_token=twilio.auth_token,
        twilio_from="+15005550006",
        twilio_api_url=twilio.url,
    )


@pytest.fixture
def web_process(environment: dict[str, str], tmp_path: Path) -> Iterator[str]:
    base = environment["TOUCHPOINT_PUBLIC_URL"]
    port = base.rsplit(":", 1)[1]
    log = tmp_path / "web.log"
    try:
        with running(["web", "--port", port], environment, f"{base}/healthz", log):
            yield base
    finally:
        print(log.read_text())


async def test_the_web_process_takes_the_event_and_a_worker_process_sends_it(
    environment, web_process, twilio
):
    touchpoint("journeys", "apply", str(SHOP), env=environment, check=True)
    created = touchpoint("apikeys", "create", "--name", "shop", env=environment, check=True)
    key = created.stdout.split()[-1]
    eight_days_ago = time.gmtime(time.time() - 8 * 86400)
    event = {
        "id": "A-1",
        "type": "order.delivered",
        "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", eight_days_ago),
        "customer": ANNA.as_customer(),
    }

    async with httpx.AsyncClient(base_url=web_process) as http:
        posted = await http.post(
            "/api/v1/events", json={"events": [event]}, headers={"Authorization": f"Bearer {key}"}
        )
        assert posted.status_code == 200, posted.text

        touchpoint("worker", "--burst", env=environment, check=True)

        [sms] = twilio.messages
        assert sms.to == ANNA.phone
        link = re.search(r"http://127\.0\.0\.1:\d+/s/\S+", sms.body).group(0)
        page = await http.get(link)
        assert page.status_code == 200
        assert "How likely are you to recommend us" in page.text
