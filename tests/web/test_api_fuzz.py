"""schemathesis against the served OpenAPI document, every operation, with an API key that
may read the audit log: no 5xx, every answer (4xx included, with its message) matching the
document, unsupported methods refused with the right `Allow`, schema-violating input
refused and schema-valid input taken or refused as the document declares.

A bounded, deterministic run here (`FUZZ_EXAMPLES` cases an operation, 25 by default);
`make fuzz` runs the same with many more and a random seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.processes import clean_environment, free_port, running
from tests.stories import ANNA
from web.auth import create_api_key

CONFIG = Path(__file__).with_name("schemathesis.toml")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")

pytestmark = pytest.mark.slow


@pytest.fixture
def served(db: str, redis_url: str, shop_journey, tmp_path: Path) -> Iterator[str]:
    """`touchpoint web` on a free port, on the test's database and Redis."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    environment = clean_environment(
        data_dir=str(tmp_path),
        database_url=db,
        redis_url=redis_url,
        public_url=base,
        secret_key="a test key, shared by the test's processes",
    )
    args = ["web", "--port", str(port)]
    with running(args, environment, f"{base}/healthz", tmp_path / "web.log"):
        yield base


def fuzz(base: str, key: str, workdir: Path) -> subprocess.CompletedProcess[str]:
    examples = os.environ.get("FUZZ_EXAMPLES", "25")
    seed = os.environ.get("FUZZ_SEED", "1")
    return subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(CONFIG),
            "--no-color",
            "run",
            f"{base}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            "all",
            "--max-examples",
            examples,
            *(["--seed", seed] if seed != "random" else []),
            "--workers",
            "1",
            "--generation-database",
            "none",
        ],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=int(os.environ.get("FUZZ_TIMEOUT", "600")),
    )


async def test_every_operation_answers_as_its_document_says(served, db, tmp_path):
    _, key = await create_api_key("fuzz", reads_audit=True)
    # Something to find: Anna's delivery, with its invitation.
    event = {
        "id": "fuzz-1",
        "type": "order.delivered",
        "occurred_at": "2026-07-01T10:00:00Z",
        "customer": ANNA.as_customer(),
    }
    async with httpx.AsyncClient(headers={"Authorization": f"Bearer {key}"}) as http:
        posted = await http.post(f"{served}/api/v1/events", json={"events": [event]})
    assert posted.status_code == 200, posted.text

    run = fuzz(served, key, tmp_path)

    assert run.returncode == 0, run.stdout[-20_000:] + run.stderr[-5_000:]
    assert "16 selected / 16 total" in run.stdout
    assert "Server error" not in run.stdout
